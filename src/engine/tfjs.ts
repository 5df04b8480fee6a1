/**
 * The tfjs reference engine (shared/spec/design.md, "Engines"): the model of shared/spec/model.md written in
 * @tensorflow/tfjs ops, differentiated by tfjs's autodiff, with AdamW written out by hand with PyTorch's
 * semantics. It is the oracle that the native engine is differentially tested against, and the GPU route
 * through tfjs-node-gpu (README, "Running on a GPU"). Clarity over speed: every position of every block is computed.
 *
 * Choices forced by the wasm backend of tfjs 4.22 (checked against its kernel list):
 * - no gradient kernel for `gather` (UnsortedSegmentSum), so the embedding is one-hot(tokens) @ W_E and the
 *   cross-entropy picks the label's log-probability with a one-hot mask (and its OneHot kernel ignores a float32
 *   dtype, so one-hots are made as int32 and cast);
 * - `Erf` exists on every backend and tfjs differentiates it as 2/sqrt(pi) exp(-x^2), so the exact GELU
 *   0.5 x (1 + erf(x / sqrt 2)) is built from tf.erf. Its forward error is the backend's erf error: wasm
 *   (C library erf) 5e-8 absolute, cpu (Abramowitz-Stegun 7.1.26 polynomial) 1.7e-7 absolute on [-6, 6];
 *   the GELU error is |x|/2 times that, at the level of float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, parseConfig } from '../schema/parse.js';
import { ModelConfigSchema, OptimizerConfigSchema, modelSwitches, warmedLr, type ModelConfig, type OptimizerConfig } from '../schema/model.js';
import { blockHasAttention, blockHasMlp, checkParams, paramSpecs, type Params } from '../model/params.js';
import { parseSite, type SiteName } from '../schema/sites.js';
import { type AsyncEngine, type Component, type Engine, type EngineCreateArgs, type EvalRequest, type EvalResult,
  type TailRequest, type TrainingState } from './engine.js';
import { activateTfjsBackend, ASYNC_ONLY_BACKENDS, selectTfjsBackend, type TfjsBackendName } from './tfjsBackend.js';

/** model.md "Forward": LayerNorm eps, biased variance. */
const LN_EPS = 1e-5;
/** Sequence length: [a, b, separator]; every site and the logits are read at the last position. */
const SEQ = 3;
const LAST = SEQ - 1;

type TensorMap = Record<string, tf.Tensor>;

/** What one forward pass should do besides computing the logits. */
interface ForwardOptions {
  capture: readonly SiteName[];
  /** Replaces block `layer`'s post-GELU MLP hidden at the last position ([N, d_mlp]). */
  override?: { layer: number; values: tf.Tensor2D };
  zero: readonly Component[];
}

interface ForwardResult {
  logits: tf.Tensor2D;
  captures: Map<SiteName, tf.Tensor2D>;
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * w + b with the biased variance (model.md). */
function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, LN_EPS))), w), b);
}

/** The LayerNorm named `name` (ln1, ln2, ln_f), or the identity under the switch `norm: none` (no parameters). */
function norm(x: tf.Tensor, p: TensorMap, name: string): tf.Tensor {
  const w = p[`${name}.w`];
  return w ? layerNorm(x, w, p[`${name}.b`]) : x;
}

/** Exact GELU: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** The MLP's nonlinearity: GELU, or ReLU (tfjs differentiates it as step(x), 0 at x = 0 as PyTorch). */
function activation(config: ModelConfig, x: tf.Tensor): tf.Tensor {
  return modelSwitches(config).act === 'relu' ? tf.relu(x) : gelu(x);
}

/** x @ W, + b where the layer has a bias (switches remove some). */
function affine(x: tf.Tensor2D, W: tf.Tensor, b: tf.Tensor | undefined): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(x, W as tf.Tensor2D);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** [N*3, in] @ [in, out] + [out], reshaped back to [N, 3, out]. */
function linear(x: tf.Tensor, W: tf.Tensor, b: tf.Tensor | undefined, n: number): tf.Tensor3D {
  const flat = tf.reshape(x, [n * SEQ, W.shape[0]]) as tf.Tensor2D;
  return tf.reshape(affine(flat, W, b), [n, SEQ, W.shape[1]!]);
}

/** Row t of the additive mask hides positions > t: position t attends to positions <= t (model.md). */
function causalMask(): tf.Tensor2D {
  const mask: number[][] = [];
  for (let t = 0; t < SEQ; t++) mask.push(Array.from({ length: SEQ }, (_, s) => (s <= t ? 0 : -Infinity)));
  return tf.tensor2d(mask);
}

