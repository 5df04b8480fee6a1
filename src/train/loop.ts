/**
 * The training loop (issue "Training runs"): trains or resumes one run of the run store, evaluating every
 * `eval_every` steps (metrics.md "Checkpoint metrics"), applying the weight-decay schedule and the stop rules.
 *
 * Crash safety: at each evaluation step s the order is  measure -> checkpoint(s) -> append record(s).
 * A run killed anywhere resumes from its newest valid checkpoint c (a corrupt or truncated newer one is skipped,
 * and the records after c are dropped); if the record of c is missing it is measured again (the engine is
 * deterministic, so it is the same record), and training continues. Records therefore end identical to an
 * uninterrupted run's (tested with SIGKILL in resume.test.ts). A record and a checkpoint are written every
 * `eval_every` steps and at the final step; a run may be extended to a higher cap (extend.ts).
 */
import { z } from 'zod';
import { createEngine } from '../engine/create.js';
import { InterruptedError, type AsyncEngine, type EngineCreateArgs, type EngineKind, type EngineOptions, type TrainingState } from '../engine/engine.js';
import { initParams } from '../model/params.js';
import { BatchCursor } from '../tasks/batches.js';
import { gather, taskFromConfig, type Split, type Task } from '../tasks/task.js';
import { RngStateSchema } from '../random/rngState.js';
import { IncompleteTailError, installLockReleaseHandlers, RecordsError, RunStore, type RunStatus, type RunWriter } from '../runs/store.js';
import { recordGridProblem, type CoreRecord } from '../schema/record.js';
import { RunConfigSchema, stepBatchSize, type RunConfig } from '../schema/runConfig.js';
import { trainingSession, type TrainingSession } from '../runs/codeVersion.js';
import { seedFromSibling } from './extend.js';
import { checkMemory } from './memory.js';
import { triggerStep, completeRunConfig, type CheckpointMeasures, type RecordLayout } from './measures.js';
import { accuracyEventSteps } from '../metrics/accuracyEvents.js';

/** What a checkpoint carries besides the engine state: the batch order and the schedule's state. */
const SidecarSchema = z
  .object({
    cursor: z.object({ rng: RngStateSchema, order: z.array(z.number().int()), position: z.number().int() }).strict(),
    weight_decay: z.number(),
    schedule_fired_at: z.number().int().nullable(),
  })
  .strict();
type Sidecar = z.infer<typeof SidecarSchema>;

export interface ProgressSink {
  /** Called after every training step (cheap) and after every checkpoint (with its record). */
  step(step: number, maxSteps: number): void;
  checkpoint(record: CoreRecord): void;
  notice(message: string): void;
}

export interface TrainRunOptions<Rec extends CoreRecord = CoreRecord> {
  config: RunConfig;
  storeRoot: string;
  engine: EngineKind;
  /** Threads, tfjs backend, float mode (src/engine/engine.ts). */
  engineOptions?: EngineOptions;
  progress?: ProgressSink;
  /** Stop (keeping everything written so far, status 'running') after this many training steps in this call. */
  stepBudget?: number;
  /**
   * Where the run's engine comes from (default: a new engine of kind `engine`): a lockstep group's slot
   * (lockstep.ts). It must be of kind `engine`.
   */
  createEngine?: (args: EngineCreateArgs) => Promise<AsyncEngine>;
  /** The paper's checkpoint measures and events (Paper.checkpoint; src/train/measures.ts). */
  measures: CheckpointMeasures<Rec>;
}

function engineFor(opts: TrainRunOptions, args: EngineCreateArgs): Promise<AsyncEngine> {
  return opts.createEngine ? opts.createEngine(args) : createEngine(opts.engine, args);
}

export interface RunOutcome<Rec extends CoreRecord = CoreRecord> {
  id: string;
  config: RunConfig;
  /** In the paper's layout (its CheckpointMeasures.record). */
  records: Rec[];
  status: 'complete' | 'failed' | 'running';
  message?: string;
  wall_s: number;
  engine: string;
}

