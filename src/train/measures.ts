/**
 * What a paper measures at a checkpoint and which of its events training reads (issue 28: the core knows no
 * paper). The training loop records every checkpoint through the paper's `measure`: the core fields
 * (src/schema/record.ts; `coreRecordFields` computes them) and the paper's, in the paper's record layout. It
 * keeps the checkpoints of the paper's events, and fires a weight-decay schedule at a trigger the paper names
 * (circuit-sync's `fsd`: its sync step). A paper supplies one (Paper.checkpoint; circuit-sync's is its measure.ts).
 */
import type { z } from 'zod';
import type { AsyncEngine, TrainingState } from '../engine/engine.js';
import type { CoreRecord } from '../schema/record.js';
import { ConfigError } from '../schema/parse.js';
import { parameterNorms, totalNorm, type Params } from '../model/params.js';
import { subsetLossAccuracy } from '../metrics/subsetLoss.js';
import type { RunConfig } from '../schema/runConfig.js';
import type { Split, Task } from '../tasks/task.js';

/** One checkpoint's peak memory, estimated before anything is allocated (memory.ts refuses what does not fit). */
export interface MemoryEstimate {
  bytes: number;
  /** The grid rows evaluated at each checkpoint. */
  gridRows: number;
  /** What the estimate counts, in words. */
  parts: string;
}

/** A run's events as `show` and `train` print them. */
export interface RunDescription {
  /** Event steps, and spans between events (e.g. a lead), in print order; null: never. */
  events: Record<string, number | null>;
  /** The steps a compact trajectory always shows (the events that are steps). */
  marks: number[];
  /** Notes on the events (e.g. one that falls on a spike checkpoint). */
  flags: string[];
}

/** What one checkpoint's measurement costs, machine-free (the cost model's prior; src/verify/costModel.ts). */
export interface CheckpointCost {
  /** Multiply-adds of a checkpoint beyond the grid's forward pass. */
  units: number;
  /** Checkpoints that cost more, if any: every `every` steps, `units` more multiply-adds (circuit-sync's null). */
  dear: { every: number; units: number } | null;
}

/** A `train` flag that sets one key of the run config's `metrics` block. */
export interface MetricOptionFlag {
  /** The flag without its dashes, e.g. `fsd-site`. */
  readonly flag: string;
  /** The key it sets in `metrics`. */
  readonly key: string;
  readonly metavar: string;
  /** How the flag's text is read (coercing numbers). */
  readonly value: z.ZodType;
  readonly help: string;
}

/**
 * The run config's `metrics` block is the paper's: the core stores it as given and names the run by it, the
 * paper reads it. `complete` fills the paper's defaults and checks the block against the run (a ConfigError
 * that names the field), so that the same experiment has one id whichever defaults its config spells out.
 */
export interface MetricOptionsSpec {
  complete(config: RunConfig): Record<string, unknown>;
  readonly flags: readonly MetricOptionFlag[];
}

/**
 * How a paper's records are read and stored: its zod schema (src/schema/record.ts `recordSchema`: the core fields
 * and the paper's), and at most one field that is a table of summaries by key (circuit-sync's `fsd_alt`), which
 * the committed records store as one array per key (src/verify/recordsExport.ts).
 */
export interface RecordLayout<Rec extends CoreRecord = CoreRecord> {
  readonly schema: z.ZodType<Rec>;
  readonly table?: { readonly field: string; readonly entry: z.ZodObject<z.ZodRawShape> };
}

/** One of a paper's per-checkpoint figures as `show`'s trajectory and the progress line print it. */
export interface TrajectoryFigure<Rec extends CoreRecord = CoreRecord> {
  /** Its key in `show --json`'s trajectory. */
  readonly key: string;
  /** The column header. */
  readonly header: string;
  /** Digits after the point (0: an integer). */
  readonly digits: number;
  /** Whether the progress bar shows it too. */
  readonly progress: boolean;
  value(record: Rec): number | null;
}

