/**
 * How long a run will take, before it is trained (verify --plan, the progress display's ETAs, the shard split).
 *
 * A run costs its remaining training steps times the cost of one step of its shape, plus its remaining
 * checkpoints times the cost of one checkpoint (the paper's dearer checkpoints on top, CheckpointCost.dear). Its length is its
 * expected stop: the step cap, or, with a `grok + N` stop rule, the expected grokking step plus N. The expected
 * grokking step is the run's own once it has grokked (its records say so), else its grokking step in the
 * profile's committed records (the same run id: the same configuration, trained on another machine; where it
 * never grokked there, the step its committed records end at), else the
 * median grokking step of the completed runs of the same task and modulus (in the store or the committed
 * records), else half the cap (a prior, said as such).
 *
 * Two prices per shape: `units` are a machine-free count of multiply-adds (the same on every machine, so that
 * every machine computes the same shard split), and `seconds` are measured on this machine (a few training
 * steps and one checkpoint of that shape, timed once per shape) for plans and ETAs.
 */
import { createEngine } from '../engine/create.js';
import type { AsyncEngine, EngineKind, EngineOptions } from '../engine/engine.js';
import { accuracyEventSteps } from '../metrics/accuracyEvents.js';
import { initParams } from '../model/params.js';
import type { CoreRecord } from '../schema/record.js';
import { stepBatchSize, trainSizeOf, type RunConfig } from '../schema/runConfig.js';
import { taskElements } from '../schema/task.js';
import { BatchCursor } from '../tasks/batches.js';
import { gather, taskFromConfig } from '../tasks/task.js';
import { withFreshGroup } from '../train/lockstepBench.js';
import type { CheckpointMeasures } from '../train/measures.js';

/** The price of one training step, one checkpoint and one permutation null of a shape. */
export interface ShapeCost {
  step: number;
  checkpoint: number;
  null: number;
}

/** What identifies a run's cost per step: task size, model, batch, the paper's cost key (not seeds, not weight decay). */
export function shapeKey(config: RunConfig, measures: Pick<CheckpointMeasures, 'costKey'>): string {
  const { task, model, batch_size } = config;
  return JSON.stringify([task.kind, task.n, task.train_frac, model, batch_size, measures.costKey(config)]);
}

/**
 * Multiply-adds, machine-free: forward + backward (x3) over the batch; per checkpoint one grid forward and the
 * paper's measurement; the paper's dearer checkpoints (CheckpointMeasures.cost).
 */
export function shapeUnits(config: RunConfig, measures: Pick<CheckpointMeasures, 'cost'>): ShapeCost {
  const { model } = config;
  const elements = taskElements(config.task.kind, config.task.n);
  const grid = elements * elements;
  const batch = stepBatchSize(config, trainSizeOf(config));
  const d = model.d_model, f = model.d_mlp;
  const attention = model.variant === 'mlp_only' ? 0 : 4 * d * d;
  const mlp = model.variant === 'attn_only' ? 0 : 2 * d * f;
  const perExample = 3 * model.n_layers * (attention + mlp) + d * model.classes;
  const paper = measures.cost(config);
  return {
    step: 3 * batch * perExample,
    checkpoint: grid * perExample + paper.units,
    null: paper.dear?.units ?? 0,
  };
}

export interface ExpectedLength {
  /** Steps still to train. */
  steps: number;
  /** The step the run is expected to stop at. */
  stop: number;
  /**
   * How the stop was found: `cap`, `grokked` (its own grokking step + N), `committed` (its grokking step in the
   * committed records + N, or where they end when it never grokked there), `median` (similar runs), `prior`
   * (half the cap).
   */
  basis: 'cap' | 'grokked' | 'committed' | 'median' | 'prior';
}

/**
 * Steps to grokking of completed runs (from the start, or from the fork step for a fork), by `kind/n/root|fork`:
 * the expected grokking step of a run not yet grokked. Forks are kept apart because a fork from a synced
 * parent groks within a few hundred steps of its start, where a run from initialisation takes thousands.
 */
export type GrokHistory = Map<string, number[]>;

export function grokHistoryKey(config: Pick<RunConfig, 'task' | 'fork'>, fork: boolean = config.fork !== undefined): string {
  return `${config.task.kind}/${config.task.n}/${fork ? 'fork' : 'root'}`;
}

