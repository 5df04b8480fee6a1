import { describe, expect, it } from 'vitest';
import { asAsync, type Engine, type EvalRequest, type EvalResult, type TailRequest } from '../engine/engine.js';
import type { ModelConfig } from '../schema/model.js';
import { Rng } from '../random/rng.js';
import { makeTask, makeSplit } from '../tasks/task.js';
import { keyFrequencies, progressMeasures, progressMeasuresFromLogits } from './progressMeasures.js';
import { bandLimitedResponse, restrictedLogitLoss, topIndices } from './restrictedLogit.js';

/** Mean cross-entropy and accuracy of float64 logits [rows, classes] (an independent reference). */
function crossEntropy(logits: ArrayLike<number>, classes: number, labels: ArrayLike<number>, rows?: ArrayLike<number>) {
  const idx = rows ?? Array.from({ length: labels.length }, (_, i) => i);
  let loss = 0, correct = 0;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    const row = Array.from({ length: classes }, (_, c) => logits[r * classes + c]);
    const max = Math.max(...row);
    loss += Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0)) + max - row[labels[r]];
    if (row.indexOf(max) === labels[r]) correct++;
  }
  return { loss: loss / idx.length, accuracy: correct / idx.length };
}

/**
 * A fake 2-layer Engine for a Z_p grid: the last block's MLP hidden is a chosen function of (a, b); the logits
 * are hidden @ W + bias. It records the override it was given.
 */
class FakeEngine implements Engine {
  readonly kind = 'native' as const;
  readonly description = 'fake';
  readonly denormals = 'keep' as const;
  lastOverride: { layer: number; values: Float32Array } | undefined;
  evaluations = 0;

  constructor(
    readonly config: ModelConfig,
    private readonly hidden: (a: number, b: number) => number[],
    private readonly W: Float64Array,
    private readonly bias: Float64Array,
    private readonly WE: Float32Array,
  ) {}

  logitsOf(values: ArrayLike<number>, n: number): Float64Array {
    const { d_mlp: m, classes } = this.config;
    const out = new Float64Array(n * classes);
    for (let r = 0; r < n; r++)
      for (let c = 0; c < classes; c++) {
        let v = this.bias[c];
        for (let j = 0; j < m; j++) v += values[r * m + j] * this.W[j * classes + c];
        out[r * classes + c] = v;
      }
    return out;
  }

  hiddenOf(tokens: Int32Array): Float32Array {
    const n = tokens.length / 3;
    const m = this.config.d_mlp;
    const out = new Float32Array(n * m);
    for (let r = 0; r < n; r++) out.set(this.hidden(tokens[3 * r], tokens[3 * r + 1]), r * m);
    return out;
  }

  evaluate(request: EvalRequest): EvalResult {
    this.evaluations++;
    const n = request.labels.length;
    const last = this.config.n_layers - 1;
    if (request.override && request.override.layer !== last) throw new Error('fake engine: override of another block');
    this.lastOverride = request.override;
    const hidden = request.override ? request.override.values : this.hiddenOf(request.tokens);
    const logits = this.logitsOf(hidden, n);
    const { loss, accuracy } = crossEntropy(logits, this.config.classes, request.labels);
    const captures: EvalResult['captures'] = {};
    for (const site of request.capture ?? []) {
      if (site === `block${last}.resid.mid`) captures[site] = new Float32Array(n * this.config.d_model);
      else if (site === `block${last}.mlp.post`) captures[site] = hidden;
      else throw new Error(`fake engine: no site ${site}`);
    }
    return { loss, accuracy, captures, logits: request.logits ? Float32Array.from(logits) : undefined };
  }

  /** The fake's logits do not depend on the residual stream, so finishing the last block is the override path. */
  evaluateTail(request: TailRequest): EvalResult {
    this.evaluations++;
    this.lastOverride = { layer: this.config.n_layers - 1, values: request.hidden };
    const n = request.labels.length;
    const logits = this.logitsOf(request.hidden, n);
    return { ...crossEntropy(logits, this.config.classes, request.labels), captures: {}, logits: request.logits ? Float32Array.from(logits) : undefined };
  }

