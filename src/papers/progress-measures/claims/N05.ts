/**
 * N05 weight-norm-falls (claims.md §3): the sum of squared weights falls smoothly during circuit formation and
 * faster during cleanup. r_circ and r_clean are SSW's rates of fall over [t_mem, t_circ] and [t_circ, t_clean].
 */
import { verdict } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import { at } from '../runAnalysis.js';
import { stepCell, type Claim } from './claim.js';
import { count, mainKeys, ofSeeds, seedOf } from './helpers.js';

/** The band: cleanup's rate of fall at least this times circuit formation's. */
export const MIN_RATE_RATIO = 1.5;

export const N05: Claim = {
  id: 'N05',
  name: 'weight-norm-falls',
  statement: 'the sum of squared weights falls smoothly during circuit formation and faster during cleanup',
  paper: '"decreases smoothly during circuit formation and more sharply during cleanup" (Fig. 7 bottom right)',
  band: `SSW(t_mem) > SSW(t_circ) > SSW(t_clean) and r_clean >= ${MIN_RATE_RATIO} x r_circ on >= 4/5 seeds`,
  direction: 'both decreases hold on >= 4/5 of the seeds, at any rate ratio',
  experiments: ['main'],
  readsKeys: true,
  evaluate(ctx) {
    const keys = mainKeys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => {
      const s = ctx.series(key);
      const ph = ctx.phases(key);
      const [a, b, c] = [at(s, s.ssw, ph.tMem), at(s, s.ssw, ph.tCirc), at(s, s.ssw, ph.tClean)];
      const known = a !== null && b !== null && c !== null && ph.tMem !== null && ph.tCirc !== null && ph.tClean !== null && ph.tCirc > ph.tMem && ph.tClean > ph.tCirc;
      const rCirc = known ? (a! - b!) / (ph.tCirc! - ph.tMem!) : null;
      const rClean = known ? (b! - c!) / (ph.tClean! - ph.tCirc!) : null;
      const falls = known && a! > b! && b! > c!;
      return { key, ph, a, b, c, rCirc, rClean, falls, faster: falls && rCirc! > 0 && rClean! >= MIN_RATE_RATIO * rCirc! };
    });
    const n = rows.length;
    const faster = count(rows, (r) => r.faster);
    const falls = count(rows, (r) => r.falls);
    const num = (x: number | null, d = 1) => (x === null ? 'n/a' : x.toFixed(d));
    return {
      verdict: verdict({ reproduced: faster >= ProgressContext.share(n, 4), direction: falls >= ProgressContext.share(n, 4) }),
      reason: `SSW falls over both phases on ${ofSeeds(falls, n)}, ${MIN_RATE_RATIO}x faster in cleanup on ${ofSeeds(faster, n)} (${ctx.options.ssw === 'all' ? 'every parameter' : 'without biases and the separator rows'})`,
      figure: `r_clean/r_circ ${rows.map((r) => (r.rCirc && r.rClean !== null ? (r.rClean / r.rCirc).toFixed(1) : 'n/a')).join('/')}`,
      data: { seeds: rows.map((r) => ({ run: r.key, ssw: [r.a, r.b, r.c], steps: [r.ph.tMem, r.ph.tCirc, r.ph.tClean], r_circ: r.rCirc, r_clean: r.rClean })), falls, faster, of: n },
      headline: { faster, of: n },
      tables: [
        {
          title: 'SSW at the phase boundaries',
          columns: ['seed', 't_mem', 'SSW', 't_circ', 'SSW', 't_clean', 'SSW', 'r_circ', 'r_clean'],
          rows: rows.map((r) => [seedOf(r.key), stepCell(r.ph.tMem), num(r.a), stepCell(r.ph.tCirc), num(r.b), stepCell(r.ph.tClean), num(r.c), num(r.rCirc, 4), num(r.rClean, 4)]),
        },
      ],
      runIds: ctx.ids(keys),
      notes: [],
      caveat: 'the rates depend on the phase boundaries (t_circ reads K); the sensitivity section shows them under the alternatives',
      configurations: n,
    };
  },
};
