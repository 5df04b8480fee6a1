/**
 * C05-C07: the weight-decay law on forks (claims.md "fork97", "forks"). Delta_t = grokking step - fork
 * step of a branch (metrics.md "Statistics"); a branch that never groks within its cap has Delta_t > cap,
 * treated as +infinity in order comparisons and left out of means and fits (and said so).
 */
import { analyseInverseLambda } from '../../stats/inverseLambda.js';
import { coefficientOfVariation } from '../../stats/variation.js';
import { notEvaluable, signed, type ClaimOutcome } from '../claimTypes.js';
import type { ClaimContext } from '../claimContext.js';
import { mainKey, roleKey, type RunRole } from '../roles.js';

export interface Branch {
  key: string;
  p: number;
  lambda: number;
  forkStep: number;
  grok: number | null;
  /** grok - forkStep, +Infinity when the branch never grokked. */
  deltaT: number;
  destabilised: boolean;
  /** Total parameter norm at the grokking checkpoint. */
  normAtGrok: number | null;
}

function branch(ctx: ClaimContext, key: string): Branch {
  const run = ctx.run(key);
  const role = run.role as Extract<RunRole, { experiment: 'fork97' | 'forks' }>;
  const forkStep = run.config.fork?.step ?? 0;
  const ev = ctx.events(key);
  const normAtGrok = ev.grok === null ? null : (run.records.find((r) => r.step === ev.grok)?.norm ?? null);
  return {
    key,
    p: role.p,
    lambda: role.lambda,
    forkStep,
    grok: ev.grok,
    deltaT: ev.grok === null ? Infinity : ev.grok - forkStep,
    destabilised: ev.destabilised !== null || ev.diverged,
    normAtGrok,
  };
}

function forkPointNotes(ctx: ClaimContext, parentKeys: string[]): string[] {
  return ctx.set.plan.forkPoints
    .filter((f) => parentKeys.includes(f.parentKey) && f.source !== 'sync')
    .map((f) => `${f.parentKey} forked at step ${f.step} (${f.source}${f.note ? `: ${f.note}` : ''})`);
}

const fmtDelta = (d: number) => (Number.isFinite(d) ? String(Math.round(d)) : 'never');

/** C05: strictly decreasing Delta_t over lambda <= 3; also reports lambda = 10 and the destabilised branches. */
export function evaluateC05(ctx: ClaimContext): ClaimOutcome {
  const f = ctx.profile.fork97;
  const keys = f.lambdas.map((lambda) => roleKey({ experiment: 'fork97', p: f.p, seed: f.seed, lambda }));
  const unusable = ctx.unusable(keys);
  if (unusable.length) return notEvaluable(unusable.join('; '), ctx.ids(keys));
  const branches = keys.map((k) => branch(ctx, k)).sort((a, b) => a.lambda - b.lambda);
  const low = branches.filter((b) => b.lambda <= 3);
  if (low.length < 2) return notEvaluable('fewer than two branches with lambda <= 3 in the profile');
  let strict = true;
  for (let i = 1; i < low.length; i++) if (!(low[i].deltaT < low[i - 1].deltaT)) strict = false;
  const allGrok = low.every((b) => b.grok !== null);
  const first = low[0], last = low[low.length - 1];
  const direction = last.deltaT < first.deltaT;
  const verdict = strict && allGrok ? 'reproduced' : direction ? 'direction only' : 'not reproduced';
  const high = branches.filter((b) => b.lambda > 3);
  const series = branches.map((b) => `${b.lambda}: ${fmtDelta(b.deltaT)}${b.destabilised ? ' (destabilised)' : ''}`).join(', ');
  return {
    verdict,
    reason: `Delta_t over lambda <= 3 is ${strict ? '' : 'not '}strictly decreasing${allGrok ? '' : ' (some branches never grokked)'}`,
    figure: `Delta_t by lambda: ${series}`,
    data: {
      fork_step: first.forkStep,
      branches: branches.map((b) => ({ lambda: b.lambda, grok: b.grok, delta_t: Number.isFinite(b.deltaT) ? b.deltaT : null, destabilised: b.destabilised })),
      high_lambda: high.map((b) => ({ lambda: b.lambda, grokked: b.grok !== null, destabilised: b.destabilised })),
    },
    runIds: ctx.ids(keys),
    notes: [...forkPointNotes(ctx, [mainKey(f.p, f.seed)]), ...ctx.eventNotes(keys)],
  };
}

export interface PrimeFit {
  p: number;
  lambdas: number[];
  /** Seed-averaged Delta_t per lambda (grokked draws only). */
  meanDeltaT: number[];
  c: number;
  r2: number;
  /** Per-draw fits' R^2 range (draws with >= 2 grokked lambdas). */
  drawR2: [number, number] | null;
  neverGrokked: number;
}

