/**
 * C07 norm-threshold: the total parameter norm at grokking is nearly constant across lambda (claims.md; paper
 * tau ~ 23.5, CV 0.13), over every grokked fork branch of fork97 and forks.
 */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { coefficientOfVariation } from '../../../stats/variation.js';
import type { Claim } from './claim.js';
import { branch, fork97Keys, forkBranches } from './forkBranches.js';

/** The band: the coefficient of variation of the norm at grokking at most this. */
export const MAX_CV = 0.2;

export const C07: Claim = {
  id: 'C07',
  name: 'norm-threshold',
  statement: 'total parameter norm at grokking is nearly constant across lambda',
  paper: 'tau ~ 23.5, CV 0.13',
  band: `CV <= ${MAX_CV} over every grokked fork branch (fork97 and forks)`,
  direction: 'the norm at grokking varies less (CV) than Delta_t over the same branches',
  experiments: ['fork97', 'forks'],
  evaluate(ctx) {
    const got = forkBranches(ctx);
    const keys97 = fork97Keys(ctx);
    const keys = [...keys97, ...got.keys];
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(keys));
    const unavailable = ctx.notEvaluableFor(keys97, keys);
    if (unavailable) return unavailable;
    const branches = [...keys97.map((k) => branch(ctx, k)), ...[...got.byPrime.values()].flat()].filter((b) => b.normAtGrok !== null);
    if (branches.length < 3) return notEvaluable(`only ${branches.length} fork branch(es) grokked`, ctx.ids(keys));
    const norms = branches.map((b) => b.normAtGrok!);
    const deltas = branches.map((b) => b.deltaT);
    const cv = coefficientOfVariation(norms);
    const cvDelta = coefficientOfVariation(deltas);
    const tau = norms.reduce((a, b) => a + b, 0) / norms.length;
    const primes = [...new Set(branches.map((b) => b.p))].sort((a, b) => a - b);
    const perPrime = primes.map((p) => {
      const ns = branches.filter((b) => b.p === p).map((b) => b.normAtGrok!);
      return { p, n: ns.length, tau: ns.reduce((a, b) => a + b, 0) / ns.length, cv: ns.length >= 2 ? coefficientOfVariation(ns) : null };
    });
    return {
      verdict: verdict({ reproduced: cv <= MAX_CV, direction: cv < cvDelta }),
      reason: `CV of the norm at grokking ${cv.toFixed(3)} over ${norms.length} grokked branches (CV of Delta_t ${cvDelta.toFixed(3)})`,
      figure: `tau ~ ${tau.toFixed(1)}, CV ${cv.toFixed(2)} (per prime: ${perPrime.map((x) => `p${x.p} ${x.tau.toFixed(1)}/${x.cv === null ? 'n/a' : x.cv.toFixed(2)}`).join(', ')})`,
      data: {
        tau,
        cv,
        cv_delta_t: cvDelta,
        per_prime: perPrime,
        branches: branches.map((b) => ({ run: b.key, lambda: b.lambda, norm: b.normAtGrok, delta_t: b.deltaT })),
      },
      runIds: ctx.ids(keys),
      notes: ctx.eventNotes(keys),
    };
  },
};
