/// <reference types="@webgpu/types" />
/**
 * The model of shared/spec/model.md on WebGPU for R runs of one shape in lockstep (issue "GPU training through
 * WebGPU"): every parameter, gradient and Adam moment is one [R, ...] buffer, every layer one dispatch for all R
 * runs (layers.ts, matmul.ts), each run with its own batch, weight decay and step count. Forward, backward and
 * AdamW of a step are encoded on one command buffer; only the losses are read back.
 *
 * Activations live for batches of at most `maxBatch` examples (a shorter last batch of an epoch uses the front
 * of each buffer). The residual stream keeps every block's input and middle, which the backward pass reads.
 */
import { blockHasAttention, blockHasMlp, paramSpecs, sizeOf, type Params } from '../../model/params.js';
import { modelSwitches, warmedLr, type ModelConfig, type OptimizerConfig } from '../../schema/model.js';
import { parseSite, type SiteName } from '../../schema/sites.js';
import type { Component, EvalRequest, EvalResult, TailRequest } from '../engine.js';
import { emptyBuffer, readFloats, Readback } from './buffers.js';
import { f32, groupsFor } from './kernel.js';
import { ADAMW_HYPER_FLOATS, adamwHyper, LayerKernels } from './layers.js';
import { MatmulForward } from './matmul.js';

/** Positions per example: [a, b, separator]. */
export const POSITIONS = 3;
const T = POSITIONS;
const LN_EPS = 1e-5;
/**
 * Rows of one evaluation chunk, whatever the largest training batch: an evaluation's loss is summed per chunk,
 * so its rounding depends on the chunk, and a run must evaluate the same on groups opened for any batch.
 */
export const WEBGPU_EVAL_CHUNK = 2048;

interface BlockActs {
  ln1?: { out: GPUBuffer; mean: GPUBuffer; rstd: GPUBuffer };
  q?: GPUBuffer;
  k?: GPUBuffer;
  v?: GPUBuffer;
  y?: GPUBuffer;
  probs?: GPUBuffer;
  attnOut?: GPUBuffer;
  ln2?: { out: GPUBuffer; mean: GPUBuffer; rstd: GPUBuffer };
  pre?: GPUBuffer;
  hidden?: GPUBuffer;
  mlpOut?: GPUBuffer;
  /** The residual stream entering the block, after its attention (when it has one), and leaving it. */
  input: GPUBuffer;
  mid: GPUBuffer;
  output: GPUBuffer;
}

interface LayerNormFloats {
  out: number;
  mean: number;
  rstd: number;
}

/**
 * Floats per run of every buffer the model allocates (each holds R runs' worth): the one place their sizes are
 * given, so that the memory a group needs is known before it opens (largestBufferFloatsPerRun) and is what the
 * constructor then allocates. `params` is per parameter name, allocated four times (values, gradients, both
 * Adam moments).
 */
export interface BufferLayout {
  params: Record<string, number>;
  tokens: number;
  labels: number;
  hyper: number;
  lossLog: number;
  embed: number;
  blocks: {
    /** ln1 and ln2 are absent under norm: 'none'. */
    attention?: { ln1?: LayerNormFloats; q: number; k: number; v: number; y: number; probs: number; attnOut: number; mid: number };
    mlp?: { ln2?: LayerNormFloats; pre: number; hidden: number; mlpOut: number; output: number };
  }[];
  head: Record<'last' | 'lnf' | 'meanf' | 'rstdf' | 'logits' | 'losses' | 'dlogits' | 'correct' | 'meanLoss' | 'meanAcc', number>;
  back: Record<'dx' | 'dlast' | 'dlnf' | 'dh' | 'dpre' | 'dhidden' | 'dy' | 'dq' | 'dk' | 'dv', number>;
}

/** The buffers of a model of `config` for batches of up to `maxBatch` examples and `maxQueued` queued steps. */
export function bufferLayout(config: ModelConfig, maxBatch: number, maxQueued = 100): BufferLayout {
  const { d_model: d, d_mlp: dm, classes: C } = config;
  const M = maxBatch * T; // rows: every position of every example
  const E = maxBatch; // rows: one per example
  const layernorm = modelSwitches(config).norm === 'layernorm';
  const norm = (width: number): LayerNormFloats | undefined => (layernorm ? { out: M * width, mean: M, rstd: M } : undefined);
  return {
    params: Object.fromEntries(paramSpecs(config).map((spec) => [spec.name, sizeOf(spec.shape)])),
    tokens: M,
    labels: E,
    hyper: ADAMW_HYPER_FLOATS,
    lossLog: maxQueued,
    embed: M * d,
    blocks: Array.from({ length: config.n_layers }, () => ({
      ...(blockHasAttention(config)
        ? { attention: { ln1: norm(d), q: M * d, k: M * d, v: M * d, y: M * d, probs: E * config.n_heads * T * T, attnOut: M * d, mid: M * d } }
        : {}),
      ...(blockHasMlp(config) ? { mlp: { ln2: norm(d), pre: M * dm, hidden: M * dm, mlpOut: M * d, output: M * d } } : {}),
    })),
    head: { last: E * d, lnf: E * d, meanf: E, rstdf: E, logits: E * C, losses: E, dlogits: E * C, correct: E, meanLoss: 1, meanAcc: 1 },
    // The backward pass's MLP scratch (dpre, dhidden) is d_mlp wide in every variant.
    back: { dx: M * d, dlast: E * d, dlnf: E * d, dh: M * d, dpre: M * dm, dhidden: M * dm, dy: M * d, dq: M * d, dk: M * d, dv: M * d },
  };
}

