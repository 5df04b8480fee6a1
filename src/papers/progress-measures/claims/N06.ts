/**
 * N06 gini-jumps-in-cleanup (claims.md §3): the Fourier sparsity (Gini, §2.7) of W_E and W_L is flat during
 * memorisation and rises sharply in cleanup. The G-based t_clean alternative would be circular here: this
 * claim always reads t_clean from the test loss.
 */
import { verdict } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import { at, phasesOf } from '../runAnalysis.js';
import type { Claim } from './claim.js';
import { count, mainKeys, ofSeeds, seedOf } from './helpers.js';

/** The band: |G(t_mem) - G(0)| at most; cleanup's rate at least this times circuit formation's; G(end) at least. */
export const MAX_EARLY_CHANGE = 0.1;
export const MIN_RATE_RATIO = 2;
export const MIN_FINAL_GINI = 0.4;
/** `direction only`: G(end) - G(t_mem) at least this, both matrices. */
export const MIN_RISE = 0.2;

export const N06: Claim = {
  id: 'N06',
  name: 'gini-jumps-in-cleanup',
  statement: 'the Fourier sparsity of W_E and W_L is flat during memorisation and rises sharply in cleanup',
  paper: '"the Gini coefficient staying relatively flat" (memorisation); "the sharp increase in the Gini coefficient for the matrices W_E and W_L" (cleanup) (§5.2, Fig. 7 bottom left)',
  band: `for W_E and W_L on >= 4/5 seeds: |G(t_mem) - G(0)| <= ${MAX_EARLY_CHANGE}; cleanup rate >= ${MIN_RATE_RATIO} x circuit-formation rate; G(end) >= ${MIN_FINAL_GINI}`,
  direction: `G(end) - G(t_mem) >= ${MIN_RISE} for both matrices on >= 4/5 of the seeds`,
  experiments: ['main'],
  readsKeys: true,
  evaluate(ctx) {
    const keys = mainKeys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => {
      const s = ctx.series(key);
      const ph = phasesOf(s, { ...ctx.options, clean: 'test<=1e-3' });
      const judge = (g: readonly number[]) => {
        const [g0, gMem, gCirc, gClean, gEnd] = [g[0], at(s, g, ph.tMem), at(s, g, ph.tCirc), at(s, g, ph.tClean), g.at(-1)!];
        const ok = gMem !== null && gCirc !== null && gClean !== null && ph.tCirc! > ph.tMem! && ph.tClean! > ph.tCirc!;
        const rCirc = ok ? (gCirc! - gMem!) / (ph.tCirc! - ph.tMem!) : null;
        const rClean = ok ? (gClean! - gCirc!) / (ph.tClean! - ph.tCirc!) : null;
        const band = ok && Math.abs(gMem! - g0) <= MAX_EARLY_CHANGE && rClean! >= MIN_RATE_RATIO * Math.max(rCirc!, 0) && rClean! > 0 && gEnd >= MIN_FINAL_GINI;
        return { g0, gMem, gEnd, rCirc, rClean, band, rises: gMem !== null && gEnd - gMem >= MIN_RISE };
      };
      return { key, we: judge(s.giniWe), wl: judge(s.giniWl) };
    });
    const n = rows.length;
    const band = count(rows, (r) => r.we.band && r.wl.band);
    const rises = count(rows, (r) => r.we.rises && r.wl.rises);
    const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
    return {
      verdict: verdict({ reproduced: band >= ProgressContext.share(n, 4), direction: rises >= ProgressContext.share(n, 4) }),
      reason: `both matrices in the band on ${ofSeeds(band, n)}; both rise >= ${MIN_RISE} after t_mem on ${ofSeeds(rises, n)} (Gini of ${ctx.options.gini === 'components' ? 'the p component norms' : 'the per-frequency norms'})`,
      figure: `G_E ${rows.map((r) => `${f(r.we.g0)}->${f(r.we.gEnd)}`).join(', ')}; G_L ${rows.map((r) => `${f(r.wl.g0)}->${f(r.wl.gEnd)}`).join(', ')}`,
      data: { seeds: rows.map((r) => ({ run: r.key, we: r.we, wl: r.wl })), band, rises, of: n },
      headline: { band, of: n },
      tables: [
        {
          title: 'Gini at init, t_mem and the end; rates over circuit formation and cleanup (per 1000 steps)',
          columns: ['seed', 'G_E 0', 'G_E t_mem', 'G_E end', 'G_E rates', 'G_L 0', 'G_L t_mem', 'G_L end', 'G_L rates'],
          rows: rows.map((r) => {
            const rates = (x: typeof r.we) => (x.rCirc === null ? 'n/a' : `${(x.rCirc * 1000).toFixed(3)} / ${(x.rClean! * 1000).toFixed(3)}`);
            return [seedOf(r.key), f(r.we.g0), f(r.we.gMem), f(r.we.gEnd), rates(r.we), f(r.wl.g0), f(r.wl.gMem), f(r.wl.gEnd), rates(r.wl)];
          }),
        },
      ],
      runIds: ctx.ids(keys),
      notes: ['t_clean from the test loss whatever the clean option (the Gini-based one would be circular)'],
      configurations: n,
    };
  },
};
