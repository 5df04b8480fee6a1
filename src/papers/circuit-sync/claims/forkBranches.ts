/**
 * What C05-C07 share: the weight-decay law on forks (claims.md "fork97", "forks"). Delta_t = grokking step -
 * fork step of a branch (metrics.md "Statistics"); a branch that never groks within its cap has Delta_t > cap,
 * treated as +infinity in order comparisons and left out of means and fits (and said so).
 */
import { analyseInverseLambda } from '../../../stats/inverseLambda.js';
import { withoutStop } from '../../../train/extend.js';
import type { ClaimContext } from '../claimContext.js';
import { roleKey, type RunRole } from '../roles.js';

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
  /**
   * The branch's trajectory: its config without the stop rule (train/extend.ts). Two experiments' branches with
   * the same one (fork97 and forks both fork p97 s42 at the same step with the same lambda) are one trajectory,
   * read to two stops: a claim that pools branches counts it once.
   */
  trajectory: string;
}

/** `branches` with each trajectory once (the first branch of it kept), and how many were dropped. */
export function distinctTrajectories(branches: readonly Branch[]): { branches: Branch[]; repeats: Branch[] } {
  const seen = new Set<string>();
  const kept: Branch[] = [], repeats: Branch[] = [];
  for (const b of branches) {
    (seen.has(b.trajectory) ? repeats : kept).push(b);
    seen.add(b.trajectory);
  }
  return { branches: kept, repeats };
}

export function branch(ctx: ClaimContext, key: string): Branch {
  const run = ctx.run(key);
  const role = run.role as Extract<RunRole, { experiment: 'fork97' | 'forks' | 'forks-paper' }>;
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
    trajectory: withoutStop(run.config),
  };
}

export function forkPointNotes(ctx: ClaimContext, parentKeys: string[]): string[] {
  return ctx.set.plan.forkPoints
    .filter((f) => parentKeys.includes(f.parentKey) && f.source !== 'sync')
    .map((f) => `${f.parentKey} forked at step ${f.step} (${f.source}${f.note ? `: ${f.note}` : ''})`);
}

export const fmtDelta = (d: number) => (Number.isFinite(d) ? String(Math.round(d)) : 'never');

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

/**
 * Every branch of the forks experiment by prime, or why one cannot be read: the canonical set (`forks`, forked
 * by the profile's rule) or the same draws forked at the paper's steps (`forks-paper`).
 */
export function forkBranches(
  ctx: ClaimContext,
  experiment: 'forks' | 'forks-paper' = 'forks',
): { keys: string[]; byPrime: Map<number, Branch[]> } | { problem: string; keys: string[] } {
  const f = ctx.profile.forks;
  const keys: string[] = [];
  for (const cell of f.cells)
    for (const lambda of f.lambdas)
      cell.draws.forEach((d, draw) =>
        keys.push(roleKey({ experiment, p: cell.p, lambda, draw, parentSeed: d.parentSeed, ...(d.batchSeed === undefined ? {} : { batchSeed: d.batchSeed }) })),
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

/** The keys of the fork97 branches (one per lambda). */
export function fork97Keys(ctx: ClaimContext): string[] {
  const f = ctx.profile.fork97;
  return f.lambdas.map((lambda) => roleKey({ experiment: 'fork97', p: f.p, seed: f.seed, lambda }));
}