/** Every buffer's floats per run, each parameter four times (as allocated). */
export function layoutFloats(layout: BufferLayout): number[] {
  const leaves = (x: unknown): number[] =>
    typeof x === 'number' ? [x] : x === undefined ? [] : Object.values(x as object).flatMap(leaves);
  const { params, ...rest } = layout;
  return [...leaves(params).flatMap((n) => [n, n, n, n]), ...leaves(rest)];
}

export class WebGpuModel {
  private readonly k: LayerKernels;
  /** The switches of model.md that change the kernels run (norm: 'none' runs no LayerNorm; act: 'relu'). */
  private readonly layernorm: boolean;
  /** Rows per evaluation chunk (WEBGPU_EVAL_CHUNK, or fewer when the buffers hold fewer). */
  private readonly evalChunk: number;
  private readonly relu: boolean;
  private readonly mm: MatmulForward;
  private readonly sizes = new Map<string, number>();
  readonly params = new Map<string, GPUBuffer>();
  readonly grads = new Map<string, GPUBuffer>();
  private readonly m = new Map<string, GPUBuffer>();
  private readonly v = new Map<string, GPUBuffer>();
  /** Adam steps taken by each run. */
  readonly steps: number[];
  private readonly tokens: GPUBuffer;
  private readonly labels: GPUBuffer;
  private readonly hyper: GPUBuffer;
  private readonly blocks: BlockActs[] = [];
  private readonly head: Record<'embed' | 'last' | 'lnf' | 'meanf' | 'rstdf' | 'logits' | 'losses' | 'dlogits' | 'correct' | 'meanLoss' | 'meanAcc', GPUBuffer>;
  private readonly back: Record<'dx' | 'dlast' | 'dlnf' | 'dh' | 'dpre' | 'dhidden' | 'dy' | 'dq' | 'dk' | 'dv', GPUBuffer>;
  private readonly all: GPUBuffer[] = [];
  /** The largest buffer allocated, in floats (R times largestBufferFloatsPerRun). */
  readonly largestBufferFloats: number = 0;
  /** Bytes of GPU memory the model's buffers hold (all of them scale with R). */
  readonly bytes: number = 0;
  /** Each queued step's losses ([maxQueued, R]), read back at once by `flushLosses`. */
  private readonly lossLog: GPUBuffer;
  private queued = 0;

  /** Steps queued since their losses were last read (at most maxQueued). */
  get queuedSteps(): number {
    return this.queued;
  }

