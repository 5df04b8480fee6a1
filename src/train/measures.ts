/**
 * What a paper measures at a checkpoint and which of its events training reads (issue 28: the core knows no
 * paper). The training loop records the core fields of every checkpoint through the paper's `measure` (today the
 * record layout is still circuit-sync's; src/schema/record.ts), keeps the checkpoints of the paper's events, and
 * fires a weight-decay schedule at a trigger the paper names (circuit-sync's `fsd`: its sync step). A paper
 * supplies one (Paper.checkpoint; circuit-sync's is its measure.ts).
 */
import type { z } from 'zod';
import type { AsyncEngine, TrainingState } from '../engine/engine.js';
import type { CheckpointRecord } from '../schema/record.js';
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

export interface CheckpointMeasures {
  /** The options of what it measures: the run config's `metrics` block. */
  readonly options: MetricOptionsSpec;
  /** One checkpoint's record: the engine at `step`, the run's earlier records (a fork's parent's first). */
  measure(
    engine: AsyncEngine,
    task: Task,
    split: Split,
    config: RunConfig,
    step: number,
    weightDecay: number,
    previous: readonly CheckpointRecord[],
    /** The engine's state when the caller has already read it (the loop writes it as the checkpoint too). */
    known?: TrainingState,
  ): Promise<CheckpointRecord>;
  /** The steps of the paper's own events in a run's records, by name (null: not yet); their checkpoints are kept. */
  events(records: readonly CheckpointRecord[], config: RunConfig): Readonly<Record<string, number | null>>;
  /** A run's events under the paper's canonical rules, for `show` and `train`. */
  describe(records: readonly CheckpointRecord[], config: RunConfig): RunDescription;
  /** The events `runs` lists per run, as table columns: the column's header and the event's name in `describe`. */
  readonly summary: readonly { column: string; event: string }[];
  /** What a checkpoint of a run of `config` costs, and which of its config's fields set that (the cost model prices each once). */
  cost(config: RunConfig): CheckpointCost;
  costKey(config: RunConfig): unknown;
  /** An upper estimate of one checkpoint's peak memory for a run of `config`. */
  memory(config: RunConfig): MemoryEstimate;
  /** The schedule triggers the paper defines (beyond the core's `mem` and `step:N`), each the event it fires at. */
  readonly triggers: Readonly<Record<string, string>>;
}

/** The step a schedule trigger fires at in `records` (null: not yet); the core's `mem`, else the paper's event. */
export function triggerStep(measures: CheckpointMeasures, trigger: string, records: readonly CheckpointRecord[], config: RunConfig, memorisation: number | null): number | null {
  if (trigger === 'mem') return memorisation;
  const event = measures.triggers[trigger];
  if (event === undefined) throw new Error(`schedule trigger '${trigger}' is neither mem, step:N nor one this paper defines (${Object.keys(measures.triggers).join(', ') || 'none'})`);
  return measures.events(records, config)[event] ?? null;
}

/** `config` with its `metrics` block as the paper completes it (what names the run in the store). */
export function withMetricOptions(measures: CheckpointMeasures, config: RunConfig): RunConfig {
  return { ...config, metrics: measures.options.complete(config) };
}
