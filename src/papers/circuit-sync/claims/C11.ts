/** C11 one-layer-lags: the 1-layer model groks but its FSD does not lead: lead <= 0, or never synced (claims.md "arch"; paper lead -1000). */
import { signed, verdict } from '../../../paper/claim.js';
import type { Claim } from './claim.js';
import { archKey, describeArchRun } from './archRuns.js';

export const C11: Claim = {
  id: 'C11',
  name: 'one-layer-lags',
  statement: 'a 1-layer model groks but its FSD lags',
  paper: 'grok 4500, lead -1000',
  band: 'groks, lead <= 0 (never syncing counts as lagging)',
  direction: 'none beyond the band (a yes/no claim)',
  experiments: ['arch'],
  evaluate(ctx) {
    const key = archKey(ctx, '1l-standard');
    const unavailable = ctx.notEvaluableFor([key]);
    if (unavailable) return unavailable;
    const ev = ctx.events(key);
    const lags = ev.sync === null || (ev.lead !== null && ev.lead <= 0);
    return {
      verdict: verdict({ reproduced: ev.grok !== null && lags }),
      // One run decides it: no test can say more than that run (issue 27).
      reason: `one run: ${describeArchRun(ev)}`,
      figure: ev.grok === null ? 'never grokked' : `grok ${ev.grok}, lead ${ev.sync === null ? 'none (never synced)' : signed(ev.lead)}`,
      data: { grok: ev.grok, sync: ev.sync, lead: ev.lead },
      headline: { sync: ev.sync, grok: ev.grok, lead: ev.lead },
      runIds: ctx.ids([key]),
      notes: ctx.eventNotes([key]),
    };
  },
};
