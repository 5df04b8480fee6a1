/**
 * N07 grokking-happens-in-cleanup (claims.md §3): the test-accuracy jump comes after the circuit has formed.
 * t_grok <= t_clean holds almost by construction (t_clean is read from the test loss): the informative parts are
 * t_circ < t_50 and R << T at t_circ.
 */
import { verdict } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import { at } from '../runAnalysis.js';
import { loss, stepCell, type Claim } from './claim.js';
import { count, mainKeys, ofSeeds, seedOf } from './helpers.js';

/** The band: at t_circ the restricted loss at most this fraction of the test loss. */
export const MAX_R_OVER_T = 0.1;

export const N07: Claim = {
  id: 'N07',
  name: 'grokking-happens-in-cleanup',
  statement: 'the test-accuracy jump comes after the circuit has formed',
  paper: '"the circuit is formed well before grokking occurs" (abstract, §5.2); grokking "occurs during cleanup, after the generalizing mechanism is learned" (conclusion)',
  band: `on >= 4/5 seeds: t_circ < t_50 <= t_grok <= t_clean and R(t_circ) <= ${MAX_R_OVER_T} x T(t_circ)`,
  direction: 't_circ < t_grok on >= 3/5 of the seeds',
  experiments: ['main'],
  readsKeys: true,
  evaluate(ctx) {
    const keys = mainKeys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => {
      const s = ctx.series(key);
      const ph = ctx.phases(key);
      const r = at(s, s.restricted, ph.tCirc);
      const t = at(s, s.testLoss, ph.tCirc);
      const order = ph.tCirc !== null && ph.t50 !== null && ph.tGrok !== null && ph.tClean !== null && ph.tCirc < ph.t50 && ph.t50 <= ph.tGrok && ph.tGrok <= ph.tClean;
      return { key, ph, r, t, order, band: order && r !== null && t !== null && r <= MAX_R_OVER_T * t, before: ph.tCirc !== null && ph.tGrok !== null && ph.tCirc < ph.tGrok };
    });
    const n = rows.length;
    const band = count(rows, (x) => x.band);
    const before = count(rows, (x) => x.before);
    return {
      verdict: verdict({ reproduced: band >= ProgressContext.share(n, 4), direction: before >= ProgressContext.share(n, 3) }),
      reason: `order and R << T at t_circ on ${ofSeeds(band, n)}; t_circ before t_grok on ${ofSeeds(before, n)} (K: ${ctx.series(keys[0]).keyRule})`,
      figure: `t_circ ${rows.map((x) => stepCell(x.ph.tCirc)).join('/')} vs t_grok ${rows.map((x) => stepCell(x.ph.tGrok)).join('/')}`,
      data: { seeds: rows.map((x) => ({ run: x.key, t_circ: x.ph.tCirc, t_50: x.ph.t50, t_grok: x.ph.tGrok, t_clean: x.ph.tClean, r_at_circ: x.r, t_at_circ: x.t })), band, before, of: n },
      headline: { band, of: n },
      tables: [
        {
          title: 'Phases per seed',
          columns: ['seed', 't_circ', 't_50', 't_grok', 't_clean', 'R(t_circ)', 'T(t_circ)'],
          rows: rows.map((x) => [seedOf(x.key), stepCell(x.ph.tCirc), stepCell(x.ph.t50), stepCell(x.ph.tGrok), stepCell(x.ph.tClean), loss(x.r), loss(x.t)]),
        },
      ],
      runIds: ctx.ids(keys),
      notes: [],
      caveat: 't_grok <= t_clean holds almost by construction (t_clean is read from the test loss); the informative parts are t_circ < t_50 and R << T at t_circ, and t_circ reads K',
      configurations: n,
    };
  },
};
