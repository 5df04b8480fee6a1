/**
 * N04 restricted-loss-leads (claims.md §3): the restricted loss falls before the test loss does. lead(theta) =
 * t_T(theta) - t_R(theta), the first checkpoints with test loss and restricted loss (all pairs) at most theta;
 * the verdict at theta = 1 nat, and the range of theta over which it holds.
 */
import { median } from 'simple-statistics';
import { verdict, type Verdict } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import type { RunSeries } from '../runAnalysis.js';
import { stepCell, type Claim } from './claim.js';
import { count, epochs, mainKeys, ofSeeds, seedOf } from './helpers.js';

/** The verdict's threshold (nats) and the sweep (claims.md). */
export const THETA = 1;
export const THETAS = [3, 1, 0.3, 0.1] as const;
/** The band: median lead at least this (paper epochs x the profile's scale). */
export const MIN_MEDIAN_LEAD = 1000;

const firstAtMost = (s: RunSeries, values: readonly (number | null)[], theta: number): number | null => {
  for (let i = 0; i < s.steps.length; i++) {
    const v = values[i];
    if (v !== null && v <= theta) return s.steps[i];
  }
  return null;
};

/** The step of the largest test/restricted ratio (checkpoints where R is measured). */
function ratioPeak(s: RunSeries): number | null {
  let best: number | null = null;
  let value = -Infinity;
  for (let i = 0; i < s.steps.length; i++) {
    const r = s.restricted[i];
    if (r === null || !(r > 0)) continue;
    const ratio = s.testLoss[i] / r;
    if (ratio > value) {
      value = ratio;
      best = s.steps[i];
    }
  }
  return best;
}

export const N04: Claim = {
  id: 'N04',
  name: 'restricted-loss-leads',
  statement: 'the restricted loss falls before the test loss does',
  paper: '"The restricted loss begins declining before test loss declines" (Fig. 7 top right); "consistently declines prior to" on other seeds (Fig. 18)',
  band: `lead(${THETA}) > 0 on every seed, median lead(${THETA}) >= ${MIN_MEDIAN_LEAD} (paper epochs x the profile's scale), and the test/restricted peak in [t_mem, t_grok] on >= 4/5`,
  direction: `lead(${THETA}) > 0 on >= 3/5 of the seeds`,
  experiments: ['main'],
  readsKeys: true,
  evaluate(ctx) {
    const keys = mainKeys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const n = keys.length;
    const leadsAt = (theta: number) =>
      keys.map((key) => {
        const s = ctx.series(key);
        const tR = firstAtMost(s, s.restricted, theta);
        const tT = firstAtMost(s, s.testLoss, theta);
        return tR === null || tT === null ? null : tT - tR;
      });
    const judge = (theta: number): { verdict: Verdict; leads: (number | null)[] } => {
      const leads = leadsAt(theta);
      const positive = count(leads, (l) => l !== null && l > 0);
      const known = leads.filter((l): l is number => l !== null);
      const med = known.length === n ? median(known) : null;
      const peaks = count(keys, (key) => {
        const ph = ctx.phases(key);
        const peak = ratioPeak(ctx.series(key));
        return peak !== null && ph.tMem !== null && ph.tGrok !== null && peak >= ph.tMem && peak <= ph.tGrok;
      });
      return {
        verdict: verdict({ reproduced: positive === n && med !== null && med >= epochs(ctx, MIN_MEDIAN_LEAD) && peaks >= ProgressContext.share(n, 4), direction: positive >= ProgressContext.share(n, 3) }),
        leads,
      };
    };
    const sweep = THETAS.map((theta) => ({ theta, ...judge(theta) }));
    const main = sweep.find((x) => x.theta === THETA)!;
    const holds = sweep.filter((x) => x.verdict === main.verdict).map((x) => x.theta);
    const rule = ctx.series(keys[0]).keyRule;
    const signedLead = (l: number | null) => (l === null ? 'n/a' : `${l > 0 ? '+' : ''}${l}`);
    return {
      verdict: main.verdict,
      reason: `lead(${THETA}) ${main.leads.map(signedLead).join('/')}; the same verdict at theta ${holds.join(', ')} of ${THETAS.join(', ')} (K: ${rule})`,
      figure: `${ofSeeds(count(main.leads, (l) => l !== null && l > 0), n)} lead at ${THETA} nat; leads ${main.leads.map(signedLead).join('/')}`,
      data: { leads: Object.fromEntries(sweep.map((x) => [String(x.theta), x.leads])), verdicts: Object.fromEntries(sweep.map((x) => [String(x.theta), x.verdict])), key_rule: rule, ratio_peaks: keys.map((k) => ratioPeak(ctx.series(k))) },
      headline: { positive: count(main.leads, (l) => l !== null && l > 0), of: n },
      tables: [
        {
          title: `lead(theta) = t_T - t_R per seed (R with ${rule})`,
          columns: ['seed', ...THETAS.map((t) => `theta ${t}`), 'T/R peak'],
          rows: keys.map((key, i) => [seedOf(key), ...sweep.map((x) => signedLead(x.leads[i])), stepCell(ratioPeak(ctx.series(key)))]),
        },
        { title: 'Verdict by theta', columns: ['theta', 'verdict'], rows: sweep.map((x) => [x.theta, x.verdict]) },
      ],
      runIds: ctx.ids(keys),
      notes: ['R is on all pairs, T on the test rows (the paper says train and test R coincide)'],
      caveat: ctx.options.keys === 'neuron-argmax-now' ? undefined : "R at epoch t uses the frequencies of the final model: a lead is partly knowledge of the future (the report's look-ahead list shows whether it holds with keys=neuron-argmax-now)",
      configurations: n,
    };
  },
};
