/**
 * Staged planning of a profile's runs (shared/spec/claims.md "Experiments"). Forks need their parent's sync
 * step, known only once the parent has trained, so `plan` returns the runs whose configs are determined now
 * and the ones still waiting on a parent; `verify` loops plan -> train -> plan until nothing new appears.
 * Pure: the run store is seen through `lookup`, and the fork point through `forkPoint`.
 */
import type { ForkPoint, ForkPointEntry, Plan as CorePlan, PlannedRun as CorePlannedRun, RunLookup, WaitingRun as CoreWaitingRun } from '../../paper/runSet.js';
import type { CircuitSyncRecord } from './record.js';
import { runIdOf, type RunConfig, type StopRule } from '../../schema/runConfig.js';
import { forkRunConfig } from '../../train/fork.js';
import { archRunConfig, mainRunConfig, opsRunConfig, s5RunConfig, scheduleRunConfig, type ProfileSpec } from './profiles.js';
import { mainKey, roleKey, type ExperimentId, type RunRole } from './roles.js';

export type PlannedRun = CorePlannedRun<RunRole>;
export type WaitingRun = CoreWaitingRun<RunRole>;
export type Plan = CorePlan<RunRole>;

/** Decides the fork step of a completed parent (forkPoint.ts holds the claims.md rule). */
export type ForkPointRule = (profile: ProfileSpec, parent: RunConfig, records: CircuitSyncRecord[]) => ForkPoint;

export interface PlanOptions {
  /** Plan only these experiments (and the parents they fork from); default all. */
  experiments?: readonly ExperimentId[];
}

/** Roles of every run of `profile` that needs no parent, in report order, with their configs. */
function baseRuns(profile: ProfileSpec, wanted: (e: ExperimentId) => boolean): { role: RunRole; config: RunConfig }[] {
  const out: { role: RunRole; config: RunConfig }[] = [];
  // Parents of forks and the ablation are main runs, trained even when the main experiment is not asked for.
  const parents: { p: number; seed: number }[] = [];
  if (wanted('fork97')) parents.push({ p: profile.fork97.p, seed: profile.fork97.seed });
  if (wanted('forks') || (wanted('forks-paper') && profile.forksAtPaperSteps))
    for (const cell of profile.forks.cells) for (const d of cell.draws) parents.push({ p: cell.p, seed: d.parentSeed });
  if (wanted('ablate')) parents.push({ ...profile.reference });
  const mains = wanted('main') ? profile.main.runs.map((r) => ({ ...r })) : [];
  for (const parent of parents) if (!mains.some((r) => r.p === parent.p && r.seed === parent.seed)) mains.push(parent);
  for (const { p, seed } of mains) out.push({ role: { experiment: 'main', p, seed }, config: mainRunConfig(profile, p, seed) });
  if (wanted('replicates') && profile.replicates)
    for (const p of profile.replicates.primes)
      for (const seed of profile.replicates.seeds) out.push({ role: { experiment: 'replicates', p, seed }, config: mainRunConfig(profile, p, seed) });
  if (wanted('ops'))
    for (const r of profile.ops.runs) out.push({ role: { experiment: 'ops', ...r }, config: opsRunConfig(profile, r.op, r.p, r.seed) });
  if (wanted('arch'))
    for (const arch of profile.arch.variants)
      out.push({ role: { experiment: 'arch', p: profile.arch.p, seed: profile.arch.seed, arch }, config: archRunConfig(profile, arch) });
  if (wanted('schedule')) {
    const s = profile.schedule;
    for (const seed of s.seeds) {
      out.push({ role: { experiment: 'schedule', p: s.p, seed, lambdaHigh: null, trigger: null }, config: scheduleRunConfig(profile, seed, null, null) });
      for (const trigger of s.triggers)
        for (const lambdaHigh of s.lambdaHighs)
          out.push({ role: { experiment: 'schedule', p: s.p, seed, lambdaHigh, trigger }, config: scheduleRunConfig(profile, seed, lambdaHigh, trigger) });
    }
  }
  if (wanted('s5'))
    for (const seed of profile.s5.seeds) out.push({ role: { experiment: 's5', n: profile.s5.n, seed }, config: s5RunConfig(profile, seed) });
  return out;
}

/** The fork roles of the profile: each names its parent main run, its lambda, batch seed and stop rule. */
interface ForkSpec {
  role: RunRole;
  /** Where the branch forks: the profile's rule, or the paper's step for the prime (`forks-paper`). */
  forkAt: ProfileSpec['forkAt'];
  parent: { p: number; seed: number };
  lambda: number;
  batchSeed?: number;
  stop: (forkStep: number) => StopRule;
}