  constructor(
    private readonly device: GPUDevice,
    readonly config: ModelConfig,
    readonly runs: number,
    readonly maxBatch: number,
    /** Steps that may be queued between two reads of their losses (the steps between two checkpoints). */
    readonly maxQueued = 100,
  ) {
    const switches = modelSwitches(config);
    // WGSL has no f64 (model.md "Model switches" lets this engine refuse the switch by name).
    if (switches.loss_precision === 'f64') throw new RangeError("the webgpu engine has no float64: loss_precision 'f64' needs the native engine");
    this.layernorm = switches.norm === 'layernorm';
    this.relu = switches.act === 'relu';
    this.evalChunk = Math.min(maxBatch, WEBGPU_EVAL_CHUNK);
    this.k = new LayerKernels(device);
    this.mm = new MatmulForward(device);
    const R = runs;
    const layout = bufferLayout(config, maxBatch, maxQueued);
    const buf = (perRun: number, label: string) => {
      const floats = R * perRun;
      (this as { largestBufferFloats: number }).largestBufferFloats = Math.max(this.largestBufferFloats, floats);
      (this as { bytes: number }).bytes += 4 * floats;
      const b = emptyBuffer(device, floats, label);
      this.all.push(b);
      return b;
    };
    const ln = (sizes: LayerNormFloats, label: string) => ({ out: buf(sizes.out, label), mean: buf(sizes.mean, `${label} mean`), rstd: buf(sizes.rstd, `${label} rstd`) });
    for (const [name, n] of Object.entries(layout.params)) {
      this.sizes.set(name, n);
      for (const [map, what] of [[this.params, 'param'], [this.grads, 'grad'], [this.m, 'm'], [this.v, 'v']] as const) map.set(name, buf(n, `${what} ${name}`));
    }
    this.steps = Array.from({ length: R }, () => 0);
    this.tokens = buf(layout.tokens, 'tokens');
    this.labels = buf(layout.labels, 'labels');
    this.hyper = buf(layout.hyper, 'adamw hyper');
    this.lossLog = buf(layout.lossLog, 'loss log');
    const embed = buf(layout.embed, 'embed');
    let stream = embed;
    layout.blocks.forEach((b, l) => {
      const block: BlockActs = { input: stream, mid: stream, output: stream };
      if (b.attention) {
        const a = b.attention;
        if (a.ln1) block.ln1 = ln(a.ln1, `b${l} ln1`);
        block.q = buf(a.q, `b${l} q`);
        block.k = buf(a.k, `b${l} k`);
        block.v = buf(a.v, `b${l} v`);
        block.y = buf(a.y, `b${l} y`);
        block.probs = buf(a.probs, `b${l} probs`);
        block.attnOut = buf(a.attnOut, `b${l} attn out`);
        block.mid = buf(a.mid, `b${l} resid mid`);
      }
      if (b.mlp) {
        const m = b.mlp;
        if (m.ln2) block.ln2 = ln(m.ln2, `b${l} ln2`);
        block.pre = buf(m.pre, `b${l} mlp pre`);
        block.hidden = buf(m.hidden, `b${l} mlp hidden`);
        block.mlpOut = buf(m.mlpOut, `b${l} mlp out`);
        block.output = buf(m.output, `b${l} resid out`);
      } else block.output = block.mid;
      this.blocks.push(block);
      stream = block.output;
    });
    const h = layout.head;
    this.head = {
      embed,
      last: buf(h.last, 'last'),
      lnf: buf(h.lnf, 'ln_f'),
      meanf: buf(h.meanf, 'ln_f mean'),
      rstdf: buf(h.rstdf, 'ln_f rstd'),
      logits: buf(h.logits, 'logits'),
      losses: buf(h.losses, 'losses'),
      dlogits: buf(h.dlogits, 'dlogits'),
      correct: buf(h.correct, 'correct'),
      meanLoss: buf(h.meanLoss, 'mean loss'),
      meanAcc: buf(h.meanAcc, 'mean accuracy'),
    };
    const d = layout.back;
    this.back = {
      dx: buf(d.dx, 'dx'),
      dlast: buf(d.dlast, 'dlast'),
      dlnf: buf(d.dlnf, 'dlnf'),
      dh: buf(d.dh, 'dh'),
      dpre: buf(d.dpre, 'dpre'),
      dhidden: buf(d.dhidden, 'dhidden'),
      dy: buf(d.dy, 'dy'),
      dq: buf(d.dq, 'dq'),
      dk: buf(d.dk, 'dk'),
      dv: buf(d.dv, 'dv'),
    };
  }

  /**
   * The largest buffer the constructor allocates, per run, in floats: a group of R runs needs R times this
   * within the device's storage-buffer binding limit.
   */
  static largestBufferFloatsPerRun(config: ModelConfig, maxBatch: number, maxQueued = 100): number {
    return Math.max(...layoutFloats(bufferLayout(config, maxBatch, maxQueued)));
  }

  /** Run r's parameters (every name of model.md), and optionally its Adam moments and step count. */
  setRun(r: number, params: Params, adam?: { m: Params; v: Params; step: number }): void {
    for (const [name, size] of this.sizes) {
      const data = params[name];
      if (!data || data.length !== size) throw new RangeError(`run ${r}: parameter ${name} needs ${size} values, got ${data?.length ?? 'none'}`);
      this.device.queue.writeBuffer(this.params.get(name)!, r * size * 4, data);
      const zeros = new Float32Array(size);
      this.device.queue.writeBuffer(this.m.get(name)!, r * size * 4, adam ? adam.m[name] : zeros);
      this.device.queue.writeBuffer(this.v.get(name)!, r * size * 4, adam ? adam.v[name] : zeros);
    }
    this.steps[r] = adam?.step ?? 0;
  }

  /** Run r's values of one of the per-parameter maps (parameters, gradients). */
  async read(which: 'params' | 'grads', r: number): Promise<Params> {
    const out: Params = {};
    const map = which === 'params' ? this.params : this.grads;
    await Promise.all([...this.sizes].map(async ([name, size]) => (out[name] = await readFloats(this.device, map.get(name)!, size, r * size))));
    return out;
  }

  private p(name: string): GPUBuffer {
    return this.params.get(name)!;
  }
  /** A bias, or null where a switch removed it (attn_bias, unembed_bias: false). */
  private bias(name: string): GPUBuffer | null {
    return this.params.get(name) ?? null;
  }
  /** Encodes a bias gradient, where the bias exists. */
  private biasGrad(enc: GPUCommandEncoder, rowsPerRun: number, width: number, dout: GPUBuffer, name: string): void {
    const g = this.grads.get(name);
    if (g) this.k.biasGrad.encode(enc, [this.runs, rowsPerRun, width], [dout, g], groupsFor(this.runs * width));
  }
  /** The MLP's nonlinearity, forward: hidden = act(pre) over `count` values. */
  private activationForward(enc: GPUCommandEncoder, count: number, pre: GPUBuffer, hidden: GPUBuffer): void {
    (this.relu ? this.k.reluForward : this.k.geluForward).encode(enc, [count], [pre, hidden], groupsFor(count));
  }
  /** Its backward: dpre = dhidden act'(pre). */
  private activationBackward(enc: GPUCommandEncoder, count: number, pre: GPUBuffer, dhidden: GPUBuffer, dpre: GPUBuffer): void {
    (this.relu ? this.k.reluBackward : this.k.geluBackward).encode(enc, [count], [pre, dhidden, dpre], groupsFor(count));
  }
  private g(name: string): GPUBuffer {
    return this.grads.get(name)!;
  }