/** Adds a completed run's grokking step (from its records, canonical rules) to `history`. */
export function noteGrok(history: GrokHistory, config: RunConfig, records: readonly CoreRecord[]): void {
  const grok = accuracyEventSteps(records).grok;
  if (grok === null) return;
  const start = config.fork?.step ?? 0;
  const key = grokHistoryKey(config);
  history.set(key, [...(history.get(key) ?? []), grok - start]);
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The expected stop of a run that has trained to `records` (none: not started). `committed`: the same run's
 * records in the profile's committed records, when they hold it.
 */
export function expectedLength(
  config: RunConfig,
  records: readonly CoreRecord[] = [],
  history: GrokHistory = new Map(),
  committed: readonly CoreRecord[] = [],
): ExpectedLength {
  const start = config.fork?.step ?? 0;
  const at = Math.max(start, records.at(-1)?.step ?? start);
  const cap = config.stop.max_steps;
  const afterGrok = config.stop.after_grok;
  const done = (stop: number, basis: ExpectedLength['basis']): ExpectedLength => {
    const s = Math.min(cap, Math.max(stop, at));
    return { steps: s - at, stop: s, basis };
  };
  if (afterGrok === undefined) return done(cap, 'cap');
  const grok = accuracyEventSteps(records).grok;
  if (grok !== null) return done(grok + afterGrok, 'grokked');
  if (committed.length) {
    // The same configuration grokked there at this step, or never did and stopped where its records end (the cap).
    const committedGrok = accuracyEventSteps(committed).grok;
    return done(committedGrok !== null ? committedGrok + afterGrok : committed.at(-1)!.step, 'committed');
  }
  const similar = history.get(grokHistoryKey(config));
  if (similar?.length) return done(start + median(similar) + afterGrok, 'median');
  return done(start + Math.round((cap - start) / 2) + afterGrok, 'prior');
}

/** Cost of `length` at `price`: steps, their checkpoints (every eval_every steps) and the paper's dearer ones. */
export function costOf(config: RunConfig, length: Pick<ExpectedLength, 'steps'>, price: ShapeCost, measures: Pick<CheckpointMeasures, 'cost'>): number {
  const checkpoints = Math.ceil(length.steps / config.eval_every) + 1;
  const dear = measures.cost(config).dear;
  const nulls = dear ? Math.ceil(length.steps / dear.every) : 0;
  return length.steps * price.step + checkpoints * price.checkpoint + nulls * price.null;
}

/**
 * Seconds per step, checkpoint and null of each shape, measured on this machine once per shape. On the webgpu
 * engine a run trains in a lockstep group with the other runs of its shape, and a group of R costs far less than
 * R runs alone: `price(config, peers)` then times `peers` runs stepping and measuring together and charges each
 * its share (the CPU engines train one run per process, so `peers` changes nothing there).
 */
export class SecondsCalibration {
  private readonly measured = new Map<string, ShapeCost>();

  constructor(
    private readonly engine: EngineKind,
    /** The paper's checkpoint measures: what one checkpoint costs. */
    private readonly measures: CheckpointMeasures,
    private readonly options: EngineOptions = {},
  ) {}

  async price(config: RunConfig, peers = 1): Promise<ShapeCost> {
    const slots = this.engine === 'webgpu' ? Math.max(1, Math.floor(peers)) : 1;
    const key = `${shapeKey(config, this.measures)}#${slots}`;
    const known = this.measured.get(key);
    if (known) return known;
    const price = slots > 1 ? await measureGroupShape(config, slots, this.measures) : await measureShape(config, this.engine, this.options, this.measures);
    this.measured.set(key, price);
    return price;
  }
}

/**
 * Times 4 training steps after 8 of warm-up (the engine's thread tuner probes during its first 8) and a checkpoint
 * after one of warm-up (the first one of a process compiles the metrics' code), with and without the null.
 */
async function measureShape(config: RunConfig, kind: EngineKind, options: EngineOptions, measures: CheckpointMeasures): Promise<ShapeCost> {
  const engine = await createEngine(kind, { model: config.model, optimizer: config.optimizer, params: initParams(config.model, 0), options });
  try {
    return await timeShape(config, [engine], measures);
  } finally {
    engine.dispose();
  }
}

/**
 * The same timings for `slots` runs in one WebGPU lockstep group (fewer where the adapter's buffers cannot hold
 * them, as the lockstep trainer does), each charged its share.
 */
async function measureGroupShape(config: RunConfig, slots: number, measures: CheckpointMeasures): Promise<ShapeCost> {
  const { WebGpuGroup } = await import('../engine/webgpu/group.js');
  const { requestWebGpuDevice } = await import('../engine/webgpu/device.js');
  const gpu = await requestWebGpuDevice();
  try {
    // Capped as the lockstep trainer caps its groups.
    const runs = Math.min(slots, WebGpuGroup.capacity(gpu, config.model));
    const price = await withFreshGroup(config, runs, (members) => timeShape(config, members, measures), gpu);
    return { step: price.step / runs, checkpoint: price.checkpoint / runs, null: price.null / runs };
  } finally {
    gpu.device.destroy();
  }
}

/** Wall seconds of one step, one checkpoint and one null of `engines` (one run, or a group's members together). */
async function timeShape(config: RunConfig, engines: readonly AsyncEngine[], measures: CheckpointMeasures): Promise<ShapeCost> {
  const { task, split } = taskFromConfig(config.task);
  const cursor = new BatchCursor(split.train.length, config.batch_size, 0);
  const batch = () => gather(task, Array.from(cursor.next(), (i) => split.train[i]));
  const steps = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const b = batch();
      await Promise.all(engines.map((engine) => engine.trainStep(b.tokens, b.labels)));
    }
  };
  const checkpoint = (step: number) =>
    Promise.all(engines.map((engine) => measures.measure(engine, task, split, config, step, config.optimizer.weight_decay, [])));
  await steps(8);
  const t0 = performance.now();
  await steps(4);
  const step = (performance.now() - t0) / 4 / 1000;
  // Step 1 is off the 500-step grid, so these checkpoints run no null.
  await checkpoint(1);
  const t1 = performance.now();
  await checkpoint(1);
  const plain = (performance.now() - t1) / 1000;
  let nullCost = 0;
  const dear = measures.cost(config).dear;
  if (dear && task.kind !== 'sym') {
    const t2 = performance.now();
    await checkpoint(dear.every);
    nullCost = Math.max(0, (performance.now() - t2) / 1000 - plain);
  }
  return { step, checkpoint: plain, null: nullCost };
}
