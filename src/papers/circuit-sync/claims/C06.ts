/**
 * C06 inverse-lambda: the seed-averaged Delta_t follows C_p / lambda for every fork prime (claims.md "forks";
 * paper R^2 0.89 / 0.94 / 0.99). Direction: the seed-mean Delta_t strictly falls with lambda for every prime.
 */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import type { Claim } from './claim.js';
import { forkBranches, forkPointNotes, primeFit, type PrimeFit } from './forkBranches.js';

/** The band: every prime's fit at least this good (the paper's worst prime). */
export const MIN_R2 = 0.89;

/** R^2 is undefined (simple-statistics: -Infinity) when every Delta_t of the fit is equal and C/lambda misses it. */
const fmtR2 = (r2: number) => (Number.isFinite(r2) ? r2.toFixed(2) : 'undefined: constant Delta_t');

export const C06: Claim = {
  id: 'C06',
  name: 'inverse-lambda',
  statement: 'seed-averaged Delta_t = C_p/lambda across the fork primes',
  paper: 'R^2 0.89 / 0.94 / 0.99; C_p 4780 / 2727 / 1760 (falls with p); per-draw R^2 0.49..1.00',
  band: `R^2 >= ${MIN_R2} for every prime`,
  direction: 'seed-averaged Delta_t strictly falls with lambda for every prime',
  experiments: ['forks'],
  evaluate(ctx) {
    const got = forkBranches(ctx);
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const fits: PrimeFit[] = [];
    for (const [p, bs] of [...got.byPrime.entries()].sort((a, b) => a[0] - b[0])) {
      const fit = primeFit(p, bs);
      if (!fit) return notEvaluable(`p = ${p}: fewer than 3 lambdas with a grokked draw`, ctx.ids(got.keys));
      fits.push(fit);
    }
    const inBand = fits.every((f) => f.r2 >= MIN_R2);
    const falling = fits.every((f) => f.meanDeltaT.every((d, i) => i === 0 || d < f.meanDeltaT[i - 1]));
    const r2 = fits.map((f) => fmtR2(f.r2)).join(' / ');
    const cs = fits.map((f) => Math.round(f.c)).join(' / ');
    const drawR2 = fits.flatMap((f) => (f.drawR2 ? f.drawR2 : []));
    const constantDraws = drawR2.some((x) => !Number.isFinite(x));
    const finiteDrawR2 = drawR2.filter(Number.isFinite);
    return {
      verdict: verdict({ reproduced: inBand, direction: falling }),
      reason:
        `R^2 ${r2} for p = ${fits.map((f) => f.p).join(' / ')}${inBand ? '' : ` (band: >= ${MIN_R2} each)`}; seed-mean Delta_t over lambda ` +
        fits.map((f) => `${f.lambdas.join('/')}: ${f.meanDeltaT.map((d) => Math.round(d)).join(' / ')} (p = ${f.p})`).join('; '),
      figure:
        `R^2 ${r2}; C_p ${cs}` +
        (finiteDrawR2.length ? `; per-draw R^2 ${Math.min(...finiteDrawR2).toFixed(2)}..${Math.max(...finiteDrawR2).toFixed(2)}` : '') +
        (constantDraws ? `; a per-draw R^2 is undefined: constant Delta_t` : ''),
      data: {
        fits: fits.map((f) => ({ p: f.p, lambdas: f.lambdas, mean_delta_t: f.meanDeltaT, c: f.c, r2: f.r2, draw_r2: f.drawR2, never_grokked: f.neverGrokked })),
      },
      runIds: ctx.ids(got.keys),
      notes: [
        ...forkPointNotes(ctx, ctx.set.plan.forkPoints.map((f) => f.parentKey)),
        ...fits.filter((f) => f.neverGrokked).map((f) => `p = ${f.p}: ${f.neverGrokked} branch(es) never grokked within the cap (left out of the means)`),
        ...ctx.eventNotes(got.keys),
      ],
    };
  },
};