/** The value at the last position, [N, units]. */
function lastPosition(x: tf.Tensor3D): tf.Tensor2D {
  const [n, , units] = x.shape;
  return tf.reshape(tf.slice(x, [0, LAST, 0], [n, 1, units]), [n, units]);
}

/** Multi-head causal self-attention of block l on h = LN(x; ln1); returns a = concat_heads(att v) @ W_O + b_O. */
function attention(config: ModelConfig, p: TensorMap, prefix: string, h: tf.Tensor3D): tf.Tensor3D {
  const [n] = h.shape;
  const heads = config.n_heads;
  const dHead = config.d_model / heads;
  // [N, 3, d] -> [N, heads, 3, d_head]: head i owns columns i*d_head .. (i+1)*d_head - 1 (model.md).
  const split = (t: tf.Tensor3D) => tf.transpose(tf.reshape(t, [n, SEQ, heads, dHead]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(linear(h, p[`${prefix}.W_Q`], p[`${prefix}.b_Q`], n));
  const k = split(linear(h, p[`${prefix}.W_K`], p[`${prefix}.b_K`], n));
  const v = split(linear(h, p[`${prefix}.W_V`], p[`${prefix}.b_V`], n));
  const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dHead)), causalMask());
  const att = tf.softmax(scores);
  const mixed = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [n, SEQ, config.d_model]);
  return linear(mixed, p[`${prefix}.W_O`], p[`${prefix}.b_O`], n);
}

/**
 * The forward pass of model.md on token rows [N, 3]. Captures are at the last position. A zeroed component
 * adds nothing to the residual stream; its capture (attn.out) is then zero, while a zeroed MLP's hidden
 * activations are still computed and captured. An override replaces the post-GELU hidden at the last position,
 * and the `mlp.post` capture of that block reports the values actually used (the override).
 */
function forward(config: ModelConfig, p: TensorMap, tokens: tf.Tensor2D, options: ForwardOptions): ForwardResult {
  const n = tokens.shape[0];
  const d = config.d_model;
  const captures = new Map<SiteName, tf.Tensor2D>();
  const want = (site: SiteName) => options.capture.includes(site);
  const zeroed = (layer: number, kind: Component['kind']) => options.zero.some((c) => c.layer === layer && c.kind === kind);

  const oneHot = oneHotFloat(tf.reshape(tokens, [n * SEQ]) as tf.Tensor1D, config.vocab);
  let x = tf.add(tf.reshape(tf.matMul(oneHot, p['embed.W_E'] as tf.Tensor2D), [n, SEQ, d]), p['embed.W_pos']) as tf.Tensor3D;

  for (let l = 0; l < config.n_layers; l++) {
    const block = `blocks.${l}`;
    if (blockHasAttention(config)) {
      const h = norm(x, p, `${block}.ln1`) as tf.Tensor3D;
      const a = zeroed(l, 'attn') ? tf.zeros([n, SEQ, d]) as tf.Tensor3D : attention(config, p, `${block}.attn`, h);
      if (want(`block${l}.attn.out`)) captures.set(`block${l}.attn.out`, lastPosition(a));
      x = tf.add(x, a);
    }
    if (want(`block${l}.resid.mid`)) captures.set(`block${l}.resid.mid`, lastPosition(x));
    if (blockHasMlp(config)) {
      const h = norm(x, p, `${block}.ln2`);
      const pre = linear(h, p[`${block}.mlp.W_in`], p[`${block}.mlp.b_in`], n);
      let hidden = activation(config, pre) as tf.Tensor3D;
      if (options.override && options.override.layer === l) {
        const earlier = tf.slice(hidden, [0, 0, 0], [n, LAST, config.d_mlp]);
        hidden = tf.concat([earlier, tf.reshape(options.override.values, [n, 1, config.d_mlp])], 1);
      }
      if (want(`block${l}.mlp.pre`)) captures.set(`block${l}.mlp.pre`, lastPosition(pre));
      if (want(`block${l}.mlp.post`)) captures.set(`block${l}.mlp.post`, lastPosition(hidden));
      if (!zeroed(l, 'mlp')) x = tf.add(x, linear(hidden, p[`${block}.mlp.W_out`], p[`${block}.mlp.b_out`], n));
    }
  }
  const final = norm(lastPosition(x), p, 'ln_f') as tf.Tensor2D;
  const logits = affine(final, p['unembed.W_U'], p['unembed.b_U']);
  return { logits, captures };
}

