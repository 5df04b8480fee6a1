/**
 * `verify --plan`: the runs a profile needs, which the store already holds, and how long the rest should take
 * (costModel.ts), per experiment, without training anything.
 */
import type { CheckpointMeasures } from '../train/measures.js';
import type { EngineKind, EngineOptions } from '../engine/engine.js';
import type { Profile } from '../paper/paper.js';
import type { PlannedRun, RoleBase, RunSet } from '../paper/runSet.js';
import type { CoreRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import { costOf, expectedLength, grokHistoryKey, median, noteGrok, SecondsCalibration, shapeKey, type ExpectedLength, type GrokHistory } from './costModel.js';

/** The profile's committed records by run id (fixtures/records/<profile>), where the estimates find stops known elsewhere. */
export type CommittedRuns = ReadonlyMap<string, { config: RunConfig; records: readonly CoreRecord[] }>;

/** Grokking steps of the completed runs of the store, and of the committed runs the store has not completed. */
export function grokHistoryOf(set: RunSet<RoleBase, Profile>, committed: CommittedRuns = new Map()): GrokHistory {
  const history: GrokHistory = new Map();
  const completed = new Set<string>();
  for (const run of set.runs.values())
    if (run.state === 'complete' && !completed.has(run.id)) {
      completed.add(run.id);
      noteGrok(history, run.config, run.records);
    }
  for (const [id, run] of committed) if (!completed.has(id)) noteGrok(history, run.config, run.records);
  return history;
}

export interface PlanRow {
  key: string;
  /** null for a fork still waiting on its parent (its id depends on the fork step). */
  id: string | null;
  experiment: string;
  /** complete, incomplete (started), missing (not started), failed, or waiting (on a parent). */
  state: string;
  /** Training still to do, in seconds (0 when complete). */
  estimated_s: number;
  /** The expected stop step and how it was found (costModel.ts). */
  expected_stop: number | null;
  basis: ExpectedLength['basis'] | 'parent';
}

/** The profile's committed runs by experiment key: a fork still waiting on its parent is priced from its own committed run. */
export type CommittedByKey = ReadonlyMap<string, { config: RunConfig; records: readonly CoreRecord[] }>;

export interface PlanReport {
  runs: PlanRow[];
  total_estimated_s: number;
  /** How the estimate is made, in words. */
  method: string;
}

export const ESTIMATE_METHOD =
  'remaining training steps x the measured cost of one step of the run\'s shape, plus its remaining checkpoints x the ' +
  'measured cost of one checkpoint (the paper\'s dearer checkpoints on top, e.g. a permutation null every 500 steps), each shape timed once on this machine ' +
  '(a few steps and one checkpoint from initialisation); the run\'s length is its expected stop: the cap, or its ' +
  'grokking step + N once it has grokked, else its grokking step in the profile\'s committed records + N (the same ' +
  'run id; where it never grokked there, the step those records end at), else the median steps to grokking of the completed runs of the same task and modulus, runs from initialisation and forks apart (in the store or the ' +
  'committed records; for a perturbed re-run, the unperturbed profile\'s committed records too) + N, else half the cap + N. A fork still waiting on its parent (its fork step, so its id, not known yet) trains as many steps as the committed run of the same experiment key did from its fork step, else the median steps to grokking of completed forks of its task and modulus + N, else as its parent. On the ' +
  'webgpu engine a shape is timed in a lockstep group of as many runs of that shape as the plan trains (at most the ' +
  'group size), each charged its share; runs that wait for their parents train in smaller groups than that.';

export interface PlanOptions {
  engine: EngineKind;
  /** The paper's checkpoint measures (Paper.checkpoint): what a checkpoint costs. */
  measures: CheckpointMeasures;
  engineOptions?: EngineOptions;
  /** Only these runs (a shard). */
  include?: (run: PlannedRun<RoleBase>) => boolean;
  committed?: CommittedRuns;
  /** `grokHistoryOf(set, committed)`, passed in by a caller that also needs it (the progress display). */
  history?: GrokHistory;
  /** The webgpu engine's lockstep group size (verify --group-size): runs of one shape are priced as a group. */
  groupSize?: number;
  committedByKey?: CommittedByKey;
}

/**
 * How far a fork that waits on its parent will train (its id, and so its own records, are not known yet): as far
 * as the committed run of the same key did from its fork step, else the median steps to grokking of completed
 * forks of the same task and modulus + N, else (nothing known of forks) as far as its parent.
 */
function waitingForkLength(key: string, parent: RunConfig, history: GrokHistory, committedByKey: CommittedByKey | undefined): { steps: number; config: RunConfig; basis: PlanRow['basis'] } {
  const known = committedByKey?.get(key);
  if (known?.records.length) return { steps: known.records.at(-1)!.step - (known.config.fork?.step ?? 0), config: known.config, basis: 'committed' };
  const forks = history.get(grokHistoryKey(parent, true));
  if (forks?.length && parent.stop.after_grok !== undefined) return { steps: Math.round(median(forks)) + parent.stop.after_grok, config: parent, basis: 'median' };
  return { steps: expectedLength(parent, [], history).steps, config: parent, basis: 'parent' };
}

/**
 * The rows of `set`'s plan. Each distinct shape is timed once; on the webgpu engine, in a group of as many runs
 * of that shape as the plan still trains (at most `groupSize`), each charged its share.
 */
export async function planRows(set: RunSet<RoleBase, Profile>, options: PlanOptions): Promise<PlanReport> {
  const { engine, include = () => true, committed = new Map() } = options;
  const history = options.history ?? grokHistoryOf(set, committed);
  const calibration = new SecondsCalibration(engine, options.measures, options.engineOptions ?? {});
  const toTrain = [
    ...[...set.runs.values()].filter((r) => include(r) && r.state !== 'complete').map((r) => r.config),
    ...set.plan.waiting.flatMap((w) => {
      const parent = set.runs.get(w.parentKey);
      return parent && include(parent) ? [parent.config] : [];
    }),
  ];
  const ofShape = new Map<string, number>();
  for (const config of toTrain) ofShape.set(shapeKey(config, options.measures), (ofShape.get(shapeKey(config, options.measures)) ?? 0) + 1);
  const peersOf = (config: RunConfig) => Math.max(1, Math.min(options.groupSize ?? 1, ofShape.get(shapeKey(config, options.measures)) ?? 1));
  const rows: PlanRow[] = [];
  const seen = new Set<string>();
  for (const run of set.runs.values()) {
    if (!include(run)) continue;
    const length = expectedLength(run.config, run.records, history, committed.get(run.id)?.records);
    const steps = run.state === 'complete' ? 0 : length.steps;
    // A run playing two roles (a schedule's constant run is a main run) is trained once: its second row costs nothing.
    const estimate = run.state === 'complete' || seen.has(run.id) ? 0 : costOf(run.config, { steps }, await calibration.price(run.config, peersOf(run.config)), options.measures);
    seen.add(run.id);
    rows.push({ key: run.key, id: run.id, experiment: run.role.experiment, state: run.state, estimated_s: estimate, expected_stop: length.stop, basis: length.basis });
  }
  for (const w of set.plan.waiting) {
    const parent = set.runs.get(w.parentKey);
    if (!parent || !include(parent)) continue;
    const length = waitingForkLength(w.key, parent.config, history, options.committedByKey);
    rows.push({
      key: w.key,
      id: null,
      experiment: w.role.experiment,
      state: w.blocked ? 'blocked' : 'waiting',
      estimated_s: costOf(length.config, length, await calibration.price(length.config, peersOf(parent.config)), options.measures),
      expected_stop: null,
      basis: length.basis,
    });
  }
  return { runs: rows, total_estimated_s: rows.reduce((s, r) => s + r.estimated_s, 0), method: ESTIMATE_METHOD };
}

const duration = (s: number) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

/** The plan as a table per experiment. */
export function renderPlan(report: PlanReport): string[] {
  const out: string[] = [];
  const experiments = [...new Set(report.runs.map((r) => r.experiment))];
  for (const e of experiments) {
    const rows = report.runs.filter((r) => r.experiment === e);
    const todo = rows.filter((r) => r.state !== 'complete');
    out.push(`${e}: ${rows.length} run(s), ${rows.length - todo.length} complete, ${duration(rows.reduce((s, r) => s + r.estimated_s, 0))} to train`);
    for (const r of rows)
      out.push(`  ${r.key.padEnd(34)} ${(r.id ?? '(waiting)').padEnd(16)} ${r.state.padEnd(10)} ${r.state === 'complete' ? '' : `~${duration(r.estimated_s)}${r.expected_stop !== null ? ` (to step ${r.expected_stop}, ${r.basis})` : r.basis === 'parent' ? ' (as its parent)' : ` (a fork: its length from the ${r.basis === 'committed' ? 'committed run of this key' : 'median of completed forks'})`}`}`);
  }
  out.push(`total: ~${duration(report.total_estimated_s)} of training, summed over the runs (processes share it: see elapsed)`);
  return out;
}