export function openStore(storeRoot: string): RunStore<RunConfig> {
  return new RunStore<RunConfig>({ configSchema: RunConfigSchema, root: storeRoot, summarize: summarizeRunConfig });
}

export function summarizeRunConfig(c: RunConfig): string {
  const task = c.task.kind === 'sym' ? `S${c.task.n}` : `${c.task.kind.replace('mod_', '')} p=${c.task.n}`;
  const model = `${c.model.n_layers}L ${c.model.variant} d${c.model.d_model}`;
  const fork = c.fork ? ` fork(${c.fork.parent.slice(0, 8)}@${c.fork.step})` : '';
  const sched = c.schedule ? ` wd->${c.schedule.lambda_high}@${c.schedule.trigger}` : '';
  const seeds = `init ${c.init_seed}${c.batch_seed !== undefined ? ` batch ${c.batch_seed}` : ''} split ${c.task.split_seed}`;
  return `${task} ${model} wd=${c.optimizer.weight_decay}${sched}${fork} ${seeds}`;
}

/**
 * Every record of a run, validated: each line against the record schema and its value ranges, and the steps
 * against the run's checkpoint grid (none missing, none out of place). Any violation is a RecordsError naming
 * the file and line; a broken record is never used.
 */
export function readRunRecords<Rec extends CoreRecord>(store: RunStore<RunConfig>, id: string, config: RunConfig, layout: RecordLayout<Rec>): Rec[] {
  const records = store.readRecords(id, layout.schema) as Rec[];
  checkGrid(store.paths(id).records, records, config);
  return records;
}

function checkGrid(file: string, records: readonly CoreRecord[], config: RunConfig, firstLine = 1): void {
  const problem = recordGridProblem(records, config);
  if (problem) throw new RecordsError(file, firstLine + problem.index, problem.problem);
}

/** The records of a fork's parent (by id or prefix), validated against the parent's own config. */
export function parentRecords<Rec extends CoreRecord>(store: RunStore<RunConfig>, parent: string, layout: RecordLayout<Rec>): Rec[] {
  const id = store.find(parent);
  return readRunRecords(store, id, store.readConfig(id).config, layout);
}

/** The run's records (in the paper's layout) when it is complete, else undefined. */
export function readCompleteRun(storeRoot: string, config: RunConfig, layout: RecordLayout): RunOutcome | undefined {
  const store = openStore(storeRoot);
  const { id } = store.identify(config);
  if (!store.exists(id)) return undefined;
  const status = store.readStatus(id);
  if (status?.state !== 'complete') return undefined;
  const records = readRunRecords(store, id, config, layout);
  return { id, config, records, status: 'complete', wall_s: status.wall_s ?? 0, engine: status.engine ?? 'unknown' };
}

/** Steps whose checkpoints are kept (besides the paper's kept grid): memorisation, grokking and the paper's events. */
function keptSteps(records: readonly CoreRecord[], config: RunConfig, measures: CheckpointMeasures): Set<number> {
  const core = accuracyEventSteps(records);
  const paper = Object.values(measures.events(records, config));
  return new Set([core.grok, core.memorisation, ...paper].filter((s): s is number => s !== null));
}

/** Checkpoints kept on this grid unless the paper keeps more (a second pass over them; measures.ts keptEvery). */
const DEFAULT_KEPT_EVERY = 1000;

interface LoopState {
  engine: AsyncEngine;
  cursor: BatchCursor;
  weightDecay: number;
  scheduleFiredAt: number | null;
}

/** The run's engine options, with the largest batch it steps on (the webgpu engine sizes its buffers for it). */
function engineOptionsFor(opts: TrainRunOptions, split: Split): EngineOptions {
  return { ...opts.engineOptions, maxBatch: stepBatchSize(opts.config, split.train.length) };
}

