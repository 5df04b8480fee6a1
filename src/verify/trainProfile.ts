/**
 * Trains a profile's runs into a run store: plan -> train what is missing -> plan again (forks appear once
 * their parents are trained) until nothing new can be planned. Shared by `grokcheck verify` and the claim
 * tests (through pipeline.ts). Several processes may train the same store at once (vitest runs claim files in
 * parallel workers, `verify --jobs` starts workers): each run has its own lock (src/runs), and with
 * `waitForLocked` a run that another process holds is skipped and revisited until that process completes it.
 */
import { InterruptedError, type EngineKind, type EngineOptions } from '../engine/engine.js';
import type { CheckpointMeasures, RecordLayout } from '../train/measures.js';
import type { Measurement, Profile } from '../paper/paper.js';
import type { PlannedRun, RoleBase, RunSet, RunSource, SourcedRun } from '../paper/runSet.js';
import { LockHeldError } from '../runs/store.js';
import { openStore, readRunRecords, trainRun, type ProgressSink, type RunOutcome, type TrainRunOptions } from '../train/loop.js';
import { trainLockstep, type LockstepOptions } from '../train/lockstep.js';
import type { CoreRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import { readMeasurements } from './measurements.js';
import { assembleRunSet } from './runSet.js';

/** The run store seen as a RunSource: complete, failed or incomplete runs with their records and ablation. */
export function storeSource(storeRoot: string, layout: RecordLayout, measurements: readonly Pick<Measurement, 'name' | 'schema'>[] = []): RunSource {
  const store = openStore(storeRoot);
  return {
    get(id: string, config: RunConfig): SourcedRun | undefined {
      if (!store.exists(id)) return undefined;
      const status = store.readStatus(id);
      if (!status) return { status: 'incomplete', records: [] };
      if (status.state === 'failed') return { status: 'failed', records: [], ...(status.message ? { message: status.message } : {}) };
      // A run still training (or interrupted) shows how far it got (plans, ETAs); claims read complete runs only.
      if (status.state !== 'complete') {
        let partial: CoreRecord[] = [];
        try {
          partial = readRunRecords(store, id, config, layout);
        } catch {
          // Being written, or damaged: resuming will say which.
        }
        return { status: 'incomplete', records: partial };
      }
      let records, stored;
      try {
        records = readRunRecords(store, id, config, layout);
        stored = readMeasurements(store.paths(id).dir, measurements);
      } catch (error) {
        // A corrupt record or measurement is never used: the run counts as failed, naming the file and line.
        return { status: 'failed', records: [], message: (error as Error).message };
      }
      return {
        status: 'complete',
        records,
        ...(status.message ? { message: status.message } : {}),
        ...(status.wall_s === undefined ? {} : { wall_s: status.wall_s }),
        ...(status.engine ? { engine: status.engine } : {}),
        ...(status.trained_by ? { trained_by: status.trained_by } : {}),
        ...(Object.keys(stored).length ? { measurements: stored } : {}),
      };
    },
  };
}

export interface RunEvent {
  run: PlannedRun<RoleBase>;
  kind: 'start' | 'done' | 'failed' | 'waiting';
  outcome?: RunOutcome;
  error?: Error;
}

export interface TrainProfileOptions<R extends RoleBase, P extends Profile<R>> {
  profile: P;
  /** Train only these experiments (and the parents they fork from); default all. */
  experiments?: readonly string[];
  /** Train only the runs this accepts (a shard, `verify --shard`); default all. */
  include?: (run: PlannedRun<R>) => boolean;
  /** The paper's measurements, so that the run set carries the stored ones. */
  measurements?: readonly Pick<Measurement, 'name' | 'schema'>[];
  /** The paper's checkpoint measures (Paper.checkpoint). */
  measures: CheckpointMeasures;
  storeRoot: string;
  engine: EngineKind;
  engineOptions?: EngineOptions;
  /** A progress sink for one run's training (e.g. a bar), or none. */
  progress?: (run: PlannedRun<RoleBase>) => (ProgressSink & { stop?(): void }) | undefined;
  /** Called when a run starts, finishes, fails, or is found locked by another process. */
  onRun?: (event: RunEvent) => void;
  /** Skip runs locked by another process and come back to them (default: a locked run is a failure). */
  waitForLocked?: boolean;
  /** Poll interval while every remaining run is locked elsewhere (ms). */
  pollMs?: number;
  /** Give up when every remaining run has been locked elsewhere, with nothing finishing, this long (ms; default 2 hours). */
  waitLimitMs?: number;
  /**
   * Train the runnable runs of one model shape together, at most this many per lockstep group (the webgpu
   * engine, src/train/lockstep.ts); default: one run after another.
   */
  groupSize?: number;
  /** Called when a lockstep group opens (lockstep.ts). */
  onGroup?: LockstepOptions['onGroup'];
}

export interface TrainProfileResult<R extends RoleBase, P extends Profile<R>> {
  set: RunSet<R, P>;
  /** Runs trained (or resumed) by this call. */
  trained: string[];
  /** Runs whose training threw in this call, with the error message. */
  failures: { key: string; id: string; message: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function trainProfile<R extends RoleBase, P extends Profile<R>>(options: TrainProfileOptions<R, P>): Promise<TrainProfileResult<R, P>> {
  const source = storeSource(options.storeRoot, options.measures.record, options.measurements);
  const attempted = new Set<string>();
  const trained: string[] = [];
  const failures: TrainProfileResult<R, P>['failures'] = [];
  // Waiting is judged from the last progress, not the start: a long profile shared with other processes waits
  // for a locked run as long as some process keeps finishing runs.
  let lastProgress = Date.now();
  let completeBefore = -1;
  // A signal that interrupted a run ends the whole profile (the process is about to exit), not one failure.
  let interruption: InterruptedError | undefined;
  for (;;) {
    const set = assembleRunSet<R, P>(options.profile, source, options.experiments);
    const todo = [...set.runs.values()].filter((r) => r.state !== 'complete' && !attempted.has(r.id) && (options.include?.(r) ?? true));
    if (todo.length === 0) return { set, trained, failures };
    const completeNow = [...set.runs.values()].filter((r) => r.state === 'complete').length;
    if (completeNow !== completeBefore) {
      completeBefore = completeNow;
      lastProgress = Date.now();
    }
    let progressed = false;
    const runs: PlannedRun<R>[] = todo.map((data) => ({ key: data.key, role: data.role, id: data.id, config: data.config }));
    const sinks = new Map<number, (ProgressSink & { stop?(): void }) | undefined>();
    const base = (i: number): TrainRunOptions => ({
      config: runs[i].config,
      storeRoot: options.storeRoot,
      engine: options.engine,
      measures: options.measures,
      ...(options.engineOptions ? { engineOptions: options.engineOptions } : {}),
    });
    /** A run starts: say so, and make its progress sink. */
    const start = (i: number): ProgressSink | undefined => {
      options.onRun?.({ run: runs[i], kind: 'start' });
      const sink = options.progress?.(runs[i]);
      sinks.set(i, sink);
      return sink;
    };
    const settled = (i: number, result: PromiseSettledResult<RunOutcome>): void => {
      const run = runs[i];
      sinks.get(i)?.stop?.();
      if (result.status === 'fulfilled') {
        attempted.add(run.id);
        trained.push(run.id);
        progressed = true;
        options.onRun?.({ run, kind: 'done', outcome: result.value });
        return;
      }
      const error = result.reason as Error;
      if (error instanceof InterruptedError) {
        interruption ??= error;
        return;
      }
      if (error instanceof LockHeldError && options.waitForLocked) {
        options.onRun?.({ run, kind: 'waiting', error });
        return;
      }
      attempted.add(run.id);
      progressed = true;
      failures.push({ key: run.key, id: run.id, message: error.message });
      options.onRun?.({ run, kind: 'failed', error });
    };
    if (options.groupSize !== undefined) await trainLockstep(runs.map((_, i) => base(i)), { groupSize: options.groupSize, onStart: start, onSettled: settled, ...(options.onGroup ? { onGroup: options.onGroup } : {}) });
    else
      for (const i of runs.keys()) {
        if (interruption) break;
        const sink = start(i);
        try {
          settled(i, { status: 'fulfilled', value: await trainRun({ ...base(i), ...(sink ? { progress: sink } : {}) }) });
        } catch (reason) {
          settled(i, { status: 'rejected', reason });
        }
      }
    if (interruption) throw interruption;
    if (!progressed) {
      // Everything left is being trained by another process: wait for it.
      const limit = options.waitLimitMs ?? 2 * 60 * 60_000;
      if (Date.now() - lastProgress > limit)
        throw new Error(`gave up waiting for runs locked by another process: none finished in ${Math.round(limit / 60_000)} minutes`);
      await sleep(options.pollMs ?? 1000);
    }
  }
}
