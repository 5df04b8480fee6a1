/** C09 attn-only: an attention-only model groks with an FSD precursor, FSD on its block-0 attention output (claims.md "arch"; paper lead +3000). */
import { signed, verdict } from '../../../paper/claim.js';
import type { Claim } from './claim.js';
import { archKey, describeArchRun } from './archRuns.js';

export const C09: Claim = {
  id: 'C09',
  name: 'attn-only',
  statement: 'an attention-only model groks with an FSD precursor (FSD on block-0 attention output)',
  paper: 'lead +3000',
  band: 'groks, lead > 0',
  direction: 'none beyond the band (a yes/no claim)',
  experiments: ['arch'],
  evaluate(ctx) {
    const key = archKey(ctx, '2l-attn_only');
    const unavailable = ctx.notEvaluableFor([key]);
    if (unavailable) return unavailable;
    const ev = ctx.events(key);
    const ok = ev.grok !== null && ev.lead !== null && ev.lead > 0;
    return {
      verdict: verdict({ reproduced: ok }),
      // One run decides it: no test can say more than that run (issue 27).
      reason: `one run: ${describeArchRun(ev)}`,
      figure: ev.grok === null ? 'never grokked' : ev.sync === null ? `grok ${ev.grok}, FSD never synced` : `lead ${signed(ev.lead)}`,
      data: { grok: ev.grok, sync: ev.sync, lead: ev.lead, last_step: ev.lastStep },
      headline: { sync: ev.sync, grok: ev.grok, lead: ev.lead },
      runIds: ctx.ids([key]),
      notes: ctx.eventNotes([key]),
    };
  },
};