/**
 * One-hot rows as float32. Built as an int32 one-hot and then cast: the wasm OneHot kernel of tfjs 4.22 ignores
 * dtype 'float32' and writes the int32 bit pattern (1 reads as 1.4e-45).
 */
function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D;
}

/** Mean cross-entropy: -mean_i log softmax(logits_i)[label_i], the label picked by a one-hot mask. */
function crossEntropy(logits: tf.Tensor2D, labelsOneHot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), labelsOneHot), 1))) as tf.Scalar;
}

/** Fraction of rows whose argmax (first index on ties) equals the label. */
function accuracyOf(logits: Float32Array, labels: Int32Array, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return labels.length === 0 ? 0 : correct / labels.length;
}

function checkBatch(config: ModelConfig, tokens: Int32Array, labels: Int32Array): number {
  const n = labels.length;
  if (n === 0) throw new Error('empty batch');
  if (tokens.length !== n * SEQ) throw new Error(`tokens has ${tokens.length} values for ${n} labels (expected ${n * SEQ})`);
  for (let i = 0; i < tokens.length; i++)
    if (!(tokens[i] >= 0 && tokens[i] < config.vocab)) throw new Error(`token ${tokens[i]} at ${i} is outside 0..${config.vocab - 1}`);
  for (let i = 0; i < n; i++)
    if (!(labels[i] >= 0 && labels[i] < config.classes)) throw new Error(`label ${labels[i]} at ${i} is outside 0..${config.classes - 1}`);
  return n;
}

function checkSite(config: ModelConfig, site: SiteName): void {
  const { layer, kind } = parseSite(site);
  if (layer >= config.n_layers) throw new Error(`site ${site}: the model has ${config.n_layers} block(s)`);
  if (kind === 'attn.out' && !blockHasAttention(config)) throw new Error(`site ${site}: a ${config.variant} model has no attention`);
  if ((kind === 'mlp.pre' || kind === 'mlp.post') && !blockHasMlp(config)) throw new Error(`site ${site}: a ${config.variant} model has no MLP`);
}

function checkComponent(config: ModelConfig, component: Component): void {
  if (!(component.layer >= 0 && component.layer < config.n_layers))
    throw new Error(`cannot zero block ${component.layer}: the model has ${config.n_layers} block(s)`);
  const present = component.kind === 'attn' ? blockHasAttention(config) : blockHasMlp(config);
  if (!present) throw new Error(`cannot zero ${component.kind} of block ${component.layer}: a ${config.variant} model has none`);
}

function checkParamSet(config: ModelConfig, params: Params, what: string): void {
  const problems = checkParams(config, params);
  if (problems.length > 0) throw new ConfigError(`${what} do not fit the model:\n  ${problems.join('\n  ')}`);
}

/**
 * A computation's result still on the backend: the tensors to read (in order), those to dispose of afterwards,
 * and how the values read become the result. Read synchronously (dataSync) by the Engine, asynchronously
 * (data) by the AsyncEngine of an asynchronous backend.
 */
interface Readback<T> {
  tensors: tf.Tensor[];
  owned: tf.Tensor[];
  finish(values: Float32Array[]): T;
}

function readSync<T>(r: Readback<T>): T {
  try {
    return r.finish(r.tensors.map((t) => t.dataSync() as Float32Array));
  } finally {
    tf.dispose(r.owned);
  }
}

async function readAsync<T>(r: Readback<T>): Promise<T> {
  try {
    return r.finish(await Promise.all(r.tensors.map((t) => t.data() as Promise<Float32Array>)));
  } finally {
    tf.dispose(r.owned);
  }
}

class TfjsEngine implements Engine {
  readonly kind = 'tfjs' as const;
  private readonly names: string[];
  private readonly shapes: Map<string, number[]>;
  private readonly params = new Map<string, tf.Variable>();
  private readonly adamM = new Map<string, tf.Variable>();
  private readonly adamV = new Map<string, tf.Variable>();
  private optimizer: OptimizerConfig;
  private step = 0;
  private disposed = false;
  readonly denormals = 'keep' as const;