/**
 * Where training starts: this run's newest valid checkpoint, a fork's parent checkpoint, or the init. The engine
 * is created once from it (startEngine).
 */
type Origin =
  | { kind: 'checkpoint'; state: TrainingState; sidecar: Sidecar }
  | { kind: 'fork'; state: TrainingState; sidecar: Sidecar }
  | { kind: 'init' };

/** The one place a run's engine is created: from its origin, with the cursor, weight decay and trigger it resumes. */
async function startEngine(opts: TrainRunOptions, origin: Origin, split: Split, status: RunStatus | null, id: string): Promise<LoopState> {
  const { config } = opts;
  const trainSize = split.train.length;
  // A checkpoint resumes the weight decay in effect there (a schedule may have raised it); a fork starts from its own.
  const weightDecay = origin.kind === 'checkpoint' ? origin.sidecar.weight_decay : config.optimizer.weight_decay;
  const engine = await engineFor(opts, {
    model: config.model,
    optimizer: { ...config.optimizer, weight_decay: weightDecay },
    params: origin.kind === 'init' ? initParams(config.model, config.init_seed) : origin.state.params,
    options: engineOptionsFor(opts, split),
  });
  if (origin.kind === 'init') {
    return { engine, cursor: new BatchCursor(trainSize, config.batch_size, config.batch_seed ?? 0), weightDecay, scheduleFiredAt: null };
  }
  await engine.setState(origin.state);
  if (origin.kind === 'fork') {
    engine.setOptimizer(config.optimizer);
    // A fork that keeps the parent's batch order (no batch_seed of its own) continues its cursor.
    const cursor = new BatchCursor(trainSize, config.batch_size, config.batch_seed === undefined ? origin.sidecar.cursor : config.batch_seed);
    return { engine, cursor, weightDecay, scheduleFiredAt: null };
  }
  const held = heldNumerics(status);
  const now = numericsOf(engine);
  if (held && (held.engine_kind !== now.engine_kind || held.denormals !== now.denormals)) {
    engine.dispose();
    throw new ResumeRefusedError(
      `run ${id} was trained on the ${held.engine_kind} engine with denormals ${held.denormals === 'flush' ? 'flushed' : 'kept'}; ` +
        `resume it with --engine ${held.engine_kind} --denormals ${held.denormals} (records differ in their last bits across engines and float modes)`,
    );
  }
  return {
    engine,
    cursor: new BatchCursor(trainSize, config.batch_size, origin.sidecar.cursor),
    weightDecay,
    scheduleFiredAt: origin.sidecar.schedule_fired_at,
  };
}

/** What a call of trainWithWriter starts from: the records kept, the wall time and trainers so far, and the origin. */
interface StartPoint {
  records: CoreRecord[];
  previousWall: number;
  seededBy: TrainingSession[];
  status: RunStatus | null;
  origin: Origin;
}

/**
 * Works out where the run resumes, reading its records and status once: a new run that only changes another's
 * stop rule is seeded from it (extend.ts); records after the newest valid checkpoint are dropped (measured again,
 * identically: training is deterministic); a new fork starts from its parent's checkpoint.
 */