  getState() {
    return { params: { 'embed.W_E': this.WE }, adamM: {}, adamV: {}, step: 0 };
  }
  trainStep(): number {
    throw new Error('fake engine: no training');
  }
  gradients(): never {
    throw new Error('fake engine: no gradients');
  }
  setState(): void {
    throw new Error('fake engine: no state');
  }
  setOptimizer(): void {}
  dispose(): void {}
}

/** Units whose hidden is sum of cosines of the answer at the listed frequencies (amplitude 1/i), plus `junk(a)`. */
function fakeEngine(p: number, freqsPerUnit: number[][], seed: number, junk = 0, layers = 2): FakeEngine {
  const rng = new Rng(seed);
  const m = freqsPerUnit.length;
  const phases = freqsPerUnit.map((fs) => fs.map(() => 2 * Math.PI * rng.uniform()));
  const offsets = freqsPerUnit.map(() => rng.normal());
  const operand = Array.from({ length: m * p }, () => junk * rng.normal());
  const hidden = (a: number, b: number) =>
    freqsPerUnit.map(
      (fs, j) =>
        offsets[j] + operand[j * p + a] + fs.reduce((v, k, i) => v + Math.cos((2 * Math.PI * k * ((a + b) % p)) / p + phases[j][i]) / (i + 1), 0),
    );
  const W = Float64Array.from({ length: m * p }, () => rng.normal());
  const bias = Float64Array.from({ length: p }, () => 0.1 * rng.normal());
  const WE = new Float32Array((p + 1) * 4);
  const config: ModelConfig = { vocab: p + 1, classes: p, d_model: 4, n_heads: 1, d_mlp: m, n_layers: layers, variant: 'standard' };
  return new FakeEngine(config, hidden, W, bias, WE);
}

describe('topIndices', () => {
  it('takes the largest values, ties to the smaller index, in ascending order', async () => {
    expect(topIndices([0.1, 0.3, 0.3, 0.05, 0.3], 2)).toEqual([1, 2]);
    expect(topIndices([5, 1, 4], 7)).toEqual([0, 1, 2]);
  });
});

