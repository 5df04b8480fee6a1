/**
 * The runs a claim evaluation reads: every planned run of a profile with its state and records, looked up by
 * role key (roles.ts). Built from any RunSource (the live run store, or committed records for
 * `verify --records-only`). Nothing partial is aggregated: claims use only runs whose state is `complete`.
 */
import type { RunConfig } from '../schema/runConfig.js';
import type { CheckpointRecord } from '../schema/record.js';
import type { AblationResult } from './ablation.js';
import { plan, type ForkPointRule, type Plan, type PlanOptions, type RunLookupResult } from './plan.js';
import type { ProfileSpec } from './profiles.js';
import type { RunRole } from './roles.js';

/** A run as a source knows it. */
export interface SourcedRun {
  status: 'complete' | 'failed' | 'incomplete';
  records: CheckpointRecord[];
  message?: string;
  wall_s?: number;
  engine?: string;
  ablation?: AblationResult;
}

export interface RunSource {
  get(id: string, config: RunConfig): SourcedRun | undefined;
}

export type RunState = 'complete' | 'failed' | 'incomplete' | 'missing';

export interface RunData {
  key: string;
  role: RunRole;
  id: string;
  config: RunConfig;
  state: RunState;
  records: CheckpointRecord[];
  message?: string;
  wall_s?: number;
  engine?: string;
}

export interface RunSet {
  profile: ProfileSpec;
  plan: Plan;
  /** Every planned run, by role key. */
  runs: Map<string, RunData>;
  /** C14's stored measurement, when present. */
  ablation?: AblationResult;
}

export function lookupFrom(source: RunSource): (id: string, config: RunConfig) => RunLookupResult | undefined {
  return (id, config) => {
    const run = source.get(id, config);
    return run ? { status: run.status, records: run.records, message: run.message } : undefined;
  };
}

/** Plans the profile against `source` and attaches each planned run's state and records. */
export function assembleRunSet(profile: ProfileSpec, source: RunSource, idOf: (c: RunConfig) => string, forkPoint: ForkPointRule, options: PlanOptions = {}): RunSet {
  const thePlan = plan(profile, lookupFrom(source), idOf, forkPoint, options);
  const runs = new Map<string, RunData>();
  let ablation: AblationResult | undefined;
  for (const planned of thePlan.runs) {
    const got = source.get(planned.id, planned.config);
    runs.set(planned.key, {
      key: planned.key,
      role: planned.role,
      id: planned.id,
      config: planned.config,
      state: got ? got.status : 'missing',
      records: got?.records ?? [],
      ...(got?.message === undefined ? {} : { message: got.message }),
      ...(got?.wall_s === undefined ? {} : { wall_s: got.wall_s }),
      ...(got?.engine === undefined ? {} : { engine: got.engine }),
    });
    if (got?.ablation && planned.role.experiment === 'main' && planned.role.p === profile.reference.p && planned.role.seed === profile.reference.seed)
      ablation = got.ablation;
  }
  return { profile, plan: thePlan, runs, ...(ablation ? { ablation } : {}) };
}

/** Why a role's run cannot be used (null when it is complete). */
export function unusableReason(set: RunSet, key: string): string | null {
  const run = set.runs.get(key);
  if (run) {
    if (run.state === 'complete') return null;
    if (run.state === 'missing') return `${key}: not trained`;
    if (run.state === 'failed') return `${key}: failed${run.message ? ` (${run.message})` : ''}`;
    return `${key}: cut short (training incomplete)`;
  }
  const waiting = set.plan.waiting.find((w) => w.key === key);
  if (waiting) return `${key}: ${waiting.reason} (${waiting.parentKey})`;
  return `${key}: not planned`;
}