  constructor(
    readonly config: ModelConfig,
    optimizer: OptimizerConfig,
    params: Params,
    private readonly backend: TfjsBackendName,
    readonly description: string,
  ) {
    this.optimizer = optimizer;
    const specs = paramSpecs(config);
    this.names = specs.map((s) => s.name);
    this.shapes = new Map(specs.map((s) => [s.name, s.shape]));
    // Unnamed variables: tfjs variable names are process-global, and several engines may coexist. The tidy
    // frees the initial-value tensors; the variables keep their data.
    tf.tidy(() => {
      for (const spec of specs) {
        this.params.set(spec.name, tf.variable(tf.tensor(params[spec.name], spec.shape, 'float32'), true));
        this.adamM.set(spec.name, tf.variable(tf.zeros(spec.shape), false));
        this.adamV.set(spec.name, tf.variable(tf.zeros(spec.shape), false));
      }
    });
  }

  /** Checks the engine is alive and makes its backend the active one. */
  private enter(): void {
    if (this.disposed) throw new Error('this tfjs engine has been disposed');
    activateTfjsBackend(this.backend);
  }

  private paramTensors(): TensorMap {
    return Object.fromEntries(this.names.map((name) => [name, this.params.get(name)!]));
  }

  /** The loss as a function of the parameter variables, for tf.variableGrads. */
  private lossFunction(tokens: Int32Array, labels: Int32Array): () => tf.Scalar {
    const n = labels.length;
    return () => {
      const tokenRows = tf.tensor2d(tokens, [n, SEQ], 'int32');
      const labelsOneHot = oneHotFloat(tf.tensor1d(labels, 'int32'), this.config.classes);
      const { logits } = forward(this.config, this.paramTensors(), tokenRows, { capture: [], zero: [] });
      return crossEntropy(logits, labelsOneHot);
    };
  }

  /** Loss and gradient tensors (keyed by parameter name); the caller owns and disposes them. */
  private lossAndGrads(tokens: Int32Array, labels: Int32Array): { loss: tf.Scalar; grads: TensorMap } {
    const variables = this.names.map((name) => this.params.get(name)!);
    const { value, grads } = tf.variableGrads(this.lossFunction(tokens, labels), variables);
    const byName: TensorMap = {};
    for (const name of this.names) byName[name] = grads[this.params.get(name)!.name];
    return { loss: value, grads: byName };
  }