describe('restricted-logit loss (metrics.md "Restricted-logit loss")', () => {
  const p = 23;
  const grid = makeTask('mod_add', p);

  it('keeps the 7 frequencies of largest participation, ties to the smaller k', async () => {
    // dominant frequencies 1,1,2,3,4,5,6,7,8,9,9,10: par(1) = par(9) = 2/12, then the singletons 2..6 by k
    const plan = [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10].map((k) => [k]);
    const engine = fakeEngine(p, plan, 1);
    const r = await restrictedLogitLoss(asAsync(engine), grid, p);
    expect(r.kept).toEqual([1, 2, 3, 4, 5, 6, 9]);
    expect(r.layer).toBe(1);
  });

  it('replaces each unit by its mean plus the kept Fourier components of its answer response', async () => {
    // unit responses with 3 frequencies each and operand-only junk that the answer response averages away
    const plan = [[1, 8, 2], [2, 9, 1], [3, 1, 10], [1, 2, 3]];
    const engine = fakeEngine(p, plan, 2, 0.5);
    const r = await restrictedLogitLoss(asAsync(engine), grid, p, { keep: 2 });
    expect(r.kept).toEqual([1, 2]);
    const acts = engine.hiddenOf(grid.tokens);
    const values = engine.lastOverride!.values;
    for (let j = 0; j < plan.length; j++) {
      // phi_j(s) and its DFT by the textbook formula
      const phi = new Array(p).fill(0);
      for (let row = 0; row < grid.gridSize; row++) phi[grid.labels[row]] += acts[row * plan.length + j] / p;
      const mean = phi.reduce((a, v) => a + v, 0) / p;
      for (const s of [0, 5, 17]) {
        let expected = mean;
        for (const k of r.kept) {
          let re = 0, im = 0;
          for (let t = 0; t < p; t++) {
            re += phi[t] * Math.cos((2 * Math.PI * k * t) / p);
            im -= phi[t] * Math.sin((2 * Math.PI * k * t) / p);
          }
          // (2/p) Re(F(k) e^{i w_k s})
          const w = (2 * Math.PI * k * s) / p;
          expected += (2 / p) * (re * Math.cos(w) - im * Math.sin(w));
        }
        const row = grid.labels.findIndex((x) => x === s);
        expect(values[row * plan.length + j]).toBeCloseTo(expected, 5);
      }
    }
    // the loss is the engine's cross-entropy of the overridden forward pass over the grid
    expect(r.loss).toBeCloseTo(crossEntropy(engine.logitsOf(values, grid.gridSize), p, grid.labels).loss, 10);
  });

  it('equals the ordinary loss when every unit is already band-limited to the kept frequencies', async () => {
    const plan = [[1, 4], [4, 6], [6, 1], [2, 7], [3], [5]];
    const engine = fakeEngine(p, plan, 3);
    const r = await restrictedLogitLoss(asAsync(engine), grid, p);
    expect(r.kept).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const plain = engine.evaluate({ tokens: grid.tokens, labels: grid.labels });
    expect(r.loss).toBeCloseTo(plain.loss, 5);
    expect(r.accuracy).toBe(plain.accuracy);
  });

  it('reuses given activations, handles even p (Nyquist) and needs an MLP', async () => {
    const q = 12;
    const g12 = makeTask('mod_add', q);
    const plan = [[6], [6], [1, 6]];
    const engine = fakeEngine(q, plan, 4, 0, 1);
    const acts = engine.hiddenOf(g12.tokens);
    const r = await restrictedLogitLoss(asAsync(engine), g12, q, { activations: acts, keep: 1 });
    expect(engine.evaluations).toBe(1); // only the overridden pass
    expect(r.kept).toEqual([6]);
    expect(r.layer).toBe(0);
    // units 0 and 1 are pure Nyquist responses: kept exactly
    const band = bandLimitedResponse(acts, 3, g12.labels, q, 1);
    for (let i = 0; i < acts.length; i++) if (i % 3 !== 2) expect(band.values[i]).toBeCloseTo(acts[i], 5);
    const attnOnly = fakeEngine(q, plan, 4);
    (attnOnly.config as { variant: string }).variant = 'attn_only';
    await expect(restrictedLogitLoss(asAsync(attnOnly), g12, q)).rejects.toThrow(/needs an MLP/);
  });

  it('works on the training rows only (baseline.inputs = train)', async () => {
    const plan = [[1], [2], [2]];
    const engine = fakeEngine(p, plan, 5);
    const split = makeSplit(grid.gridSize, 0.3, 1);
    const tokens = new Int32Array(split.train.length * 3);
    const labels = new Int32Array(split.train.length);
    split.train.forEach((row, i) => {
      tokens.set(grid.tokens.subarray(3 * row, 3 * row + 3), 3 * i);
      labels[i] = grid.labels[row];
    });
    const r = await restrictedLogitLoss(asAsync(engine), { tokens, labels }, p);
    expect(engine.lastOverride!.values.length).toBe(split.train.length * 3);
    expect(r.loss).toBeCloseTo(engine.evaluate({ tokens, labels }).loss, 5);
  });
});