  /** Uploads one batch per run: tokens [R, n, 3] and labels [R, n] (the same n for every run of a step). */
  private upload(tokens: Int32Array, labels: Int32Array, n: number): void {
    if (n < 1 || n > this.maxBatch) throw new RangeError(`batch of ${n}: this model holds 1..${this.maxBatch} examples per run`);
    if (tokens.length !== this.runs * n * T || labels.length !== this.runs * n) throw new RangeError(`expected tokens [${this.runs}, ${n}, 3] and labels [${this.runs}, ${n}]`);
    this.device.queue.writeBuffer(this.tokens, 0, tokens);
    this.device.queue.writeBuffer(this.labels, 0, labels);
  }

  /**
   * The forward pass to every run's mean loss (meanLoss) and dlogits, for batches of n examples; `zero` skips
   * components' outputs (the residual passes unchanged), `override` replaces a block's MLP hidden at the last
   * position by the rows of a buffer ([R, n, d_mlp]) before W_out.
   */
  private encodeForward(enc: GPUCommandEncoder, n: number, opts: { zero?: readonly Component[]; override?: { layer: number; buffer: GPUBuffer } } = {}): void {
    const zeroed = (layer: number, kind: Component['kind']) => opts.zero?.some((z) => z.layer === layer && z.kind === kind) ?? false;
    const { k, mm, config: c, runs: R } = this;
    const { d_model: d, d_mlp: dm, classes: C, vocab: V, n_heads: H } = c;
    const NT = n * T, M = R * NT, E = R * n;
    k.embedForward.encode(enc, [R, n, T, d, V], [this.tokens, this.p('embed.W_E'), this.p('embed.W_pos'), this.head.embed], groupsFor(M * d));
    this.blocks.forEach((b, l) => {
      const name = (s: string) => `blocks.${l}.${s}`;
      if (b.q) {
        if (b.ln1) k.layernormForward.encode(enc, [M, NT, d, f32(LN_EPS)], [b.input, this.p(name('ln1.w')), this.p(name('ln1.b')), b.ln1.out, b.ln1.mean, b.ln1.rstd], groupsFor(M));
        const attnIn = b.ln1?.out ?? b.input;
        for (const [w, bias, out] of [['attn.W_Q', 'attn.b_Q', b.q], ['attn.W_K', 'attn.b_K', b.k!], ['attn.W_V', 'attn.b_V', b.v!]] as const)
          mm.encode(enc, { runs: R, n: NT, c: d, o: d }, attnIn, this.p(name(w)), this.bias(name(bias)), out);
        k.attentionForward.encode(enc, [E, T, d, H], [b.q, b.k!, b.v!, b.y!, b.probs!], groupsFor(E * H));
        mm.encode(enc, { runs: R, n: NT, c: d, o: d }, b.y!, this.p(name('attn.W_O')), this.bias(name('attn.b_O')), b.attnOut!);
        if (zeroed(l, 'attn')) {
          // The zeroed output is what its capture site shows (as the native engine's attn.out does).
          enc.clearBuffer(b.attnOut!, 0, M * d * 4);
          enc.copyBufferToBuffer(b.input, 0, b.mid, 0, M * d * 4);
        } else k.add.encode(enc, [M * d], [b.input, b.attnOut!, b.mid], groupsFor(M * d));
      }
      if (b.pre) {
        if (b.ln2) k.layernormForward.encode(enc, [M, NT, d, f32(LN_EPS)], [b.mid, this.p(name('ln2.w')), this.p(name('ln2.b')), b.ln2.out, b.ln2.mean, b.ln2.rstd], groupsFor(M));
        mm.encode(enc, { runs: R, n: NT, c: d, o: dm }, b.ln2?.out ?? b.mid, this.p(name('mlp.W_in')), this.p(name('mlp.b_in')), b.pre);
        this.activationForward(enc, M * dm, b.pre, b.hidden!);
        if (opts.override?.layer === l) k.lastPosition.encode(enc, [E, T, dm, 2], [opts.override.buffer, b.hidden!], groupsFor(M * dm));
        mm.encode(enc, { runs: R, n: NT, c: dm, o: d }, b.hidden!, this.p(name('mlp.W_out')), this.p(name('mlp.b_out')), b.mlpOut!);
        if (zeroed(l, 'mlp')) enc.copyBufferToBuffer(b.mid, 0, b.output, 0, M * d * 4);
        else k.add.encode(enc, [M * d], [b.mid, b.mlpOut!, b.output], groupsFor(M * d));
      }
    });
    const h = this.head;
    const final = this.blocks.at(-1)?.output ?? h.embed;
    k.lastPosition.encode(enc, [E, T, d, 0], [final, h.last], groupsFor(E * d));
    this.encodeUnembed(enc, E, n);
    k.crossentropy.encode(enc, [E, n, C], [h.logits, this.labels, h.losses, h.dlogits, h.correct], groupsFor(E));
    k.rowMean.encode(enc, [R, n], [h.losses, h.meanLoss], groupsFor(R));
    k.rowMean.encode(enc, [R, n], [h.correct, h.meanAcc], groupsFor(R));
  }

