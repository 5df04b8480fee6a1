/**
 * N03 excluded-loss-rises (claims.md §3): during circuit formation the excluded loss rises by orders of
 * magnitude while the train loss stays memorised. t_mem' is where E stops declining (its argmin in [0, 5000],
 * §2.8's alternative t_mem): at the end of memorisation the key frequencies carry nothing yet.
 */
import { verdict } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import { at, memBoundary } from '../runAnalysis.js';
import { loss, stepCell, type Claim } from './claim.js';
import { count, mainKeys, ofSeeds, seedOf } from './helpers.js';

/** (i) E(t_mem') at most this times the train loss then; (ii) E(t_50)/E(t_mem') at least; (iii) E(t_50) at least (nats); (iv) train loss at most, t_mem to the end. */
export const MAX_E_OVER_TRAIN = 10;
export const MIN_RISE = 100;
export const MIN_E_AT_HALF = 1;
export const MAX_TRAIN_LOSS = 1e-3;
/** `direction only`: E rises at least this factor between t_mem' and t_50 on >= 3/5 of the seeds. */
export const DIRECTION_RISE = 10;

export const N03: Claim = {
  id: 'N03',
  name: 'excluded-loss-rises',
  statement: 'during circuit formation the excluded loss rises by orders of magnitude while train loss stays memorised',
  paper: '"excluded loss rises, ... test and train loss stay flat" (§5.2, Fig. 7 top left)',
  band: `on >= 4/5 seeds: E(t_mem') <= ${MAX_E_OVER_TRAIN} x train loss there; E(t_50)/E(t_mem') >= ${MIN_RISE}; E(t_50) >= ${MIN_E_AT_HALF} nat; train loss <= ${MAX_TRAIN_LOSS} over [t_mem, end]`,
  direction: `E rises >= ${DIRECTION_RISE}x between t_mem' and t_50 on >= 3/5 of the seeds`,
  experiments: ['main'],
  readsKeys: true,
  evaluate(ctx) {
    const keys = mainKeys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => {
      const s = ctx.series(key);
      const ph = ctx.phases(key);
      const tPrime = memBoundary(s, 'excluded-argmin');
      const eMem = at(s, s.excluded, tPrime);
      const trainMem = at(s, s.trainLoss, tPrime);
      const eHalf = at(s, s.excluded, ph.t50);
      const from = ph.tMem ?? 0;
      const trainMax = Math.max(...s.trainLoss.filter((_, i) => s.steps[i] >= from));
      const rise = eMem !== null && eHalf !== null && eMem > 0 ? eHalf / eMem : null;
      const checks = [eMem !== null && trainMem !== null && eMem <= MAX_E_OVER_TRAIN * trainMem, rise !== null && rise >= MIN_RISE, eHalf !== null && eHalf >= MIN_E_AT_HALF, trainMax <= MAX_TRAIN_LOSS];
      return { key, tPrime, t50: ph.t50, eMem, trainMem, eHalf, rise, trainMax, checks, eMaxHalf: at(s, s.excludedMax, ph.t50) };
    });
    const n = rows.length;
    const passing = count(rows, (r) => r.checks.every(Boolean));
    const rising = count(rows, (r) => r.rise !== null && r.rise >= DIRECTION_RISE);
    const rule = ctx.series(keys[0]).keyRule;
    return {
      verdict: verdict({ reproduced: passing >= ProgressContext.share(n, 4), direction: rising >= ProgressContext.share(n, 3) }),
      reason: `${ofSeeds(passing, n)} pass all four; E rises >= ${DIRECTION_RISE}x on ${ofSeeds(rising, n)} (K: ${rule})`,
      figure: `E(t_50)/E(t_mem') ${rows.map((r) => (r.rise === null ? 'n/a' : r.rise.toExponential(1))).join('/')}; E(t_50) ${rows.map((r) => loss(r.eHalf)).join('/')}`,
      data: { seeds: rows.map((r) => ({ run: r.key, t_mem_prime: r.tPrime, t_50: r.t50, e_mem: r.eMem, train_mem: r.trainMem, e_half: r.eHalf, rise: r.rise, train_max: r.trainMax, e_max_half: r.eMaxHalf, checks: r.checks })), passing, rising, of: n, key_rule: rule },
      headline: { passing, of: n },
      tables: [
        {
          title: `Per seed (E with ${rule}; E_max has no look-ahead)`,
          columns: ["seed", "t_mem'", 'E(t_mem\')', 'train loss there', 't_50', 'E(t_50)', 'E_max(t_50)', 'max train loss after t_mem'],
          rows: rows.map((r) => [seedOf(r.key), stepCell(r.tPrime), loss(r.eMem), loss(r.trainMem), stepCell(r.t50), loss(r.eHalf), loss(r.eMaxHalf), loss(r.trainMax)]),
        },
      ],
      runIds: ctx.ids(keys),
      notes: [],
      caveat: ctx.options.keys === 'neuron-argmax-now' ? undefined : 'with the final model\'s K, E can rise only if the final circuit grows (look-ahead); keys=neuron-argmax-now and E_max are the honest checks',
      configurations: n,
    };
  },
};