function forkSpecs(profile: ProfileSpec, wanted: (e: ExperimentId) => boolean): ForkSpec[] {
  const out: ForkSpec[] = [];
  if (wanted('fork97')) {
    const f = profile.fork97;
    for (const lambda of f.lambdas)
      out.push({
        role: { experiment: 'fork97', p: f.p, seed: f.seed, lambda },
        forkAt: profile.forkAt,
        parent: { p: f.p, seed: f.seed },
        lambda,
        // claims.md: "to step 8000" (an absolute step; no early stop, so destabilisation after grokking shows).
        stop: () => ({ max_steps: f.maxStep }),
      });
  }
  const forkSets: { experiment: 'forks' | 'forks-paper'; forkAt: ProfileSpec['forkAt'] }[] = [];
  if (wanted('forks')) forkSets.push({ experiment: 'forks', forkAt: profile.forkAt });
  if (wanted('forks-paper') && profile.forksAtPaperSteps && profile.forkAt !== 'paper') forkSets.push({ experiment: 'forks-paper', forkAt: 'paper' });
  for (const { experiment, forkAt } of forkSets) {
    const f = profile.forks;
    for (const cell of f.cells)
      for (const lambda of f.lambdas)
        cell.draws.forEach((d, draw) =>
          out.push({
            role: { experiment, p: cell.p, lambda, draw, parentSeed: d.parentSeed, ...(d.batchSeed === undefined ? {} : { batchSeed: d.batchSeed }) },
            forkAt,
            parent: { p: cell.p, seed: d.parentSeed },
            lambda,
            batchSeed: d.batchSeed,
            // claims.md: "grok + 500, cap fork + 8000".
            stop: (forkStep) => ({ max_steps: forkStep + f.capAfterFork, after_grok: f.afterGrok }),
          }),
        );
  }
  return out;
}

export function plan(profile: ProfileSpec, lookup: RunLookup<CircuitSyncRecord>, forkPoint: ForkPointRule, options: PlanOptions = {}): Plan {
  const wanted = (e: ExperimentId) => !options.experiments || options.experiments.includes(e);
  const runs: PlannedRun[] = [];
  const seen = new Set<string>();
  const add = (role: RunRole, config: RunConfig) => {
    const key = roleKey(role);
    if (seen.has(key)) return;
    seen.add(key);
    runs.push({ key, role, id: runIdOf(config), config });
  };
  for (const { role, config } of baseRuns(profile, wanted)) add(role, config);

  const waiting: WaitingRun[] = [];
  const forkPoints: ForkPointEntry[] = [];
  const pointCache = new Map<string, ForkPointEntry | { waitReason: string; blocked: boolean }>();
  for (const spec of forkSpecs(profile, wanted)) {
    const parentKey = mainKey(spec.parent.p, spec.parent.seed);
    const cacheKey = `${parentKey}@${spec.forkAt}`;
    let point = pointCache.get(cacheKey);
    if (!point) {
      const parentConfig = mainRunConfig(profile, spec.parent.p, spec.parent.seed);
      const parentId = runIdOf(parentConfig);
      const state = lookup(parentId, parentConfig);
      if (!state || state.status === 'incomplete') point = { waitReason: 'parent not trained yet', blocked: false };
      else if (state.status === 'failed') point = { waitReason: `parent failed${state.message ? `: ${state.message}` : ''}`, blocked: true };
      else {
        const fp = forkPoint(spec.forkAt === profile.forkAt ? profile : { ...profile, forkAt: spec.forkAt }, parentConfig, state.records);
        point = { ...fp, parentKey, parentId };
        // The report lists each parent's fork point once per rule (the paper's steps are a second set).
        if (spec.forkAt === profile.forkAt) forkPoints.push(point);
      }
      pointCache.set(cacheKey, point);
    }
    if ('waitReason' in point) {
      waiting.push({ key: roleKey(spec.role), role: spec.role, parentKey, reason: point.waitReason, blocked: point.blocked });
      continue;
    }
    const parentConfig = mainRunConfig(profile, spec.parent.p, spec.parent.seed);
    add(spec.role, forkRunConfig(parentConfig, point.parentId, { step: point.step, weightDecay: spec.lambda, stop: spec.stop(point.step), batchSeed: spec.batchSeed }));
  }
  return { runs, waiting, forkPoints };
}