  /**
   * AdamW exactly as torch.optim.AdamW (model.md "Optimiser"), in the order PyTorch applies it:
   *   p <- p * (1 - lr wd);  m <- m + (1 - b1)(g - m);  v <- b2 v + (1 - b2) g^2;
   *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),   t = step + 1.
   * The scalar factors are computed in float64 like PyTorch's Python-side bias corrections.
   */
  private applyAdamW(grads: TensorMap): void {
    const { beta1, beta2, eps, weight_decay } = this.optimizer;
    const t = this.step + 1;
    const lr = warmedLr(this.optimizer, t);
    const stepSize = lr / (1 - beta1 ** t);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
    tf.tidy(() => {
      for (const name of this.names) {
        const p = this.params.get(name)!;
        const m = this.adamM.get(name)!;
        const v = this.adamV.get(name)!;
        const g = grads[name];
        const decayed = tf.mul(p, 1 - lr * weight_decay);
        const mNew = tf.add(m, tf.mul(tf.sub(g, m), 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.mul(g, g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), biasCorrection2Sqrt), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), stepSize)));
        m.assign(mNew);
        v.assign(vNew);
      }
    });
    this.step = t;
  }

  /**
   * One step: AdamW applied to this batch's gradients, the loss before it left to be read. Nothing is read back
   * here, so the steps of an asynchronous backend (webgpu) queue on the device.
   */
  private stepTensors(tokens: Int32Array, labels: Int32Array): Readback<number> {
    this.enter();
    checkBatch(this.config, tokens, labels);
    const { loss, grads } = this.lossAndGrads(tokens, labels);
    try {
      this.applyAdamW(grads);
    } finally {
      tf.dispose(Object.values(grads));
    }
    return { tensors: [loss], owned: [loss], finish: ([value]) => value[0] };
  }

  trainStep(tokens: Int32Array, labels: Int32Array): number {
    return readSync(this.stepTensors(tokens, labels));
  }

  private gradientTensors(tokens: Int32Array, labels: Int32Array): Readback<{ loss: number; grads: Params }> {
    this.enter();
    checkBatch(this.config, tokens, labels);
    const { loss, grads } = this.lossAndGrads(tokens, labels);
    const gradTensors = this.names.map((name) => grads[name]);
    return {
      tensors: [loss, ...gradTensors],
      owned: [loss, ...Object.values(grads)],
      finish: ([lossValue, ...values]) => ({ loss: lossValue[0], grads: Object.fromEntries(this.names.map((name, i) => [name, Float32Array.from(values[i])])) }),
    };
  }

  gradients(tokens: Int32Array, labels: Int32Array): { loss: number; grads: Params } {
    return readSync(this.gradientTensors(tokens, labels));
  }

  private evaluationTensors(request: EvalRequest): Readback<EvalResult> {
    this.enter();
    const { tokens, labels } = request;
    const n = checkBatch(this.config, tokens, labels);
    const capture = request.capture ?? [];
    const zero = request.zero ?? [];
    capture.forEach((site) => checkSite(this.config, site));
    zero.forEach((c) => checkComponent(this.config, c));
    const override = request.override;
    if (override) {
      if (!(override.layer >= 0 && override.layer < this.config.n_layers) || !blockHasMlp(this.config))
        throw new Error(`cannot override the MLP hidden of block ${override.layer}: no such MLP in this ${this.config.variant} model`);
      if (override.values.length !== n * this.config.d_mlp)
        throw new Error(`override has ${override.values.length} values, expected ${n * this.config.d_mlp} (N x d_mlp)`);
    }

    const result = tf.tidy(() => {
      const tokenRows = tf.tensor2d(tokens, [n, SEQ], 'int32');
      const labelsOneHot = oneHotFloat(tf.tensor1d(labels, 'int32'), this.config.classes);
      const options: ForwardOptions = {
        capture,
        zero,
        override: override && { layer: override.layer, values: tf.tensor2d(override.values, [n, this.config.d_mlp]) },
      };
      const { logits, captures } = forward(this.config, this.paramTensors(), tokenRows, options);
      return { logits, loss: crossEntropy(logits, labelsOneHot), captures: Object.fromEntries(captures) };
    });
    const sites = Object.keys(result.captures) as SiteName[];
    const tensors = [result.logits, result.loss, ...sites.map((site) => result.captures[site])];
    return {
      tensors,
      owned: tensors,
      finish: ([logits, loss, ...captured]) => ({
        loss: loss[0],
        accuracy: accuracyOf(logits, labels, this.config.classes),
        logits: request.logits ? Float32Array.from(logits) : undefined,
        captures: Object.fromEntries(sites.map((site, i) => [site, Float32Array.from(captured[i])])),
      }),
    };
  }

  evaluate(request: EvalRequest): EvalResult {
    return readSync(this.evaluationTensors(request));
  }

  private tailTensors(request: TailRequest): Readback<EvalResult> {
    this.enter();
    const { d_model: d, d_mlp: f, classes, n_layers } = this.config;
    const n = request.labels.length;
    if (!blockHasMlp(this.config)) throw new Error(`evaluateTail needs an MLP in the last block; a ${this.config.variant} model has none`);
    if (n === 0) throw new Error('evaluateTail needs at least one row');
    if (request.residual.length !== n * d) throw new Error(`residual has ${request.residual.length} values, expected ${n * d} (N x d_model)`);
    if (request.hidden.length !== n * f) throw new Error(`hidden has ${request.hidden.length} values, expected ${n * f} (N x d_mlp)`);
    const block = `blocks.${n_layers - 1}`;
    const result = tf.tidy(() => {
      const p = this.paramTensors();
      const hidden = tf.tensor2d(request.hidden, [n, f]);
      const x = tf.add(tf.tensor2d(request.residual, [n, d]), tf.add(tf.matMul(hidden, p[`${block}.mlp.W_out`] as tf.Tensor2D), p[`${block}.mlp.b_out`]));
      const final = norm(x, p, 'ln_f') as tf.Tensor2D;
      const logits = affine(final, p['unembed.W_U'], p['unembed.b_U']);
      return { logits, loss: crossEntropy(logits, oneHotFloat(tf.tensor1d(request.labels, 'int32'), classes)) };
    });
    return {
      tensors: [result.logits, result.loss],
      owned: [result.logits, result.loss],
      finish: ([logits, loss]) => ({
        loss: loss[0],
        accuracy: accuracyOf(logits, request.labels, classes),
        ...(request.logits ? { logits: Float32Array.from(logits) } : {}),
        captures: {},
      }),
    };
  }

  evaluateTail(request: TailRequest): EvalResult {
    return readSync(this.tailTensors(request));
  }

  private stateTensors(): Readback<TrainingState> {
    this.enter();
    const step = this.step;
    const maps = [this.params, this.adamM, this.adamV];
    return {
      // The variables themselves: read, not disposed.
      tensors: maps.flatMap((map) => this.names.map((name) => map.get(name)!)),
      owned: [],
      finish: (values) => {
        // Copies: some backends hand out their own storage.
        const [params, adamM, adamV] = maps.map((_, k) => Object.fromEntries(this.names.map((name, i) => [name, Float32Array.from(values[k * this.names.length + i])])));
        return { params, adamM, adamV, step };
      },
    };
  }

  getState(): TrainingState {
    return readSync(this.stateTensors());
  }

  /**
   * The engine on a backend that reads back only asynchronously (webgpu): the same computations, read with
   * tensor.data(). A training step reads nothing (queueStep), so steps queue on the device.
   */
  asAsyncEngine(): AsyncEngine {
    const self = this;
    return {
      kind: 'tfjs',
      description: this.description,
      config: this.config,
      denormals: this.denormals,
      trainStep: (tokens, labels) => readAsync(self.stepTensors(tokens, labels)),
      queueStep: async (tokens, labels) => tf.dispose(self.stepTensors(tokens, labels).owned),
      gradients: (tokens, labels) => readAsync(self.gradientTensors(tokens, labels)),
      evaluate: (request) => readAsync(self.evaluationTensors(request)),
      evaluateTail: (request) => readAsync(self.tailTensors(request)),
      getState: () => readAsync(self.stateTensors()),
      setState: async (state) => self.setState(state),
      setOptimizer: (optimizer) => self.setOptimizer(optimizer),
      dispose: () => self.dispose(),
    };
  }

  setState(state: TrainingState): void {
    this.enter();
    checkParamSet(this.config, state.params, 'state params');
    checkParamSet(this.config, state.adamM, 'state Adam m');
    checkParamSet(this.config, state.adamV, 'state Adam v');
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new ConfigError(`state step must be a non-negative integer, got ${state.step}`);
    tf.tidy(() => {
      for (const name of this.names) {
        const shape = this.shapes.get(name)!;
        this.params.get(name)!.assign(tf.tensor(state.params[name], shape, 'float32'));
        this.adamM.get(name)!.assign(tf.tensor(state.adamM[name], shape, 'float32'));
        this.adamV.get(name)!.assign(tf.tensor(state.adamV[name], shape, 'float32'));
      }
    });
    this.step = state.step;
  }

  setOptimizer(optimizer: OptimizerConfig): void {
    this.optimizer = parseConfig(OptimizerConfigSchema, optimizer, 'optimizer');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const map of [this.params, this.adamM, this.adamV]) {
      for (const variable of map.values()) variable.dispose();
      map.clear();
    }
  }
}