export interface CheckpointMeasures<Rec extends CoreRecord = CoreRecord> {
  /** The options of what it measures: the run config's `metrics` block. */
  readonly options: MetricOptionsSpec;
  /** Its records' layout. */
  readonly record: RecordLayout<Rec>;
  /** The figures `show` and the progress line print beside the core's (accuracies, norm). */
  readonly figures: readonly TrajectoryFigure<Rec>[];
  /** One checkpoint's record: the engine at `step`, the run's earlier records (a fork's parent's first). */
  measure(
    engine: AsyncEngine,
    task: Task,
    split: Split,
    config: RunConfig,
    step: number,
    weightDecay: number,
    previous: readonly Rec[],
    /** The engine's state when the caller has already read it (the loop writes it as the checkpoint too). */
    known?: TrainingState,
  ): Promise<Rec>;
  /** The steps of the paper's own events in a run's records, by name (null: not yet); their checkpoints are kept. */
  events(records: readonly Rec[], config: RunConfig): Readonly<Record<string, number | null>>;
  /** A run's events under the paper's canonical rules, for `show` and `train`. */
  describe(records: readonly Rec[], config: RunConfig): RunDescription;
  /** The events `runs` lists per run, as table columns: the column's header and the event's name in `describe`. */
  readonly summary: readonly { column: string; event: string }[];
  /** What a checkpoint of a run of `config` costs, and which of its config's fields set that (the cost model prices each once). */
  cost(config: RunConfig): CheckpointCost;
  costKey(config: RunConfig): unknown;
  /** An upper estimate of one checkpoint's peak memory for a run of `config`. */
  memory(config: RunConfig): MemoryEstimate;
  /**
   * The grid of checkpoints a run keeps (beyond its events and the newest), when the paper's analysis reads the
   * parameters at more checkpoints than the default every 1000 steps (e.g. a second pass with the final model's
   * key frequencies); absent: every 1000 steps.
   */
  keptEvery?(config: RunConfig): number;
  /** The schedule triggers the paper defines (beyond the core's `mem` and `step:N`), each the event it fires at. */
  readonly triggers: Readonly<Record<string, string>>;
}

/** The step a schedule trigger fires at in `records` (null: not yet); the core's `mem`, else the paper's event. */
export function triggerStep(measures: CheckpointMeasures, trigger: string, records: readonly CoreRecord[], config: RunConfig, memorisation: number | null): number | null {
  if (trigger === 'mem') return memorisation;
  const event = measures.triggers[trigger];
  if (event === undefined) throw new Error(`schedule trigger '${trigger}' is neither mem, step:N nor one this paper defines (${Object.keys(measures.triggers).join(', ') || 'none'})`);
  return measures.events(records, config)[event] ?? null;
}

/**
 * `config` as the paper names and trains it: its `metrics` block completed by the paper (what names the run in the
 * store), and its schedule's trigger one the core (`mem`, `step:N`) or the paper defines. A ConfigError otherwise.
 */
export function completeRunConfig(measures: CheckpointMeasures, config: RunConfig): RunConfig {
  const trigger = config.schedule?.trigger;
  if (trigger !== undefined && trigger !== 'mem' && !trigger.startsWith('step:') && measures.triggers[trigger] === undefined)
    throw new ConfigError(
      `invalid run config:\nschedule.trigger: '${trigger}' is neither mem, step:N nor a trigger of this paper (${Object.keys(measures.triggers).join(', ') || 'it defines none'})`,
    );
  return { ...config, metrics: measures.options.complete(config) };
}

/**
 * The core fields of a checkpoint's record (all but `diverged`) from the logits of its full-grid evaluation
 * ([grid, classes], every class of the model: a separator logit counts, as in training) and its parameters:
 * loss and accuracy on the training and validation rows, the total and per-parameter norms.
 */
export function coreRecordFields(
  at: { logits: Float32Array; classes: number; params: Params; step: number; weightDecay: number },
  task: Pick<Task, 'labels'>,
  split: Split,
): Omit<CoreRecord, 'diverged'> {
  const { logits, classes, params, step, weightDecay } = at;
  const train = subsetLossAccuracy(logits, classes, task.labels, split.train);
  const val = subsetLossAccuracy(logits, classes, task.labels, split.validation);
  return {
    step,
    weight_decay: weightDecay,
    train_loss: train.loss,
    train_acc: train.accuracy,
    val_loss: val.loss,
    val_acc: val.accuracy,
    norm: totalNorm(params),
    param_norms: parameterNorms(params),
  };
}
