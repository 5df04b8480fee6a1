/**
 * Runs in lockstep on WebGPU (issue "GPU training through WebGPU", the lockstep trainer): one WebGpuModel holds
 * R runs of one shape, and every run is trained by its own training loop (src/train/loop.ts: its own store entry,
 * checkpoints, resume, lock, stop rules and events) through a member engine, the AsyncEngine of one slot.
 *
 * The members' calls meet at a barrier: a step or an evaluation waits until every member of the group has asked
 * for something (each loop asks for one thing at a time; a member that is done must leave), and then
 *  - evaluations that differ only in their override values (every member measuring the grid at a checkpoint)
 *    are one evaluation of all R runs, and so are tail evaluations on the same labels;
 *  - when every member asks for a training step, the step is one dispatch per layer for all R runs; members
 *    whose batches differ in size (a fork elsewhere in its epoch, another batch size) step in turns, one turn
 *    per size, the others sitting it out (AdamW leaves a run that sits out exactly as it was);
 *  - anything else (a state read or write, gradients) runs for its member alone, without waiting.
 * No kernel reads another run's slot and every reduction has a fixed order, so a run gets the same bits in a
 * group as alone: the solo `--engine webgpu` is a group of one (engine.ts). A member leaves when its run's loop
 * disposes of its engine, and its slot takes the next run.
 */
import type { Params } from '../../model/params.js';
import type { ModelConfig, OptimizerConfig } from '../../schema/model.js';
import type { AsyncEngine, EngineCreateArgs, EvalRequest, EvalResult, TailRequest, TrainingState } from '../engine.js';
import { requestWebGpuDevice, type WebGpuDevice } from './device.js';
import { POSITIONS as T, WebGpuModel } from './model.js';

/**
 * The largest batch one step takes unless the group is opened for more (the small profile's full batch, 2048),
 * and the rows of one evaluation chunk (WEBGPU_EVAL_CHUNK in model.ts, the same in every group whatever its
 * largest batch: an evaluation's loss is summed per chunk, so its rounding depends on the chunk).
 */
export const WEBGPU_MAX_BATCH = 2048;

interface Settle<V> {
  resolve(value: V): void;
  reject(error: unknown): void;
}

type Pending =
  | { kind: 'step'; tokens: Int32Array; labels: Int32Array; optimizer: OptimizerConfig; wantLoss: boolean; settle: Settle<number> }
  | { kind: 'evaluate'; request: EvalRequest; settle: Settle<EvalResult> }
  | { kind: 'tail'; request: TailRequest; settle: Settle<EvalResult> }
  | { kind: 'alone'; work: () => Promise<unknown>; settle: Settle<unknown> };

/** A member's call as it submits it (the barrier adds how to answer it). */
type Call = { [K in Pending['kind']]: Omit<Extract<Pending, { kind: K }>, 'settle'> }[Pending['kind']];

export interface WebGpuGroupOptions {
  /** Destroy the device with the group (it opened its own). */
  ownsDevice?: boolean;
}

export class WebGpuGroup {
  readonly description: string;
  private readonly model: WebGpuModel;
  private readonly free: number[];
  private readonly active = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private pumping = false;
  private disposed = false;

  private constructor(
    private readonly gpu: WebGpuDevice,
    readonly config: ModelConfig,
    readonly slots: number,
    private readonly options: WebGpuGroupOptions,
    maxBatch: number,
  ) {
    this.model = new WebGpuModel(gpu.device, config, slots, maxBatch);
    this.free = Array.from({ length: slots }, (_, r) => r);
    this.description = `webgpu (WGSL, ${gpu.description}${gpu.software ? '; a CPU implementation' : ''})`;
  }