describe("Nanda et al.'s progress measures", () => {
  const p = 13;
  const grid = makeTask('mod_add', p);
  const split = makeSplit(grid.gridSize, 0.3, 2);

  it('picks the key frequencies of largest total power along the token axis', async () => {
    // 6 signals: frequency 4 twice (strong), 2 once (strong), 5 and 6 weak
    const spec: [number, number][] = [[4, 2], [4, 2], [2, 3], [5, 0.5], [6, 0.4], [6, 0.3]];
    const signals = new Float64Array(spec.length * p);
    spec.forEach(([k, amp], r) => {
      for (let t = 0; t < p; t++) signals[r * p + t] = amp * Math.cos((2 * Math.PI * k * t) / p + r) + 7;
    });
    expect(keyFrequencies(signals, spec.length, p, 2)).toEqual([2, 4]);
    expect(keyFrequencies(signals, spec.length, p, 4)).toEqual([2, 4, 5, 6]);
  });

  function plantedLogits(keys: number[], other: number | null) {
    const rng = new Rng(8);
    const beta = Float64Array.from({ length: p }, () => rng.normal());
    const amp = Array.from({ length: p * keys.length }, () => 2 * rng.normal());
    const phase = Array.from({ length: p * keys.length }, () => 2 * Math.PI * rng.uniform());
    const key = new Float64Array(grid.gridSize * p);
    const rest = new Float64Array(grid.gridSize * p);
    for (let r = 0; r < grid.gridSize; r++) {
      const s = grid.labels[r];
      for (let c = 0; c < p; c++) {
        let v = beta[c];
        keys.forEach((k, i) => (v += amp[c * keys.length + i] * Math.cos((2 * Math.PI * k * s) / p + phase[c * keys.length + i])));
        key[r * p + c] = v;
        rest[r * p + c] = other === null ? 0 : 1.5 * Math.cos((2 * Math.PI * other * s) / p + c);
      }
    }
    return { beta, key, rest };
  }

  it('excluded loss removes the key directions (leaving the column means), restricted loss keeps only them', async () => {
    const keys = [1, 3, 5];
    const { beta, key, rest } = plantedLogits(keys, 2);
    const logits = Float32Array.from(key, (v, i) => v + rest[i]);
    const m = progressMeasuresFromLogits(logits, p, grid.labels, p, keys, split.train);
    // excluded: beta + the frequency-2 part, on the training rows
    const excluded = Float64Array.from(key, (_, i) => beta[i % p] + rest[i]);
    expect(m.excludedLoss).toBeCloseTo(crossEntropy(excluded, p, grid.labels, split.train).loss, 5);
    // restricted: the key part (beta included) on the grid
    expect(m.restrictedLoss).toBeCloseTo(crossEntropy(key, p, grid.labels).loss, 5);
    expect(m.keyFrequencies).toEqual(keys);
  });

  it('reads the key frequencies off W_E through the Engine interface and reuses given logits', async () => {
    const engine = fakeEngine(p, [[1], [2]], 9);
    const WE = engine.getState().params['embed.W_E'];
    // embedding columns 0 and 2 carry frequency 3, column 1 frequency 6 (weaker); the separator row is ignored
    for (let t = 0; t <= p; t++) {
      WE[t * 4] = t < p ? Math.cos((2 * Math.PI * 3 * t) / p) : 100;
      WE[t * 4 + 1] = t < p ? 0.5 * Math.sin((2 * Math.PI * 6 * t) / p) : -100;
      WE[t * 4 + 2] = t < p ? Math.sin((2 * Math.PI * 3 * t) / p + 1) : 50;
    }
    const m = await progressMeasures(asAsync(engine), grid, p, split.train, { keyCount: 1 });
    expect(m.keyFrequencies).toEqual([3]);
    const logits = engine.evaluate({ tokens: grid.tokens, labels: grid.labels, logits: true }).logits!;
    const before = engine.evaluations;
    const again = await progressMeasures(asAsync(engine), grid, p, split.train, { keyCount: 2, logits });
    expect(engine.evaluations).toBe(before);
    expect(again.keyFrequencies).toEqual([3, 6]);
    expect(again).toEqual(progressMeasuresFromLogits(logits, p, grid.labels, p, [3, 6], split.train));
  });
});