function startPoint(opts: TrainRunOptions, store: RunStore<RunConfig>, writer: RunWriter<RunConfig>, config: RunConfig): StartPoint {
  let status = writer.readStatus();
  let previousWall = status?.wall_s ?? 0;
  let seededBy: TrainingSession[] = [];
  let read = writer.readRecords(opts.measures.record.schema, { repairTruncatedTail: true });
  if (writer.listCheckpoints().length === 0 && read.records.length === 0) {
    const seed = seedFromSibling(store, writer, config, SidecarSchema, (records) => stopStep(records, config), opts.measures.record.schema);
    if (seed) {
      opts.progress?.notice(seed.notice);
      previousWall += seed.wall_s;
      seededBy = seed.trained_by;
      read = writer.readRecords(opts.measures.record.schema, { repairTruncatedTail: true });
      status = writer.readStatus();
    }
  }
  if (read.droppedTail) opts.progress?.notice(read.droppedTail.notice);
  checkGrid(writer.paths.records, read.records, config);
  let records: CoreRecord[] = [...read.records];
  const latest = store.loadLatestCheckpoint(writer.id, { sidecarSchema: SidecarSchema });
  for (const skipped of latest.skipped) opts.progress?.notice(`skipped unreadable checkpoint ${skipped.path}: ${skipped.problem}`);
  const resumeStep = latest.found?.state.step ?? -1;
  if ((records.at(-1)?.step ?? -1) > resumeStep) {
    const dropped = writer.dropRecordsAfter(resumeStep);
    records = records.filter((r) => r.step <= resumeStep);
    opts.progress?.notice(
      `dropped ${dropped} record(s) after step ${resumeStep < 0 ? 'none' : resumeStep} (${latest.found ? 'the newest valid checkpoint' : 'no valid checkpoint: training again from the start'}); they are measured again`,
    );
  }
  let origin: Origin = { kind: 'init' };
  if (latest.found) {
    origin = { kind: 'checkpoint', state: latest.found.state, sidecar: latest.found.sidecar };
    opts.progress?.notice(`resuming run ${writer.id} at step ${latest.found.state.step}`);
  } else if (config.fork) {
    const parent = store.readCheckpoint(store.find(config.fork.parent), config.fork.step, SidecarSchema);
    origin = { kind: 'fork', state: parent.state, sidecar: parent.sidecar };
  }
  return { records, previousWall, seededBy, status, origin };
}

function sidecarOf(state: LoopState): Sidecar {
  return { cursor: state.cursor.getState(), weight_decay: state.weightDecay, schedule_fired_at: state.scheduleFiredAt };
}

function setWeightDecay(state: LoopState, config: RunConfig, wd: number): void {
  state.weightDecay = wd;
  state.engine.setOptimizer({ ...config.optimizer, weight_decay: wd });
}

/** Resuming a run on another engine or float mode than the one that trained it: refused, the run left as it was. */
export class ResumeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeRefusedError';
  }
}

type Numerics = Required<Pick<RunStatus, 'engine_kind' | 'denormals'>>;

function numericsOf(engine: AsyncEngine): Numerics {
  return { engine_kind: engine.kind, denormals: engine.denormals };
}

/**
 * The engine and float mode a run's status says trained it. A status written before the float mode was recorded
 * names the engine only in its description; the native engine kept denormals then (and tfjs always does).
 */
function heldNumerics(status: RunStatus | null): Numerics | null {
  if (!status) return null;
  if (status.engine_kind && status.denormals) return { engine_kind: status.engine_kind, denormals: status.denormals };
  const kind = status.engine?.split(' ')[0];
  return kind === 'native' || kind === 'tfjs' ? { engine_kind: kind, denormals: 'keep' } : null;
}

/** Trains (or resumes, or just reads) one run. Holds the run's lock while it writes. */
export async function trainRun<Rec extends CoreRecord = CoreRecord>(options: TrainRunOptions<Rec>): Promise<RunOutcome<Rec>> {
  // The loop reads the core fields; the records it returns are those the paper's measure wrote, in its layout.
  return (await trainAny(options as TrainRunOptions)) as RunOutcome<Rec>;
}