  /** logits = LN_f(last) W_U + b_U on E = R * n rows (LN_f the identity under norm: none). */
  private encodeUnembed(enc: GPUCommandEncoder, E: number, n: number): void {
    const h = this.head;
    const { d_model: d, classes: C } = this.config;
    if (this.layernorm)
      this.k.layernormForward.encode(enc, [E, n, d, f32(LN_EPS)], [h.last, this.p('ln_f.w'), this.p('ln_f.b'), h.lnf, h.meanf, h.rstdf], groupsFor(E));
    this.mm.encode(enc, { runs: this.runs, n, c: d, o: C }, this.layernorm ? h.lnf : h.last, this.p('unembed.W_U'), this.bias('unembed.b_U'), h.logits);
  }

  /** out[r] = A_r^T B_r (a weight gradient: A [rows, a], B [rows, b] per run, out [a, b]). */
  private weightGrad(enc: GPUCommandEncoder, rows: number, a: number, bCols: number, A: GPUBuffer, B: GPUBuffer, out: GPUBuffer): void {
    this.k.matmulStrided.encode(enc, [a, rows, bCols, 1, a, bCols, 1, rows * a, rows * bCols, 0], [A, B, out], [Math.ceil(bCols / 16), Math.ceil(a / 16), this.runs]);
  }

  /** out[r] (+)= D_r W_r^T (an input gradient: D [rows, o], W [i, o], out [rows, i]). */
  private inputGrad(enc: GPUCommandEncoder, rows: number, i: number, o: number, D: GPUBuffer, W: GPUBuffer, out: GPUBuffer, accumulate: boolean): void {
    this.k.matmulStrided.encode(enc, [rows, o, i, o, 1, 1, o, rows * o, i * o, accumulate ? 1 : 0], [D, W, out], [Math.ceil(i / 16), Math.ceil(rows / 16), this.runs]);
  }

  /** Every gradient of every run's mean loss (forward first). */
  private encodeBackward(enc: GPUCommandEncoder, n: number): void {
    const { k, config: c, runs: R } = this;
    const { d_model: d, d_mlp: dm, classes: C, vocab: V, n_heads: H } = c;
    const NT = n * T, M = R * NT, E = R * n;
    const h = this.head, bk = this.back;
    this.weightGrad(enc, n, d, C, this.layernorm ? h.lnf : h.last, h.dlogits, this.g('unembed.W_U'));
    this.biasGrad(enc, n, C, h.dlogits, 'unembed.b_U');
    if (this.layernorm) {
      this.inputGrad(enc, n, d, C, h.dlogits, this.p('unembed.W_U'), bk.dlnf, false);
      k.layernormBackward.encode(enc, [E, n, d, 0], [bk.dlnf, h.last, this.p('ln_f.w'), h.meanf, h.rstdf, bk.dlast], groupsFor(E));
      k.layernormParamsBackward.encode(enc, [R, n, d], [bk.dlnf, h.last, h.meanf, h.rstdf, this.g('ln_f.w'), this.g('ln_f.b')], groupsFor(R * d));
    } else this.inputGrad(enc, n, d, C, h.dlogits, this.p('unembed.W_U'), bk.dlast, false);
    k.lastPosition.encode(enc, [E, T, d, 1], [bk.dlast, bk.dx], groupsFor(M * d));
    for (let l = this.blocks.length - 1; l >= 0; l--) {
      const b = this.blocks[l];
      const name = (s: string) => `blocks.${l}.${s}`;
      if (b.pre) {
        this.weightGrad(enc, NT, dm, d, b.hidden!, bk.dx, this.g(name('mlp.W_out')));
        this.biasGrad(enc, NT, d, bk.dx, name('mlp.b_out'));
        this.inputGrad(enc, NT, dm, d, bk.dx, this.p(name('mlp.W_out')), bk.dhidden, false);
        this.activationBackward(enc, M * dm, b.pre, bk.dhidden, bk.dpre);
        this.weightGrad(enc, NT, d, dm, b.ln2?.out ?? b.mid, bk.dpre, this.g(name('mlp.W_in')));
        this.biasGrad(enc, NT, dm, bk.dpre, name('mlp.b_in'));
        if (b.ln2) {
          this.inputGrad(enc, NT, d, dm, bk.dpre, this.p(name('mlp.W_in')), bk.dh, false);
          k.layernormBackward.encode(enc, [M, NT, d, 1], [bk.dh, b.mid, this.p(name('ln2.w')), b.ln2.mean, b.ln2.rstd, bk.dx], groupsFor(M));
          k.layernormParamsBackward.encode(enc, [R, NT, d], [bk.dh, b.mid, b.ln2.mean, b.ln2.rstd, this.g(name('ln2.w')), this.g(name('ln2.b'))], groupsFor(R * d));
        } else this.inputGrad(enc, NT, d, dm, bk.dpre, this.p(name('mlp.W_in')), bk.dx, true); // d mid += dpre W_in^T
      }
      if (b.q) {
        this.weightGrad(enc, NT, d, d, b.y!, bk.dx, this.g(name('attn.W_O')));
        this.biasGrad(enc, NT, d, bk.dx, name('attn.b_O'));
        this.inputGrad(enc, NT, d, d, bk.dx, this.p(name('attn.W_O')), bk.dy, false);
        k.attentionBackward.encode(enc, [E, T, d, H], [bk.dy, b.q, b.k!, b.v!, b.probs!, bk.dq, bk.dk, bk.dv], groupsFor(E * H));
        const parts = [['Q', bk.dq], ['K', bk.dk], ['V', bk.dv]] as const;
        // d input = d mid (the residual) + d(attention input): through LN1's backward, or added straight in without it.
        parts.forEach(([m, dP], i) => {
          this.weightGrad(enc, NT, d, d, b.ln1?.out ?? b.input, dP, this.g(name(`attn.W_${m}`)));
          this.biasGrad(enc, NT, d, dP, name(`attn.b_${m}`));
          if (b.ln1) this.inputGrad(enc, NT, d, d, dP, this.p(name(`attn.W_${m}`)), bk.dh, i > 0);
          else this.inputGrad(enc, NT, d, d, dP, this.p(name(`attn.W_${m}`)), bk.dx, true);
        });
        if (b.ln1) {
          k.layernormBackward.encode(enc, [M, NT, d, 1], [bk.dh, b.input, this.p(name('ln1.w')), b.ln1.mean, b.ln1.rstd, bk.dx], groupsFor(M));
          k.layernormParamsBackward.encode(enc, [R, NT, d], [bk.dh, b.input, b.ln1.mean, b.ln1.rstd, this.g(name('ln1.w')), this.g(name('ln1.b'))], groupsFor(R * d));
        }
      }
    }
    k.embedBackward.encode(enc, [R, n, T, d, V], [this.tokens, bk.dx, this.g('embed.W_E'), this.g('embed.W_pos')], groupsFor(R * (V + T) * d));
  }