async function newTfjsEngine(args: EngineCreateArgs): Promise<TfjsEngine> {
  const model = parseConfig(ModelConfigSchema, args.model, 'model');
  const optimizer = parseConfig(OptimizerConfigSchema, args.optimizer, 'optimizer');
  checkParamSet(model, args.params, 'initial params');
  // JavaScript, WebAssembly, TensorFlow's and WebGPU's kernels give no control over the float mode: subnormals are kept.
  if (args.options?.denormals === 'flush') throw new ConfigError('the tfjs engine cannot flush denormals: use --denormals keep (or the native engine)');
  // tfjs has no float64 tensors on its fast backends (model.md "Model switches" lets it refuse).
  if (modelSwitches(model).loss_precision === 'f64')
    throw new ConfigError("the tfjs engine has no float64: loss_precision 'f64' needs the native engine");
  const backend = await selectTfjsBackend(args.options?.backend);
  return new TfjsEngine(model, optimizer, args.params, backend.name, backend.description);
}

/**
 * A synchronous tfjs engine on the backend of `args.options.backend` ('tensorflow' | 'wasm' | 'cpu') or the best
 * available; an asynchronous-only backend (webgpu) is refused, naming createTfjsAsyncEngine's route.
 */
export async function createTfjsEngine(args: EngineCreateArgs): Promise<Engine> {
  const requested = args.options?.backend;
  if (requested !== undefined && (ASYNC_ONLY_BACKENDS as readonly string[]).includes(requested))
    throw new ConfigError(`the tfjs '${requested}' backend reads back only asynchronously: use it through the training loop, replay or verify (--engine tfjs --backend ${requested}), not as a synchronous engine`);
  return newTfjsEngine(args);
}

/** The tfjs engine behind the asynchronous interface, on any backend (webgpu included). */
export async function createTfjsAsyncEngine(args: EngineCreateArgs): Promise<AsyncEngine> {
  return (await newTfjsEngine(args)).asAsyncEngine();
}