async function trainAny(opts: TrainRunOptions): Promise<RunOutcome> {
  const store = openStore(opts.storeRoot);
  // The paper completes the run's metric options first: the same experiment has one id (measures.ts).
  const config = store.identify(completeRunConfig(opts.measures, opts.config)).config;
  // A complete run whose last record was cut short (killed while appending it, or damaged since) is reopened:
  // the resume below drops the line and measures that checkpoint again.
  let reopen = false;
  try {
    const done = readCompleteRun(opts.storeRoot, config, opts.measures.record);
    if (done) return done;
  } catch (error) {
    if (!(error instanceof IncompleteTailError)) throw error;
    reopen = true;
  }
  checkMemory(config, opts.measures);
  const writer = store.openWriter(config);
  const where = { step: -1, checkpoint: -1 };
  // Said in status.json too, before the lock goes, so that a reader never sees `running` for a stopped run.
  const markInterrupted = (signal: string) => {
    try {
      const status = writer.readStatus();
      if (status?.state === 'running')
        writer.setStatus({ ...withoutUpdated(status), state: 'interrupted', message: `interrupted by ${signal} at step ${where.step}; the last checkpoint is step ${where.checkpoint}` });
    } catch {
      // The lock release matters more than the status line (and a closed writer has already said it).
    }
  };
  const removeHandlers = installLockReleaseHandlers(writer.lock, process, (signal) => {
    markInterrupted(signal);
    opts.progress?.notice(
      `interrupted (${signal}) at step ${where.step}; the last checkpoint is step ${where.checkpoint}. ` +
        'Run the same command again to resume from there (the records will be those of an uninterrupted run)',
    );
  });
  let engine: AsyncEngine | undefined;
  let interrupted = false;
  try {
    // Another process may have completed the run between the check above and taking the lock.
    const status = writer.readStatus();
    if (reopen && status?.state === 'complete') {
      writer.setStatus({ ...withoutUpdated(status), state: 'running', message: undefined });
      opts.progress?.notice(`run ${writer.id} was complete but its last record is cut short: measuring that checkpoint again`);
    } else if (status?.state === 'complete') return readCompleteRun(opts.storeRoot, config, opts.measures.record)!;
    for (const notice of writer.notices) opts.progress?.notice(notice);
    const outcome = await trainWithWriter(opts, store, writer, config, (e) => (engine = e), where);
    return outcome;
  } catch (error) {
    // A refusal or an interruption leaves the run as it was (`interrupted` in grokcheck runs; the same command
    // resumes it); any other error marks it failed, keeping what was known of it.
    interrupted = error instanceof InterruptedError;
    // A signal taken inside a native call reaches the handlers above only after the writer is closed.
    if (error instanceof InterruptedError) markInterrupted(error.signal);
    if (!(error instanceof ResumeRefusedError) && !interrupted)
      try {
        const { updated: _updated, ...known } = writer.readStatus() ?? { step: undefined };
        writer.setStatus({
          ...known,
          state: 'failed',
          step: where.step >= 0 ? where.step : (known.step ?? 0),
          message: (error as Error).message,
          ...(engine ? { engine: engine.description, ...numericsOf(engine) } : {}),
        });
      } catch {
        // The original error matters more than a status that could not be written.
      }
    throw error;
  } finally {
    engine?.dispose();
    writer.close();
    // An interrupted native call took the signal while JavaScript could not run, and Node hands it to the
    // listeners only on a later turn of the event loop: removing them now would drop it, and the process would
    // go on to its next run (a `verify --jobs` worker outlived its parent so). Kept, the handler gets it, finds
    // the lock released, and ends the process with the signal.
    if (!interrupted) removeHandlers();
  }
}

