/**
 * A whole synthetic profile for unit tests: every run of a profile gets a trajectory shaped like the paper's
 * findings (FSD leads grokking by `lead`, Delta_t = C/lambda on forks, ...), and a scenario can override any
 * run by role key. Built through the real planner, so fork configs carry the fork points the planner chose.
 */
import type { RunSource, SourcedRun } from '../../../paper/runSet.js';
import type { CircuitSyncRecord } from '../record.js';
import type { RunConfig } from '../../../schema/runConfig.js';
import { assembleRunSet, lookupFrom } from '../../../verify/runSet.js';
import { ABLATION, type AblationResult } from '../ablation.js';
import { forkPointOf } from '../forkPoint.js';
import { plan } from '../plan.js';
import type { ProfileSpec } from '../profiles.js';
import { roleKey, type RunRole } from '../roles.js';
import { circuitProfile, type CircuitProfile, type CircuitRunSet } from '../runSet.js';
import { syntheticRecords, type SyntheticTrajectory } from './synthetic.js';

export type Override = Partial<SyntheticTrajectory> | 'failed' | 'missing';

/** The paper-like default trajectory of a role (steps rounded to the 100-step grid). */
export function defaultTrajectory(role: RunRole, config: RunConfig): SyntheticTrajectory {
  const cap = config.stop.max_steps;
  const fork = config.fork?.step ?? 0;
  const stop = (grok: number | null) => (grok === null ? cap : Math.min(cap, grok + (config.stop.after_grok ?? cap)));
  const base = (grok: number, lead: number): SyntheticTrajectory => ({
    endStep: stop(grok),
    memStep: 200,
    syncStep: grok - lead,
    grokStep: grok,
    baselineSyncStep: grok + 200,
    rank1Step: grok - 500,
  });
  switch (role.experiment) {
    case 'main':
    case 'replicates':
      return base(3000 + 100 * (role.seed % 7) + 10 * (role.p % 10) * 10, 1500 + 100 * (role.seed % 5));
    case 'ops':
      return role.op === 'sub' ? base(4000, 1000) : { ...base(12000, -3000), syncStep: 15000, endStep: 13000 };
    case 'fork97':
    case 'forks':
    case 'forks-paper': {
      const c = role.experiment === 'fork97' ? 3000 : 6000 - 20 * role.p;
      const drawJitter = role.experiment !== 'fork97' ? 100 * (role.draw % 3) : 0;
      if (role.lambda >= 10) return { startStep: fork, endStep: cap, memStep: 200, syncStep: fork, grokStep: null };
      const grok = fork + Math.round(c / role.lambda / 100) * 100 + drawJitter;
      const t: SyntheticTrajectory = { startStep: fork, endStep: stop(grok), memStep: 200, syncStep: fork, grokStep: grok, normAtGrok: 23 + (role.lambda % 2) };
      if (role.experiment === 'fork97' && (role.lambda === 4 || role.lambda === 5)) return { ...t, endStep: cap, collapseFrom: grok + 500 };
      return t;
    }
    case 'arch':
      if (role.arch === '2l-mlp_only') return { endStep: cap, memStep: 100000, syncStep: null, grokStep: null };
      if (role.arch === '1l-standard') return base(4500, -1000);
      return base(6000, 3000);
    case 'schedule': {
      const g0 = 3000 + 100 * (role.seed % 7) + 700;
      const sync = g0 - 1500 - 100 * (role.seed % 5);
      if (role.trigger === null) return base(g0, g0 - sync);
      if (role.trigger === 'fsd') {
        const grok = Math.round((g0 * 0.6) / 100) * 100;
        const after = (s: number) => (s > sync ? role.lambdaHigh! : 1);
        return { ...base(grok, grok - sync), weightDecay: after, ...(role.lambdaHigh === 10 ? { collapseFrom: grok + 300, endStep: cap } : {}) };
      }
      const grok = Math.round((g0 * 0.7) / 100) * 100;
      const fireAt = role.trigger === 'mem' ? 200 : 500;
      const t = { ...base(grok, grok - sync), weightDecay: (s: number) => (s > fireAt ? role.lambdaHigh! : 1) };
      return role.lambdaHigh === 10 ? { ...t, collapseFrom: grok + 300, endStep: cap } : t;
    }
    case 's5':
      return { endStep: 6000, memStep: 300, syncStep: null, grokStep: 5000, fsdGenSyncStep: 5000 - 2400 };
  }
}

export interface SyntheticScenario {
  profile: ProfileSpec;
  overrides?: Record<string, Override>;
  /** Drops from paper-like default (pp per component) for the reference run's ablation; null: none stored. */
  ablationDrops?: Partial<Record<string, number>> | null;
}

/**
 * A RunSource of synthetic runs. Roles are recovered by planning the profile against the source itself
 * (parents first, then forks), so each config maps back to the role that the tests talk about.
 */
export function syntheticSource(scenario: SyntheticScenario): RunSource<CircuitSyncRecord> {
  const byId = new Map<string, SourcedRun<CircuitSyncRecord>>();
  const overrides = scenario.overrides ?? {};
  const source: RunSource<CircuitSyncRecord> = { get: (id) => byId.get(id) };
  for (let round = 0; round < 3; round++) {
    const thePlan = plan(scenario.profile, lookupFrom(source), forkPointOf);
    // One config may play two roles (main p53/s42 is also replicates p53/s42): an override of one is of both.
    const byRun = new Map(thePlan.runs.filter((r) => overrides[r.key] !== undefined).map((r) => [r.id, overrides[r.key]]));
    for (const run of thePlan.runs) {
      if (byId.has(run.id)) continue;
      const override = overrides[run.key] ?? byRun.get(run.id);
      if (override === 'missing') continue;
      if (override === 'failed') {
        byId.set(run.id, { status: 'failed', records: [], message: 'synthetic failure' });
        continue;
      }
      const trajectory = { ...defaultTrajectory(run.role, run.config), ...(override ?? {}) };
      const sourced: SourcedRun<CircuitSyncRecord> = { status: 'complete', records: syntheticRecords(trajectory), wall_s: 1, engine: 'synthetic' };
      const ref = scenario.profile.reference;
      if (run.key === roleKey({ experiment: 'main', p: ref.p, seed: ref.seed }) && scenario.ablationDrops !== null) {
        const drops = { 'block1.attn': 94.4, 'block0.attn': 89, 'block1.mlp': 88, 'block0.mlp': 11.8, ...(scenario.ablationDrops ?? {}) };
        const ablation: AblationResult = {
          run_id: run.id,
          step: trajectory.grokStep ?? 0,
          baseline_accuracy: 1,
          zeroed_accuracy: Object.fromEntries(Object.entries(drops).map(([k, v]) => [k, 1 - v! / 100])),
          engine: 'synthetic',
        };
        sourced.measurements = { [ABLATION]: ablation };
      }
      byId.set(run.id, sourced);
    }
  }
  return source;
}

export function syntheticRunSet(scenario: SyntheticScenario): CircuitRunSet {
  return assembleRunSet<RunRole, CircuitProfile, CircuitSyncRecord>(circuitProfile(scenario.profile), syntheticSource(scenario));
}