  /** Loss and gradients of each run's batch at the current parameters; changes nothing. */
  async gradients(tokens: Int32Array, labels: Int32Array, n: number): Promise<Float32Array> {
    this.upload(tokens, labels, n);
    const enc = this.device.createCommandEncoder();
    this.encodeForward(enc, n);
    this.encodeBackward(enc, n);
    this.device.queue.submit([enc.finish()]);
    return readFloats(this.device, this.head.meanLoss, this.runs);
  }

  /**
   * One AdamW step for every run on its batch with its own optimiser settings (weight decay may differ between
   * the runs of a group); resolves to each run's loss before the update.
   */
  async trainStep(tokens: Int32Array, labels: Int32Array, n: number, optimizers: readonly OptimizerConfig[]): Promise<Float32Array> {
    this.queueStep(tokens, labels, n, optimizers);
    return (await this.flushLosses()).at(-1)!;
  }

  /**
   * Queues one AdamW step for every run without waiting for it (its losses go to the loss log): the steps
   * between two checkpoints run back to back on the GPU, and `flushLosses` reads all their losses at once.
   * A run whose optimiser is `null` sits the step out: its parameters, moments and step count stay as they were
   * (its batch rows are not read; its logged loss means nothing).
   */
  queueStep(tokens: Int32Array, labels: Int32Array, n: number, optimizers: readonly (OptimizerConfig | null)[]): void {
    if (optimizers.length !== this.runs) throw new RangeError(`one optimiser per run: expected ${this.runs}, got ${optimizers.length}`);
    if (this.queued >= this.maxQueued) throw new RangeError(`${this.maxQueued} steps are queued: read their losses (flushLosses) first`);
    this.upload(tokens, labels, n);
    const hyper = Float32Array.from(
      optimizers.flatMap((o, r) => adamwHyper(o && { lr: warmedLr(o, this.steps[r] + 1), beta1: o.beta1, beta2: o.beta2, eps: o.eps, weight_decay: o.weight_decay, t: this.steps[r] + 1 })),
    );
    this.device.queue.writeBuffer(this.hyper, 0, hyper);
    const enc = this.device.createCommandEncoder();
    this.encodeForward(enc, n);
    this.encodeBackward(enc, n);
    for (const [name, size] of this.sizes)
      this.k.adamw.encode(enc, [size, this.runs], [this.g(name), this.hyper, this.p(name), this.m.get(name)!, this.v.get(name)!], groupsFor(size * this.runs));
    enc.copyBufferToBuffer(this.head.meanLoss, 0, this.lossLog, this.queued * this.runs * 4, this.runs * 4);
    this.device.queue.submit([enc.finish()]);
    for (let r = 0; r < this.runs; r++) if (optimizers[r]) this.steps[r]++;
    this.queued++;
  }