async function trainWithWriter(
  opts: TrainRunOptions,
  store: RunStore<RunConfig>,
  writer: RunWriter<RunConfig>,
  config: RunConfig,
  onEngine: (engine: AsyncEngine) => void,
  where: { step: number; checkpoint: number },
): Promise<RunOutcome> {
  const started = Date.now();
  const { task, split } = taskFromConfig(config.task);
  const start = startPoint(opts, store, writer, config);
  const { previousWall, seededBy } = start;
  const records = start.records;
  /** Training wall time of the run so far, earlier (interrupted) calls included. */
  const wallSoFar = () => previousWall + (Date.now() - started) / 1000;
  const state = await startEngine(opts, start.origin, split, start.status, writer.id);
  onEngine(state.engine);
  const engineDescription = state.engine.description;
  // Which code, CPU and engine train from here: kept in every status written below (codeVersion.ts).
  const startStep = (await state.engine.getState()).step;
  const trainedBy = { trained_by: [...seededBy, ...(start.status?.trained_by ?? []), trainingSession(engineDescription, startStep, undefined, state.engine.lockstepSlots)] };
  const numerics = { ...numericsOf(state.engine), ...trainedBy };
  writer.setStatus({ state: 'running', step: startStep, engine: engineDescription, ...numerics, wall_s: previousWall });

  // A fork's history before its fork step is its parent's: the "first sync" of a checkpoint is judged on both.
  const lineage: CoreRecord[] = config.fork
    ? parentRecords(store, config.fork.parent, opts.measures.record).filter((r) => r.step < config.fork!.step)
    : [];
  const { max_steps: maxSteps, after_grok: afterGrok } = config.stop;
  const stepTrigger = config.schedule?.trigger.startsWith('step:') ? Number(config.schedule.trigger.slice(5)) : null;
  let step = startStep;
  where.step = where.checkpoint = step;
  let stepsThisCall = 0;
  // A run that starts at its last record (resumed, or seeded from a sibling up to that step) whose stop rule has
  // already fired there stops without training: its records are those of the run trained in one go.
  let stopReason: string | null = records.at(-1)?.step === step ? stopRule(records, step, maxSteps, afterGrok, config.stop.coarse_grid) : null;

  for (;;) {
    // A step trigger fires at its step, before that step's checkpoint, as an event trigger fires at its
    // checkpoint: the record of the step says the weight decay in effect from it on (issue 27: it fired after the
    // record was written, so a step-500 trigger showed at 600 in the records; the training was the same).
    if (stepTrigger !== null && step >= stepTrigger && state.scheduleFiredAt === null) {
      state.scheduleFiredAt = step;
      setWeightDecay(state, config, config.schedule!.lambda_high);
    }
    // Every eval_every steps, and at the final step even when the cap is off that grid.
    if ((step % config.eval_every === 0 || step >= maxSteps) && (records.at(-1)?.step ?? -1) < step) {
      // One read of the state serves the measurement and the checkpoint (a GPU engine copies it back to the host).
      const engineState = await state.engine.getState();
      const record = await opts.measures.measure(state.engine, task, split, config, step, state.weightDecay, [...lineage, ...records], engineState);
      records.push(record);
      applyEventTriggers(state, config, records, opts.measures);
      // A record's weight decay is the one in effect from its step on (after any trigger fired there).
      record.weight_decay = state.weightDecay;
      // Checkpoint first, record second (see the header comment); keep event checkpoints and the paper's grid.
      writer.writeCheckpoint(engineState, sidecarOf(state));
      where.checkpoint = step;
      writer.appendRecord(record, { nonFinite: 'string' });
      // Wall time so far, so that a run interrupted (killed, Ctrl-C) and resumed still reports its whole cost.
      writer.setStatus({ state: 'running', step, engine: engineDescription, ...numerics, wall_s: wallSoFar() });
      const keep = keptSteps(records, config, opts.measures);
      const every = opts.measures.keptEvery?.(config) ?? DEFAULT_KEPT_EVERY;
      writer.pruneCheckpoints((steps) => steps.filter((s) => s === step || s % every === 0 || keep.has(s)));
      opts.progress?.checkpoint(record);
      stopReason = stopRule(records, step, maxSteps, afterGrok, config.stop.coarse_grid);
    } else if (step >= maxSteps) {
      stopReason = `reached the step cap ${maxSteps}`;
    }
    if (stopReason) break;
    if (opts.stepBudget !== undefined && stepsThisCall >= opts.stepBudget) break;
    const positions = state.cursor.next();
    if (config.batch_order === 'reversed') positions.reverse();
    const batch = gather(task, indicesOf(split, positions));
    await state.engine.queueStep(batch.tokens, batch.labels);
    step++;
    where.step = step;
    stepsThisCall++;
    opts.progress?.step(step, maxSteps);
    // Let signal handlers run (Ctrl-C, SIGTERM release the lock and end the process between two steps).
    await yieldToEventLoop();
  }

  const wall = wallSoFar();
  const status = stopReason ? 'complete' : 'running';
  writer.setStatus({ state: status, step, engine: engineDescription, ...numerics, wall_s: wall, message: stopReason ?? undefined });
  return { id: writer.id, config, records, status, message: stopReason ?? undefined, wall_s: wall, engine: engineDescription };
}