function forkBranches(ctx: ClaimContext): { keys: string[]; byPrime: Map<number, Branch[]> } | { problem: string; keys: string[] } {
  const f = ctx.profile.forks;
  const keys: string[] = [];
  for (const cell of f.cells)
    for (const lambda of f.lambdas)
      cell.draws.forEach((d, draw) =>
        keys.push(roleKey({ experiment: 'forks', p: cell.p, lambda, draw, parentSeed: d.parentSeed, ...(d.batchSeed === undefined ? {} : { batchSeed: d.batchSeed }) })),
      );
  const unusable = ctx.unusable(keys);
  if (unusable.length) return { problem: unusable.join('; '), keys };
  const byPrime = new Map<number, Branch[]>();
  for (const k of keys) {
    const b = branch(ctx, k);
    byPrime.set(b.p, [...(byPrime.get(b.p) ?? []), b]);
  }
  return { keys, byPrime };
}

export function primeFit(p: number, branches: Branch[]): PrimeFit | null {
  const grokked = branches.filter((b) => Number.isFinite(b.deltaT));
  if (new Set(grokked.map((b) => b.lambda)).size < 3) return null;
  // A draw is a branch's key without its lambda (forks/p53/l2/d0 -> forks/p53/d0).
  const analysis = analyseInverseLambda(grokked.map((b) => ({ lambda: b.lambda, draw: b.key.replace(/\/l[^/]+\//, '/'), deltaT: b.deltaT })));
  return {
    p,
    lambdas: analysis.means.map((m) => m.lambda),
    meanDeltaT: analysis.means.map((m) => m.deltaT),
    c: analysis.averaged.c,
    r2: analysis.averaged.rSquared,
    drawR2: analysis.rSquaredRange,
    neverGrokked: branches.length - grokked.length,
  };
}

/** C06: Delta_t = C_p / lambda with R^2 >= 0.89 for every prime. Direction: seed-mean Delta_t strictly falls with lambda for every prime. */
export function evaluateC06(ctx: ClaimContext): ClaimOutcome {
  const got = forkBranches(ctx);
  if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
  const fits: PrimeFit[] = [];
  for (const [p, bs] of [...got.byPrime.entries()].sort((a, b) => a[0] - b[0])) {
    const fit = primeFit(p, bs);
    if (!fit) return notEvaluable(`p = ${p}: fewer than 3 lambdas with a grokked draw`, ctx.ids(got.keys));
    fits.push(fit);
  }
  const inBand = fits.every((f) => f.r2 >= 0.89);
  const falling = fits.every((f) => f.meanDeltaT.every((d, i) => i === 0 || d < f.meanDeltaT[i - 1]));
  const verdict = inBand ? 'reproduced' : falling ? 'direction only' : 'not reproduced';
  const r2 = fits.map((f) => f.r2.toFixed(2)).join(' / ');
  const cs = fits.map((f) => Math.round(f.c)).join(' / ');
  const drawR2 = fits.flatMap((f) => (f.drawR2 ? f.drawR2 : []));
  return {
    verdict,
    reason:
      `R^2 ${r2} for p = ${fits.map((f) => f.p).join(' / ')}${inBand ? '' : ' (band: >= 0.89 each)'}; seed-mean Delta_t over lambda ` +
      fits.map((f) => `${f.lambdas.join('/')}: ${f.meanDeltaT.map((d) => Math.round(d)).join(' / ')} (p = ${f.p})`).join('; '),
    figure: `R^2 ${r2}; C_p ${cs}${drawR2.length ? `; per-draw R^2 ${Math.min(...drawR2).toFixed(2)}..${Math.max(...drawR2).toFixed(2)}` : ''}`,
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
}

/** C07: CV of the norm at grokking across all grokked fork branches (fork97 and forks) <= 0.2. */
export function evaluateC07(ctx: ClaimContext): ClaimOutcome {
  const got = forkBranches(ctx);
  const f97 = ctx.profile.fork97;
  const keys97 = f97.lambdas.map((lambda) => roleKey({ experiment: 'fork97', p: f97.p, seed: f97.seed, lambda }));
  const keys = [...keys97, ...got.keys];
  if ('problem' in got) return notEvaluable(got.problem, ctx.ids(keys));
  const unusable = ctx.unusable(keys97);
  if (unusable.length) return notEvaluable(unusable.join('; '), ctx.ids(keys));
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
  const verdict = cv <= 0.2 ? 'reproduced' : cv < cvDelta ? 'direction only' : 'not reproduced';
  return {
    verdict,
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
}

