/**
 * N10 no-weight-decay-no-grokking (claims.md §3): without weight decay the model does not grok within the run
 * (40k epochs), and its excluded loss never rises. E with each run's own final K; E_max beside it (a run that
 * never grokked has a meaningless K).
 */
import { verdict } from '../../../paper/claim.js';
import { at } from '../runAnalysis.js';
import { GROK_ACCURACY, HALF_ACCURACY } from '../runAnalysis.js';
import { loss, stepCell, type Claim } from './claim.js';
import { count, ofSeeds, seedOf } from './helpers.js';

/** The band: E after t_mem at most this times E(t_mem). */
export const MAX_E_RISE = 10;

export const N10: Claim = {
  id: 'N10',
  name: 'no-weight-decay-no-grokking',
  statement: 'without weight decay the model does not grok within 40k epochs, and its excluded loss never rises',
  paper: '"λ=0 never groks" within budget (§5.3, App. D.1); "excluded loss never rises" (per a summary of the text)',
  band: `every seed: test accuracy < ${HALF_ACCURACY} at every checkpoint, and max over t >= t_mem of E(t) <= ${MAX_E_RISE} x E(t_mem)`,
  direction: `no seed reaches test accuracy ${GROK_ACCURACY} (E may rise); any seed that does: not reproduced`,
  experiments: ['nowd'],
  readsKeys: true,
  evaluate(ctx) {
    const keys = ctx.keysOf('nowd');
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => {
      const s = ctx.series(key);
      const ph = ctx.phases(key);
      const eMem = at(s, s.excluded, ph.tMem);
      const after = s.excluded.filter((e, i) => e !== null && ph.tMem !== null && s.steps[i] >= ph.tMem) as number[];
      const eMax = after.length ? Math.max(...after) : null;
      const bestAcc = Math.max(...s.testAcc);
      return { key, ph, eMem, eMax, bestAcc, flat: eMem !== null && eMax !== null && eMax <= MAX_E_RISE * eMem, emaxEnd: s.excludedMax.at(-1)! };
    });
    const n = rows.length;
    const below = count(rows, (r) => r.bestAcc < HALF_ACCURACY);
    const flat = count(rows, (r) => r.flat);
    const grokked = count(rows, (r) => r.ph.tGrok !== null);
    return {
      verdict: verdict({ reproduced: below === n && flat === n, direction: grokked === 0 }),
      reason: `${ofSeeds(grokked, n)} grok; test accuracy stays < ${HALF_ACCURACY} on ${ofSeeds(below, n)}; E stays within ${MAX_E_RISE}x of E(t_mem) on ${ofSeeds(flat, n)}`,
      figure: `best test accuracy ${rows.map((r) => r.bestAcc.toFixed(2)).join('/')}; max E after t_mem ${rows.map((r) => loss(r.eMax)).join('/')}`,
      data: { seeds: rows.map((r) => ({ run: r.key, t_grok: r.ph.tGrok, best_test_acc: r.bestAcc, e_mem: r.eMem, e_max_after: r.eMax, e_max_end: r.emaxEnd })), grokked, below, flat, of: n },
      headline: { grokked, of: n },
      tables: [
        {
          title: `Per seed (E with ${ctx.series(keys[0]).keyRule}; E_max needs no K)`,
          columns: ['seed', 't_grok', 'best test acc', 't_mem', 'E(t_mem)', 'max E after', 'E_max at the end'],
          rows: rows.map((r) => [seedOf(r.key), stepCell(r.ph.tGrok), r.bestAcc.toFixed(3), stepCell(r.ph.tMem), loss(r.eMem), loss(r.eMax), loss(r.emaxEnd)]),
        },
      ],
      runIds: ctx.ids(keys),
      notes: [],
      caveat: 'a budget claim: Power et al. grokked without weight decay at about 1e6 steps',
      configurations: n,
    };
  },
};