function withoutUpdated(status: RunStatus): Omit<RunStatus, 'updated'> {
  const { updated: _updated, ...rest } = status;
  return rest;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function indicesOf(split: Split, positions: Int32Array): Int32Array {
  const out = new Int32Array(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = split.train[positions[i]];
  return out;
}

/** Fires a `mem` schedule, or one at a paper's event (circuit-sync's `fsd`), at the checkpoint where it happens (claims.md "schedule"). */
function applyEventTriggers(state: LoopState, config: RunConfig, records: readonly CoreRecord[], measures: CheckpointMeasures): void {
  const schedule = config.schedule;
  if (!schedule || state.scheduleFiredAt !== null || schedule.trigger.startsWith('step:')) return;
  const at = triggerStep(measures, schedule.trigger, records, config, accuracyEventSteps(records).memorisation);
  if (at !== null && at === records.at(-1)!.step) {
    state.scheduleFiredAt = at;
    setWeightDecay(state, config, schedule.lambda_high);
  }
}

/** The step at which a run diverged (its last record is flagged diverged), or null. */
export function divergedAt(records: readonly Pick<CoreRecord, 'step' | 'diverged'>[]): number | null {
  const last = records.at(-1);
  return last?.diverged ? last.step : null;
}

/** The first record's step at which `config`'s stop rule fires on `records` (a sibling's, for a seed), or null. */
export function stopStep(records: readonly CoreRecord[], config: RunConfig): number | null {
  for (let i = 0; i < records.length; i++)
    if (stopRule(records.slice(0, i + 1), records[i].step, config.stop.max_steps, config.stop.after_grok, config.stop.coarse_grid)) return records[i].step;
  return null;
}

export function stopRule(
  records: readonly CoreRecord[],
  step: number,
  maxSteps: number,
  afterGrok: number | undefined,
  coarseGrid?: number,
): string | null {
  const last = records.at(-1)!;
  if (last.diverged) return `diverged (non-finite loss) at step ${step}`;
  if (step >= maxSteps) return `reached the step cap ${maxSteps}`;
  const grok = accuracyEventSteps(records).grok;
  if (afterGrok === undefined || grok === null || step < grok + afterGrok) return null;
  if (coarseGrid === undefined) return `grokked at ${grok}; stopped ${afterGrok} steps later`;
  const coarseGrok = accuracyEventSteps(records.filter((r) => r.step % coarseGrid === 0)).grok;
  if (coarseGrok === null || step < coarseGrok + afterGrok) return null;
  return `grokked at ${grok} (at ${coarseGrok} on the ${coarseGrid}-step grid); stopped ${afterGrok} steps after both`;
}

/** An engine holding a run's state at a kept checkpoint step (for ablations). */
export async function engineAtCheckpoint(storeRoot: string, id: string, step: number, engine: EngineKind, options?: EngineOptions): Promise<AsyncEngine> {
  const store = openStore(storeRoot);
  const { config } = store.readConfig(id);
  const ckpt = store.readCheckpoint(id, step);
  const e = await createEngine(engine, { model: config.model, optimizer: config.optimizer, params: ckpt.state.params, ...(options ? { options } : {}) });
  await e.setState(ckpt.state);
  return e;
}

export type { Task };
