/**
 * C07 norm-threshold: the total parameter norm at grokking is nearly constant across lambda (claims.md; paper
 * tau ~ 23.5, CV 0.13), over every grokked fork branch of fork97 and forks. A small CV does not show
 * constancy across lambda: the norm can fall steadily with lambda and still vary little. So the slope of the
 * norm against lambda is reported beside the CV with its bootstrap CI, and `norm.rule = no-trend` (metrics.md)
 * judges the band by it: the CI contains 0.
 */
import { linearRegression, sampleCorrelation } from 'simple-statistics';
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { bootstrapSlopeCi } from '../../../stats/bootstrap.js';
import { coefficientOfVariation } from '../../../stats/variation.js';
import type { Claim } from './claim.js';
import { branch, distinctTrajectories, fork97Keys, forkBranches } from './forkBranches.js';

/** The band: the coefficient of variation of the norm at grokking at most this. */
export const MAX_CV = 0.2;

export const C07: Claim = {
  id: 'C07',
  name: 'norm-threshold',
  statement: 'total parameter norm at grokking is nearly constant across lambda',
  paper: 'tau ~ 23.5, CV 0.13',
  band: `CV <= ${MAX_CV} over every grokked fork branch (fork97 and forks); under norm.rule=no-trend: the 95% CI of the slope of the norm against lambda contains 0`,
  direction: 'the norm at grokking varies less (CV) than Delta_t over the same branches',
  experiments: ['fork97', 'forks'],
  evaluate(ctx) {
    const got = forkBranches(ctx);
    const keys97 = fork97Keys(ctx);
    const keys = [...keys97, ...got.keys];
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(keys));
    const unavailable = ctx.notEvaluableFor(keys97, keys);
    if (unavailable) return unavailable;
    // fork97's branches and the forks' p97 s42 branches at the same lambdas are the same trajectories (one parent,
    // one fork step): each is counted once (issue 27: they were counted twice).
    const { branches: distinct, repeats } = distinctTrajectories([...keys97.map((k) => branch(ctx, k)), ...[...got.byPrime.values()].flat()]);
    const branches = distinct.filter((b) => b.normAtGrok !== null);
    if (branches.length < 3) return notEvaluable(`only ${branches.length} fork branch(es) grokked`, ctx.ids(keys));
    const norms = branches.map((b) => b.normAtGrok!);
    const deltas = branches.map((b) => b.deltaT);
    const cv = coefficientOfVariation(norms);
    const cvDelta = coefficientOfVariation(deltas);
    const tau = norms.reduce((a, b) => a + b, 0) / norms.length;
    const primes = [...new Set(branches.map((b) => b.p))].sort((a, b) => a - b);
    const perPrime = primes.map((p) => {
      const mine = branches.filter((b) => b.p === p);
      const ns = mine.map((b) => b.normAtGrok!);
      const slope = new Set(mine.map((b) => b.lambda)).size >= 2 ? linearRegression(mine.map((b) => [b.lambda, b.normAtGrok!])).m : null;
      return { p, n: ns.length, tau: ns.reduce((a, b) => a + b, 0) / ns.length, cv: ns.length >= 2 ? coefficientOfVariation(ns) : null, slope };
    });
    const lambdas = branches.map((b) => b.lambda);
    const trend = new Set(lambdas).size >= 2 ? bootstrapSlopeCi(lambdas, norms) : null;
    const correlation = trend ? sampleCorrelation(lambdas, norms) : null;
    const noTrend = trend !== null && trend.lower <= 0 && trend.upper >= 0;
    const slopeText = trend
      ? `slope ${trend.estimate.toFixed(2)} per unit lambda [${trend.lower.toFixed(2)}, ${trend.upper.toFixed(2)}], r = ${correlation!.toFixed(2)}`
      : 'slope undefined (one lambda)';
    const byCv = ctx.options.normRule === 'cv<=0.2';
    const passes = byCv ? cv <= MAX_CV : noTrend;
    return {
      verdict: verdict({ reproduced: passes, direction: cv < cvDelta }),
      reason:
        `CV of the norm at grokking ${cv.toFixed(3)} over ${norms.length} grokked branches, each trajectory once (CV of Delta_t ${cvDelta.toFixed(3)}); ${slopeText}` +
        (byCv ? '' : `: the CI ${noTrend ? 'contains' : 'excludes'} 0 (norm.rule=no-trend)`),
      figure: `tau ~ ${tau.toFixed(1)}, CV ${cv.toFixed(2)}, ${slopeText} (per prime: ${perPrime.map((x) => `p${x.p} ${x.tau.toFixed(1)}/${x.cv === null ? 'n/a' : x.cv.toFixed(2)}`).join(', ')})`,
      caveat: trend && !noTrend ? `the norm at grokking trends with lambda (slope CI excludes 0), so a small CV does not make it constant across lambda` : undefined,
      data: {
        tau,
        cv,
        cv_delta_t: cvDelta,
        slope: trend ? { estimate: trend.estimate, ci: [trend.lower, trend.upper], degenerate_resamples: trend.degenerate } : null,
        correlation,
        no_trend: noTrend,
        per_prime: perPrime,
        branches: branches.map((b) => ({ run: b.key, lambda: b.lambda, norm: b.normAtGrok, delta_t: b.deltaT })),
      },
      runIds: ctx.ids(keys),
      notes: [
        ...(repeats.length ? [`${repeats.length} branch(es) of forks are the trajectory of a fork97 branch (same parent, fork step and lambda) and are counted once: ${repeats.map((b) => b.key).join(', ')}`] : []),
        ...ctx.eventNotes(keys),
      ],
    };
  },
};