  /** The losses of every step queued since the last flush, oldest first ([R] each); waits for them. */
  async flushLosses(): Promise<Float32Array[]> {
    const q = this.queued;
    this.queued = 0;
    if (q === 0) return [];
    const all = await readFloats(this.device, this.lossLog, q * this.runs);
    return Array.from({ length: q }, (_, s) => all.slice(s * this.runs, (s + 1) * this.runs));
  }

  /** The buffer of a capture site ([R * n * T, units] rows) and its units. */
  private siteBuffer(site: SiteName): { buffer: GPUBuffer; units: number } {
    const { layer, kind } = parseSite(site);
    const b = this.blocks[layer];
    // resid.mid: the stream after the block's attention (its input when it has none).
    const buffer = kind === 'mlp.pre' ? b?.pre : kind === 'mlp.post' ? b?.hidden : kind === 'attn.out' ? b?.attnOut : b?.mid;
    if (!b || !buffer) throw new RangeError(`a ${this.config.n_layers}-layer ${this.config.variant} model has no site ${site}`);
    return { buffer, units: kind.startsWith('mlp.') ? this.config.d_mlp : this.config.d_model };
  }

  /**
   * Every run evaluated on the same examples (EvalRequest: tokens [N, 3], labels [N]; an override's values
   * [N, d_mlp] for every run, or [R, N, d_mlp] one block per run), in chunks of at most maxBatch rows: the mean
   * loss and accuracy, and the requested logits and last-position captures, per run.
   */
  async evaluate(request: EvalRequest): Promise<EvalResult[]> {
    const { runs: R, config: c } = this;
    const N = request.labels.length;
    if (request.tokens.length !== N * T) throw new RangeError(`expected tokens [${N}, 3] for ${N} labels`);
    const sites = request.capture ?? [];
    const targets = sites.map((s) => this.siteBuffer(s));
    const dm = c.d_mlp;
    if (request.override) {
      const len = request.override.values.length;
      if (len !== N * dm && len !== R * N * dm) throw new RangeError(`override values: expected [${N}, ${dm}] or [${R}, ${N}, ${dm}], got ${len} values`);
    }
    const logits = request.logits ? Array.from({ length: R }, () => new Float32Array(N * c.classes)) : null;
    const captures = Array.from({ length: R }, () => targets.map((t) => new Float32Array(N * t.units)));
    const lossSum = new Float64Array(R), correctSum = new Float64Array(R);
    const chunk = this.evalChunk;
    const scratch = emptyBuffer(this.device, R * chunk * Math.max(c.d_model, dm));
    const overrideBuffer = request.override ? emptyBuffer(this.device, R * chunk * dm) : null;
    try {
      for (let start = 0; start < N; start += chunk) {
        const n = Math.min(chunk, N - start);
        const tokens = new Int32Array(R * n * T), labels = new Int32Array(R * n);
        for (let r = 0; r < R; r++) {
          tokens.set(request.tokens.subarray(start * T, (start + n) * T), r * n * T);
          labels.set(request.labels.subarray(start, start + n), r * n);
        }
        this.upload(tokens, labels, n);
        if (request.override && overrideBuffer) {
          const v = request.override.values;
          const perRun = v.length === R * N * dm;
          const rows = new Float32Array(R * n * dm);
          for (let r = 0; r < R; r++) rows.set(v.subarray((perRun ? r * N : 0) * dm + start * dm, (perRun ? r * N : 0) * dm + (start + n) * dm), r * n * dm);
          this.device.queue.writeBuffer(overrideBuffer, 0, rows);
        }
        const enc = this.device.createCommandEncoder();
        this.encodeForward(enc, n, { ...(request.zero ? { zero: request.zero } : {}), ...(overrideBuffer ? { override: { layer: request.override!.layer, buffer: overrideBuffer } } : {}) });
        // Everything the chunk reads back, with one wait: each site is gathered into the scratch and copied out
        // before the next site's gather reuses it.
        const sitesFloats = targets.reduce((sum, t) => sum + R * n * t.units, 0);
        const back = new Readback(this.device, 2 * R + (logits ? R * n * c.classes : 0) + sitesFloats);
        const lossAt = back.copy(enc, this.head.meanLoss, R);
        const accAt = back.copy(enc, this.head.meanAcc, R);
        const logitsAt = logits ? back.copy(enc, this.head.logits, R * n * c.classes) : -1;
        const siteAt = targets.map((t) => {
          this.k.lastPosition.encode(enc, [R * n, T, t.units, 0], [t.buffer, scratch], groupsFor(R * n * t.units));
          return back.copy(enc, scratch, R * n * t.units);
        });
        this.device.queue.submit([enc.finish()]);
        const got = await back.read();
        for (let r = 0; r < R; r++) {
          lossSum[r] += got[lossAt][r] * n;
          correctSum[r] += Math.round(got[accAt][r] * n);
        }
        if (logits) for (let r = 0; r < R; r++) logits[r].set(got[logitsAt].subarray(r * n * c.classes, (r + 1) * n * c.classes), start * c.classes);
        for (const [i, t] of targets.entries())
          for (let r = 0; r < R; r++) captures[r][i].set(got[siteAt[i]].subarray(r * n * t.units, (r + 1) * n * t.units), start * t.units);
      }
    } finally {
      scratch.destroy();
      overrideBuffer?.destroy();
    }
    return Array.from({ length: R }, (_, r) => ({
      loss: lossSum[r] / N,
      accuracy: correctSum[r] / N,
      ...(logits ? { logits: logits[r] } : {}),
      captures: Object.fromEntries(sites.map((s, i) => [s, captures[r][i]])) as Partial<Record<SiteName, Float32Array>>,
    }));
  }