  /**
   * A group of `slots` runs of one model shape on its own device (or on `gpu`, which the caller keeps), taking
   * training batches of up to `maxBatch` examples.
   */
  static async open(config: ModelConfig, slots: number, gpu?: WebGpuDevice, maxBatch = WEBGPU_MAX_BATCH): Promise<WebGpuGroup> {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`a lockstep group needs at least one slot, got ${slots}`);
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`a lockstep group needs a largest batch of at least 1, got ${maxBatch}`);
    return new WebGpuGroup(gpu ?? (await requestWebGpuDevice()), config, slots, { ownsDevice: gpu === undefined }, maxBatch);
  }

  /**
   * How many runs of a model fit one group on this device: R times the largest per-run buffer within the
   * storage-buffer binding and buffer-size limits. (WebGPU does not say how much memory a device has; the caller
   * bounds the group size too.)
   */
  static capacity(gpu: WebGpuDevice, config: ModelConfig, maxBatch = WEBGPU_MAX_BATCH): number {
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    return Math.max(1, Math.floor(limit / (4 * WebGpuModel.largestBufferFloatsPerRun(config, maxBatch))));
  }

  /** Bytes of GPU memory the group's buffers hold. */
  get bytes(): number {
    return this.model.bytes;
  }

  /** Runs training now. */
  get members(): number {
    return this.active.size;
  }

  /**
   * A run joins: it takes a free slot with its parameters (zero moments, step 0 until a setState), and the
   * engine it gets steps with the group. Throws when the group is full. With `closesGroup` the run's engine
   * closes the group when it is disposed of (a group of one: the solo engine).
   */
  join(args: Pick<EngineCreateArgs, 'model' | 'optimizer' | 'params'>, options: { closesGroup?: boolean } = {}): AsyncEngine {
    if (this.disposed) throw new Error('the lockstep group is closed');
    if (JSON.stringify(args.model) !== JSON.stringify(this.config)) throw new RangeError('a run joins only a group of its own model shape');
    const slot = this.free.shift();
    if (slot === undefined) throw new RangeError(`the lockstep group is full (${this.slots} runs)`);
    this.model.setRun(slot, args.params);
    this.active.add(slot);
    return new GroupMember(this, slot, args.optimizer, options.closesGroup ?? false);
  }

  /** @internal A member's call, answered when the barrier lets it through. */
  submit<V>(slot: number, op: Call): Promise<V> {
    if (!this.active.has(slot)) return Promise.reject(new Error(`slot ${slot} has left the lockstep group`));
    if (this.pending.has(slot)) return Promise.reject(new Error(`slot ${slot} already waits for the group: one call at a time per run`));
    return new Promise<V>((resolve, reject) => {
      this.pending.set(slot, { ...op, settle: { resolve, reject } } as Pending);
      void this.pump();
    });
  }

  /** @internal A member's run stopped: its slot is free; the others no longer wait for it. */
  leave(slot: number): void {
    if (!this.active.delete(slot)) return;
    this.pending.get(slot)?.settle.reject(new Error(`slot ${slot} left the lockstep group`));
    this.pending.delete(slot);
    this.free.push(slot);
    this.free.sort((a, b) => a - b);
    void this.pump();
  }

  /** @internal */
  async stateOf(slot: number): Promise<TrainingState> {
    const [params, { m, v }] = await Promise.all([this.model.read('params', slot), this.model.readMoments(slot)]);
    return { params, adamM: m, adamV: v, step: this.model.steps[slot] };
  }

  /** @internal */
  setStateOf(slot: number, state: TrainingState): void {
    this.model.setRun(slot, state.params, { m: state.adamM, v: state.adamV, step: state.step });
  }

  /** @internal Loss and gradients of one member's batch (the other slots compute on zeros, unread). */
  async gradientsOf(slot: number, tokens: Int32Array, labels: Int32Array): Promise<{ loss: number; grads: Params }> {
    const n = labels.length;
    const losses = await this.model.gradients(placed(tokens, slot, this.slots, n * T), placed(labels, slot, this.slots, n), n);
    return { loss: losses[slot], grads: await this.model.read('grads', slot) };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const op of this.pending.values()) op.settle.reject(new Error('the lockstep group was closed'));
    this.pending.clear();
    this.active.clear();
    this.model.dispose();
    if (this.options.ownsDevice) this.gpu.device.destroy();
  }

  /**
   * Lets calls through while every member waits for one (see the header comment), and a member's call for
   * itself alone at once; one batch at a time.
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // A call for one member alone has nothing to wait for; steps and evaluations wait for every member.
      const alone = () => [...this.pending.values()].some((op) => op.kind === 'alone');
      while (!this.disposed && this.pending.size > 0 && (this.pending.size >= this.active.size || alone())) await this.runOneBatch();
    } finally {
      this.pumping = false;
    }
  }

  private async runOneBatch(): Promise<void> {
    const ops = [...this.pending.entries()].sort(([a], [b]) => a - b);
    const first = ops.find(([, op]) => op.kind === 'alone') ?? ops.find(([, op]) => op.kind !== 'step') ?? ops[0];
    const [, lead] = first;
    const batch =
      lead.kind === 'step'
        ? ops
        : lead.kind === 'alone'
          ? [first]
          : ops.filter(([, op]) => op.kind === lead.kind && (lead.kind === 'evaluate' ? sameEvaluation(lead.request, (op as typeof lead).request) : sameTail(lead.request, (op as typeof lead).request)));
    for (const [slot] of batch) this.pending.delete(slot);
    try {
      if (lead.kind === 'step') await this.step(batch as [number, Extract<Pending, { kind: 'step' }>][]);
      else if (lead.kind === 'alone') lead.settle.resolve(await lead.work());
      else if (lead.kind === 'evaluate') await this.evaluate(batch as [number, Extract<Pending, { kind: 'evaluate' }>][]);
      else await this.tail(batch as [number, Extract<Pending, { kind: 'tail' }>][]);
    } catch (error) {
      for (const [, op] of batch) op.settle.reject(error);
    }
  }

  /** One lockstep step: one turn per batch size, the members of other sizes (and free slots) sitting it out. */
  private async step(batch: [number, Extract<Pending, { kind: 'step' }>][]): Promise<void> {
    const R = this.slots;
    const sizes = [...new Set(batch.map(([, op]) => op.labels.length))].sort((a, b) => b - a);
    for (const n of sizes) {
      const turn = batch.filter(([, op]) => op.labels.length === n);
      if (this.model.queuedSteps >= this.model.maxQueued) await this.model.flushLosses();
      const tokens = new Int32Array(R * n * T), labels = new Int32Array(R * n);
      const optimizers: (OptimizerConfig | null)[] = Array.from({ length: R }, () => null);
      for (const [slot, op] of turn) {
        tokens.set(op.tokens, slot * n * T);
        labels.set(op.labels, slot * n);
        optimizers[slot] = op.optimizer;
      }
      this.model.queueStep(tokens, labels, n, optimizers);
      if (turn.some(([, op]) => op.wantLoss)) {
        const losses = (await this.model.flushLosses()).at(-1)!;
        for (const [slot, op] of turn) op.settle.resolve(losses[slot]);
      } else for (const [, op] of turn) op.settle.resolve(Number.NaN);
    }
  }

  private async evaluate(batch: [number, Extract<Pending, { kind: 'evaluate' }>][]): Promise<void> {
    const lead = batch[0][1].request;
    let request = lead;
    if (lead.override) {
      const per = lead.override.values.length;
      const values = new Float32Array(this.slots * per);
      for (const [slot, op] of batch) values.set(op.request.override!.values, slot * per);
      request = { ...lead, override: { layer: lead.override.layer, values } };
    }
    const results = await this.model.evaluate(request);
    for (const [slot, op] of batch) op.settle.resolve(results[slot]);
  }

  private async tail(batch: [number, Extract<Pending, { kind: 'tail' }>][]): Promise<void> {
    const lead = batch[0][1].request;
    const residual = new Float32Array(this.slots * lead.residual.length), hidden = new Float32Array(this.slots * lead.hidden.length);
    for (const [slot, op] of batch) {
      residual.set(op.request.residual, slot * lead.residual.length);
      hidden.set(op.request.hidden, slot * lead.hidden.length);
    }
    const results = await this.model.evaluateTail({ residual, hidden, labels: lead.labels, ...(lead.logits ? { logits: true } : {}) });
    for (const [slot, op] of batch) op.settle.resolve(results[slot]);
  }
}

