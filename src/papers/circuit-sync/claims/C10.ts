/** C10 mlp-only: an MLP-only model never groks within its cap; the run must have reached the cap (claims.md "arch"). */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import type { Claim } from './claim.js';
import { archKey } from './archRuns.js';

export const C10: Claim = {
  id: 'C10',
  name: 'mlp-only',
  statement: 'an MLP-only model never groks',
  paper: 'never within 15000',
  band: 'never groks within the cap',
  direction: 'none beyond the band (a yes/no claim)',
  experiments: ['arch'],
  evaluate(ctx) {
    const key = archKey(ctx, '2l-mlp_only');
    const unavailable = ctx.notEvaluableFor([key]);
    if (unavailable) return unavailable;
    const ev = ctx.events(key);
    const run = ctx.run(key);
    const cap = run.config.stop.max_steps;
    const lastRecorded = run.records.at(-1)?.step ?? -1;
    if (ev.grok === null && lastRecorded < cap)
      return notEvaluable(`${key}: stopped at ${lastRecorded} before the cap ${cap}${ev.diverged ? ' (diverged)' : ''}`, ctx.ids([key]));
    return {
      verdict: verdict({ reproduced: ev.grok === null }),
      reason: ev.grok === null ? `never grokked within ${cap} steps` : `grokked at ${ev.grok}`,
      figure: ev.grok === null ? `never within ${cap}` : `grok ${ev.grok}`,
      caveat:
        'a sanity check, not a finding: the MLP-only model has no attention, so its last position never sees a or b and it cannot do better than chance on the answer (model.md variants); it holds by construction',
      data: { grok: ev.grok, cap, final_val_acc: run.records.at(-1)?.val_acc ?? null, final_train_acc: run.records.at(-1)?.train_acc ?? null },
      runIds: ctx.ids([key]),
      notes: ctx.eventNotes([key]),
    };
  },
};