  /**
   * The last block finished from a given MLP hidden at the last position (engine.ts TailRequest), for every run:
   * x = residual + hidden W_out + b_out, logits = LN_f(x) W_U + b_U. residual [R, N, d], hidden [R, N, d_mlp].
   */
  async evaluateTail(request: TailRequest): Promise<EvalResult[]> {
    const { runs: R, config: c } = this;
    const { d_model: d, d_mlp: dm, classes: C } = c;
    const N = request.labels.length;
    const last = this.blocks.at(-1);
    if (!last?.pre) throw new RangeError(`evaluateTail needs an MLP in the last block (a ${c.variant} model has none)`);
    if (request.residual.length !== R * N * d || request.hidden.length !== R * N * dm)
      throw new RangeError(`evaluateTail: expected residual [${R}, ${N}, ${d}] and hidden [${R}, ${N}, ${dm}]`);
    const name = (s: string) => `blocks.${this.blocks.length - 1}.${s}`;
    const logits = request.logits ? Array.from({ length: R }, () => new Float32Array(N * C)) : null;
    const lossSum = new Float64Array(R), correctSum = new Float64Array(R);
    for (let start = 0; start < N; start += this.evalChunk) {
      const n = Math.min(this.evalChunk, N - start);
      const hidden = new Float32Array(R * n * dm), residual = new Float32Array(R * n * d), labels = new Int32Array(R * n);
      for (let r = 0; r < R; r++) {
        hidden.set(request.hidden.subarray((r * N + start) * dm, (r * N + start + n) * dm), r * n * dm);
        residual.set(request.residual.subarray((r * N + start) * d, (r * N + start + n) * d), r * n * d);
        labels.set(request.labels.subarray(start, start + n), r * n);
      }
      // The block's hidden and the backward scratch dh hold this chunk's inputs ([R, n, .] at their fronts).
      this.device.queue.writeBuffer(last.hidden!, 0, hidden);
      this.device.queue.writeBuffer(this.back.dh, 0, residual);
      this.device.queue.writeBuffer(this.labels, 0, labels);
      const h = this.head;
      const enc = this.device.createCommandEncoder();
      this.mm.encode(enc, { runs: R, n, c: dm, o: d }, last.hidden!, this.p(name('mlp.W_out')), this.p(name('mlp.b_out')), last.mlpOut!);
      this.k.add.encode(enc, [R * n * d], [this.back.dh, last.mlpOut!, h.last], groupsFor(R * n * d));
      this.encodeUnembed(enc, R * n, n);
      this.k.crossentropy.encode(enc, [R * n, n, C], [h.logits, this.labels, h.losses, h.dlogits, h.correct], groupsFor(R * n));
      this.k.rowMean.encode(enc, [R, n], [h.losses, h.meanLoss], groupsFor(R));
      this.k.rowMean.encode(enc, [R, n], [h.correct, h.meanAcc], groupsFor(R));
      const back = new Readback(this.device, 2 * R + (logits ? R * n * C : 0));
      back.copy(enc, h.meanLoss, R);
      back.copy(enc, h.meanAcc, R);
      if (logits) back.copy(enc, h.logits, R * n * C);
      this.device.queue.submit([enc.finish()]);
      const [loss, acc, all] = await back.read();
      for (let r = 0; r < R; r++) {
        lossSum[r] += loss[r] * n;
        correctSum[r] += Math.round(acc[r] * n);
      }
      if (logits) for (let r = 0; r < R; r++) logits[r].set(all.subarray(r * n * C, (r + 1) * n * C), start * C);
    }
    return Array.from({ length: R }, (_, r) => ({ loss: lossSum[r] / N, accuracy: correctSum[r] / N, ...(logits ? { logits: logits[r] } : {}), captures: {} }));
  }

  /** Run r's Adam moments. */
  async readMoments(r: number): Promise<{ m: Params; v: Params }> {
    const out = { m: {} as Params, v: {} as Params };
    await Promise.all(
      [...this.sizes].flatMap(([name, size]) => [
        readFloats(this.device, this.m.get(name)!, size, r * size).then((a) => (out.m[name] = a)),
        readFloats(this.device, this.v.get(name)!, size, r * size).then((a) => (out.v[name] = a)),
      ]),
    );
    return out;
  }

  dispose(): void {
    for (const b of this.all) b.destroy();
    this.mm.dispose();
  }
}