/** `values` (one run's rows) at slot `slot` of an [R, rows] array of zeros. */
function placed(values: Int32Array, slot: number, runs: number, rows: number): Int32Array {
  const out = new Int32Array(runs * rows);
  out.set(values, slot * rows);
  return out;
}

function sameInts(a: Int32Array, b: Int32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Two evaluations one pass can answer: the same examples, captures, zeroing and logits; overrides at one layer. */
function sameEvaluation(a: EvalRequest, b: EvalRequest): boolean {
  return (
    sameInts(a.tokens, b.tokens) &&
    sameInts(a.labels, b.labels) &&
    JSON.stringify(a.capture ?? []) === JSON.stringify(b.capture ?? []) &&
    JSON.stringify(a.zero ?? []) === JSON.stringify(b.zero ?? []) &&
    Boolean(a.logits) === Boolean(b.logits) &&
    a.override?.layer === b.override?.layer &&
    a.override?.values.length === b.override?.values.length
  );
}

function sameTail(a: TailRequest, b: TailRequest): boolean {
  return sameInts(a.labels, b.labels) && Boolean(a.logits) === Boolean(b.logits) && a.residual.length === b.residual.length && a.hidden.length === b.hidden.length;
}

/** One run's engine: a slot of a lockstep group (WebGpuGroup.join). */
class GroupMember implements AsyncEngine {
  readonly kind = 'webgpu' as const;
  /** Subnormals are as the adapter treats them (WGSL lets it flush them); no flag changes that. */
  readonly denormals = 'keep' as const;
  private left = false;

  constructor(
    private readonly group: WebGpuGroup,
    private readonly slot: number,
    private optimizer: OptimizerConfig,
    private readonly closesGroup: boolean,
  ) {}

  get description(): string {
    return this.group.description;
  }

  get config(): ModelConfig {
    return this.group.config;
  }

  get lockstepSlots(): number | undefined {
    return this.group.slots > 1 ? this.group.slots : undefined;
  }

  trainStep(tokens: Int32Array, labels: Int32Array): Promise<number> {
    return this.group.submit(this.slot, { kind: 'step', tokens, labels, optimizer: this.optimizer, wantLoss: true });
  }

  async queueStep(tokens: Int32Array, labels: Int32Array): Promise<void> {
    await this.group.submit(this.slot, { kind: 'step', tokens, labels, optimizer: this.optimizer, wantLoss: false });
  }

  gradients(tokens: Int32Array, labels: Int32Array): Promise<{ loss: number; grads: Params }> {
    return this.alone(() => this.group.gradientsOf(this.slot, tokens, labels));
  }

  evaluate(request: EvalRequest): Promise<EvalResult> {
    return this.group.submit(this.slot, { kind: 'evaluate', request });
  }

  evaluateTail(request: TailRequest): Promise<EvalResult> {
    return this.group.submit(this.slot, { kind: 'tail', request });
  }

  getState(): Promise<TrainingState> {
    return this.alone(() => this.group.stateOf(this.slot));
  }

  setState(state: TrainingState): Promise<void> {
    return this.alone(async () => this.group.setStateOf(this.slot, state));
  }

  setOptimizer(optimizer: OptimizerConfig): void {
    this.optimizer = optimizer;
  }

  dispose(): void {
    if (this.left) return;
    this.left = true;
    this.group.leave(this.slot);
    if (this.closesGroup) this.group.dispose();
  }

  private alone<V>(work: () => Promise<V>): Promise<V> {
    return this.group.submit(this.slot, { kind: 'alone', work });
  }
}
