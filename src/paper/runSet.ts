/**
 * A paper's runs as the core sees them: the plan of a profile (which runs its experiments need, which wait on a
 * parent, where forks start), and the runs with their state and records, looked up by role key. Built from any
 * RunSource (the live run store, or committed records for `verify --records-only`). Nothing partial is ever
 * aggregated: claims read only runs whose state is `complete` (design.md "Runs").
 */
import type { CoreRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import type { TrainingSession } from '../runs/codeVersion.js';

/** A run's role in a paper's experiment table; the paper narrows it (e.g. `{ experiment: 'main', p, seed }`). */
export interface RoleBase {
  experiment: string;
}

export interface PlannedRun<R extends RoleBase = RoleBase> {
  /** A stable, human-readable name of the role, e.g. `main/p97/s42`. */
  key: string;
  role: R;
  id: string;
  config: RunConfig;
}

export interface WaitingRun<R extends RoleBase = RoleBase> {
  key: string;
  role: R;
  /** Key of the parent run it waits on. */
  parentKey: string;
  reason: string;
  /** True when the parent failed, so this run can never be planned. */
  blocked: boolean;
}

/** Where a parent is forked, and why there (the report states fallbacks). */
export interface ForkPoint {
  step: number;
  /** The paper's name of the rule that chose the step (e.g. `sync`, `paper`, `fallback`). */
  source: string;
  note?: string;
}

export interface ForkPointEntry extends ForkPoint {
  parentKey: string;
  parentId: string;
}

export interface Plan<R extends RoleBase = RoleBase> {
  /** Every run whose config is determined now (complete or not), deduplicated by key, in report order. */
  runs: PlannedRun<R>[];
  waiting: WaitingRun<R>[];
  forkPoints: ForkPointEntry[];
}

/** What a planner needs to know about a run in the store. */
export interface RunLookupResult<Rec extends CoreRecord = CoreRecord> {
  status: 'complete' | 'failed' | 'incomplete';
  /** In the paper's record layout (its CheckpointMeasures.record), as every source reads them. */
  records: Rec[];
  message?: string;
}
export type RunLookup<Rec extends CoreRecord = CoreRecord> = (id: string, config: RunConfig) => RunLookupResult<Rec> | undefined;

/** A run as a source knows it. */
export interface SourcedRun<Rec extends CoreRecord = CoreRecord> extends RunLookupResult<Rec> {
  wall_s?: number;
  engine?: string;
  /** The training calls that produced the run (runs/codeVersion.ts); absent for runs trained before they were kept. */
  trained_by?: TrainingSession[];
  /** Measurements stored beside the run (the paper's `measurements`, by name). */
  measurements?: Record<string, unknown>;
}

export interface RunSource<Rec extends CoreRecord = CoreRecord> {
  get(id: string, config: RunConfig): SourcedRun<Rec> | undefined;
}

export type RunState = 'complete' | 'failed' | 'incomplete' | 'missing';

export interface RunData<R extends RoleBase = RoleBase, Rec extends CoreRecord = CoreRecord> {
  key: string;
  role: R;
  id: string;
  config: RunConfig;
  state: RunState;
  records: Rec[];
  message?: string;
  wall_s?: number;
  engine?: string;
  trained_by?: TrainingSession[];
  measurements: Record<string, unknown>;
}

/** The profile part a run set needs: its name and its coarse grid. */
export interface ProfileInfo {
  readonly name: string;
  readonly coarseStep: number;
}

export interface RunSet<R extends RoleBase = RoleBase, P extends ProfileInfo = ProfileInfo, Rec extends CoreRecord = CoreRecord> {
  profile: P;
  plan: Plan<R>;
  /** Every planned run, by role key. */
  runs: Map<string, RunData<R, Rec>>;
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
