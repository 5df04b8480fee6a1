import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelConfig, OptimizerConfig } from '../schema/model.js';
import { defaultOptimizer, paperModel } from '../schema/model.js';
import { cloneParams, initParams, paramSpecs, type Params } from '../model/params.js';
import { gather, makeSplit, makeTask } from '../tasks/task.js';
import type { Engine, EvalRequest } from './engine.js';
import { fixtureBatch, fixtureParams, loadFixture } from '../replay/fixtureFile.js';
import { createNativeEngine } from './native.js';
import { REPLAY_TOLERANCES } from '../replay/replayFixture.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/reference/', import.meta.url));

const small = (variant: ModelConfig['variant'], n_layers = 2): ModelConfig => ({
  vocab: 12,
  classes: 11,
  d_model: 32,
  n_heads: 4,
  d_mlp: 64,
  n_layers,
  variant,
});
/** Sizes that are not multiples of the 16-lane vectors or the 6 x 64 GEMM tiles: every tail path runs. */
const odd: ModelConfig = { vocab: 24, classes: 23, d_model: 48, n_heads: 3, d_mlp: 80, n_layers: 2, variant: 'standard' };

const engines: Engine[] = [];
function engine(model: ModelConfig, params: Params, threads?: number, optimizer: OptimizerConfig = defaultOptimizer): Engine {
  const e = createNativeEngine({ model, optimizer, params, options: threads !== undefined ? { threads } : undefined });
  engines.push(e);
  return e;
}
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

/** Consecutive training batches of `size` from the Z_p addition grid of p = classes. */
function batches(model: ModelConfig, size: number, count: number, seed = 3) {
  const task = makeTask('mod_add', model.classes);
  const split = makeSplit(task.gridSize, 0.6, seed);
  return Array.from({ length: count }, (_, s) => {
    const idx = Array.from({ length: size }, (_, i) => split.train[(s * size + i) % split.train.length]);
    return gather(task, idx);
  });
}

function grid(model: ModelConfig) {
  const task = makeTask('mod_add', model.classes);
  return { tokens: task.tokens, labels: task.labels };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function sameParams(a: Params, b: Params): boolean {
  return Object.keys(a).every((k) => Buffer.from(a[k].buffer).equals(Buffer.from(b[k].buffer)));
}

describe('gradients and activations against the PyTorch fixtures', () => {
  for (const name of ['add11-1l-standard', 'add11-2l-standard', 'add11-2l-attn_only', 'add11-2l-mlp_only']) {
    it(`${name}: step-0 gradients of every parameter`, () => {
      const fixture = loadFixture(`${FIXTURES}${name}.json`);
      const e = engine(fixture.model, fixtureParams(fixture), 2, { ...fixture.optimizer });
      const { tokens, labels } = fixtureBatch(fixture, 0);
      const { loss, grads } = e.gradients(tokens, labels);
      expect(Math.abs(loss - fixture.expected.loss[0]) / fixture.expected.loss[0]).toBeLessThan(1e-5);
      expect(Object.keys(grads).sort()).toEqual(Object.keys(fixture.expected.grad0!).sort());
      for (const [param, expected] of Object.entries(fixture.expected.grad0!))
        expect(maxAbsDiff(grads[param], expected), param).toBeLessThan(REPLAY_TOLERANCES.grad0Abs);
    });
  }

  it('captures block-0 activations and logits on the full grid at the fixture parameters', () => {
    const fixture = loadFixture(`${FIXTURES}add11-2l-standard.json`);
    // Evaluated at PyTorch's final parameters, so only float32 rounding separates the two.
    const params = cloneParams(fixtureParams(fixture));
    for (const [param, data] of Object.entries(fixture.expected.final!)) params[param] = Float32Array.from(data);
    const e = engine(fixture.model, params);
    const result = e.evaluate({ ...grid(fixture.model), logits: true, capture: ['block0.mlp.post', 'block0.attn.out'] });
    expect(maxAbsDiff(result.captures['block0.mlp.post']!, fixture.expected.block0_mlp_hidden_last!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(result.captures['block0.attn.out']!, fixture.expected.block0_attn_out_last!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(result.logits!, fixture.expected.grid_logits!)).toBeLessThan(1e-5);
    expect(Math.abs(result.loss - fixture.expected.grid_loss)).toBeLessThan(1e-5);
    expect(result.accuracy).toBeCloseTo(fixture.expected.grid_acc, 6);
  });

  it('mlp.pre is the pre-activation of mlp.post: post = pre * Phi(pre) with the exact erf', () => {
    const e = engine(odd, initParams(odd, 5));
    const result = e.evaluate({ ...grid(odd), capture: ['block1.mlp.pre', 'block1.mlp.post'] });
    const pre = result.captures['block1.mlp.pre']!;
    const post = result.captures['block1.mlp.post']!;
    expect(pre.length).toBe(23 * 23 * odd.d_mlp);
    let worst = 0;
    for (let i = 0; i < pre.length; i++) worst = Math.max(worst, Math.abs(post[i] - pre[i] * normalCdf(pre[i])));
    expect(worst).toBeLessThan(2e-6);
  });
});

/** Phi(x) via erf by the continued fraction / series of Numerical Recipes' erfc (absolute error < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const tau =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erf = 1 - tau;
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}

describe('training state', () => {
  it('trainStep returns the loss before its update, the same as gradients() and evaluate() on that batch', () => {
    const e = engine(odd, initParams(odd, 1));
    const [b] = batches(odd, 97, 1);
    const before = e.gradients(b.tokens, b.labels).loss;
    const evaluated = e.evaluate({ tokens: b.tokens, labels: b.labels }).loss;
    expect(evaluated).toBe(before);
    expect(e.trainStep(b.tokens, b.labels)).toBe(before);
    expect(e.evaluate({ tokens: b.tokens, labels: b.labels }).loss).toBeLessThan(before);
    expect(e.getState().step).toBe(1);
  });

  it('gradients() changes nothing: a following step equals a fresh engine step', () => {
    const params = initParams(odd, 2);
    const a = engine(odd, params);
    const b = engine(odd, params);
    const [x, y] = batches(odd, 64, 2);
    a.gradients(y.tokens, y.labels);
    expect(a.trainStep(x.tokens, x.labels)).toBe(b.trainStep(x.tokens, x.labels));
    expect(sameParams(a.getState().params, b.getState().params)).toBe(true);
  });

  it('getState/setState round trip continues bit-identically (params, both Adam moments, step)', () => {
    const data = batches(odd, 80, 8);
    const original = engine(odd, initParams(odd, 3));
    for (const b of data.slice(0, 4)) original.trainStep(b.tokens, b.labels);
    const saved = original.getState();
    expect(saved.step).toBe(4);
    const continued = data.slice(4).map((b) => original.trainStep(b.tokens, b.labels));

    const restored = engine(odd, initParams(odd, 99)); // different init: everything must come from the state
    restored.setState(saved);
    const replayed = data.slice(4).map((b) => restored.trainStep(b.tokens, b.labels));
    expect(replayed).toEqual(continued);
    const [x, y] = [original.getState(), restored.getState()];
    expect(sameParams(x.params, y.params) && sameParams(x.adamM, y.adamM) && sameParams(x.adamV, y.adamV)).toBe(true);
    expect(y.step).toBe(8);
  });

  it('getState returns copies: mutating them does not touch the engine', () => {
    const e = engine(odd, initParams(odd, 4));
    const s = e.getState();
    s.params['unembed.W_U'].fill(0);
    expect(e.getState().params['unembed.W_U'].some((v) => v !== 0)).toBe(true);
  });

  it('one AdamW step follows PyTorch AdamW for the current optimiser settings and step count', () => {
    const optimizer: OptimizerConfig = { kind: 'adamw', lr: 3e-3, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.5 };
    const e = engine(odd, initParams(odd, 6), 2, optimizer);
    const data = batches(odd, 50, 3);
    e.trainStep(data[0].tokens, data[0].labels);
    const changed: OptimizerConfig = { ...optimizer, lr: 1e-2, weight_decay: 2 };
    e.setOptimizer(changed);
    const before = e.getState();
    const { grads } = e.gradients(data[1].tokens, data[1].labels);
    e.trainStep(data[1].tokens, data[1].labels);
    const after = e.getState();
    const t = before.step + 1;
    let worst = 0;
    for (const spec of paramSpecs(odd)) {
      const [p, m, v, g] = [before.params, before.adamM, before.adamV, grads].map((r) => r[spec.name]);
      for (let i = 0; i < p.length; i++) {
        const m1 = changed.beta1 * m[i] + (1 - changed.beta1) * g[i];
        const v1 = changed.beta2 * v[i] + (1 - changed.beta2) * g[i] * g[i];
        const decayed = p[i] * (1 - changed.lr * changed.weight_decay);
        const denom = Math.sqrt(v1) / Math.sqrt(1 - changed.beta2 ** t) + changed.eps;
        const expected = decayed - (changed.lr / (1 - changed.beta1 ** t)) * (m1 / denom);
        worst = Math.max(worst, Math.abs(after.params[spec.name][i] - expected) / (Math.abs(expected) + 1e-3));
        // Relative to the two terms, which may cancel.
        const scale = changed.beta1 * Math.abs(m[i]) + (1 - changed.beta1) * Math.abs(g[i]);
        expect(Math.abs(after.adamM[spec.name][i] - m1)).toBeLessThanOrEqual(1e-6 * scale);
      }
    }
    expect(worst).toBeLessThan(1e-5);
    expect(after.step).toBe(2);
  });
});

describe('determinism', () => {
  // Training runs at most 4 steps: the engine's thread tuner (native/engine_pool.h) runs its first 4 steps on
  // all threads before it may compare them with running alone. Evaluation uses fresh engines, which start on
  // all threads.
  const run = (model: ModelConfig, threads: number, batchSize: number, steps: number) => {
    const e = engine(model, initParams(model, 11), threads);
    const losses = batches(model, batchSize, steps).map((b) => e.trainStep(b.tokens, b.labels));
    const state = e.getState();
    const fresh = engine(model, initParams(model, 12), threads);
    fresh.setState(state);
    const evaluation = fresh.evaluate({ ...grid(model), logits: true, capture: ['block0.mlp.post', 'block1.attn.out'] });
    return { losses, state, evaluation };
  };

  for (const [label, model, batchSize, steps] of [
    ['odd-sized model', odd, 131, 4],
    ['paper model', paperModel(97), 512, 3],
  ] as const) {
    it(`${label}: 1, 2 and 3 threads give bit-identical losses, parameters, moments and evaluations`, () => {
      const [one, two, three] = [1, 2, 3].map((threads) => run(model, threads, batchSize, steps));
      for (const other of [two, three]) {
        expect(other.losses).toEqual(one.losses);
        expect(sameParams(other.state.params, one.state.params)).toBe(true);
        expect(sameParams(other.state.adamM, one.state.adamM)).toBe(true);
        expect(sameParams(other.state.adamV, one.state.adamV)).toBe(true);
        expect(other.evaluation.loss).toBe(one.evaluation.loss);
        expect(Buffer.from(other.evaluation.logits!.buffer).equals(Buffer.from(one.evaluation.logits!.buffer))).toBe(true);
        for (const site of ['block0.mlp.post', 'block1.attn.out'] as const)
          expect(Buffer.from(other.evaluation.captures[site]!.buffer).equals(Buffer.from(one.evaluation.captures[site]!.buffer))).toBe(true);
      }
    }, 60_000);
  }

  it('a long run on 2 threads (the tuner switching between all threads and one) equals a 1-thread run', () => {
    const data = batches(odd, 40, 30);
    const [one, two] = [1, 2].map((threads) => {
      const e = engine(odd, initParams(odd, 13), threads);
      return { losses: data.map((b) => e.trainStep(b.tokens, b.labels)), params: e.getState().params };
    });
    expect(two.losses).toEqual(one.losses);
    expect(sameParams(two.params, one.params)).toBe(true);
  });

  it('rows shared by examples with equal tokens change nothing: a batch equals its examples one by one', () => {
    // Random tokens at every position, with many repeats: examples share their token-determined rows.
    const e = engine(odd, initParams(odd, 9));
    const n = 60;
    const tokens = Int32Array.from({ length: n * 3 }, (_, i) => (i * 7919 + (i % 3) * 13) % (i % 3 === 1 ? 5 : odd.vocab));
    const labels = Int32Array.from({ length: n }, (_, b) => b % odd.classes);
    const whole = e.evaluate({ tokens, labels, logits: true, capture: ['block1.mlp.post'] });
    for (let b = 0; b < n; b++) {
      const one = e.evaluate({ tokens: tokens.subarray(b * 3, b * 3 + 3), labels: labels.subarray(b, b + 1), logits: true, capture: ['block1.mlp.post'] });
      expect(one.logits).toEqual(whole.logits!.subarray(b * odd.classes, (b + 1) * odd.classes));
      expect(one.captures['block1.mlp.post']).toEqual(whole.captures['block1.mlp.post']!.subarray(b * odd.d_mlp, (b + 1) * odd.d_mlp));
    }
  });

  it('evaluates the whole p = 131 grid (17161 rows) of the paper model, with captures', () => {
    const model = paperModel(131);
    const e = engine(model, initParams(model, 14));
    const { tokens, labels } = grid(model);
    const sites = ['block0.mlp.post', 'block1.attn.out'] as const;
    const all = e.evaluate({ tokens, labels, logits: true, capture: [...sites] });
    expect(all.logits!.length).toBe(17161 * 131);
    expect(all.captures['block0.mlp.post']!.length).toBe(17161 * 512);
    expect(all.captures['block1.attn.out']!.length).toBe(17161 * 128);
    expect(Number.isFinite(all.loss) && all.accuracy >= 0 && all.accuracy <= 1).toBe(true);
    const last = 17160; // the last row, in the last chunk, evaluated alone
    const one = e.evaluate({ tokens: tokens.subarray(last * 3), labels: labels.subarray(last), logits: true, capture: [...sites] });
    expect(one.logits).toEqual(all.logits!.subarray(last * 131));
    expect(one.captures['block0.mlp.post']).toEqual(all.captures['block0.mlp.post']!.subarray(last * 512));
    expect(one.captures['block1.attn.out']).toEqual(all.captures['block1.attn.out']!.subarray(last * 128));
  });

  it('evaluating a grid in one call equals evaluating it in pieces (chunking is invisible)', () => {
    const model = { ...odd, vocab: 48, classes: 47 }; // 2209 rows: three internal chunks
    const e = engine(model, initParams(model, 8));
    const { tokens, labels } = grid(model);
    const whole = e.evaluate({ tokens, labels, logits: true, capture: ['block0.attn.out'] });
    const cut = 1000;
    const parts = [
      e.evaluate({ tokens: tokens.subarray(0, cut * 3), labels: labels.subarray(0, cut), logits: true, capture: ['block0.attn.out'] }),
      e.evaluate({ tokens: tokens.subarray(cut * 3), labels: labels.subarray(cut), logits: true, capture: ['block0.attn.out'] }),
    ];
    const joined = new Float32Array(whole.logits!.length);
    joined.set(parts[0].logits!, 0);
    joined.set(parts[1].logits!, cut * model.classes);
    expect(Buffer.from(joined.buffer).equals(Buffer.from(whole.logits!.buffer))).toBe(true);
    expect(whole.loss).toBeCloseTo((parts[0].loss * cut + parts[1].loss * (labels.length - cut)) / labels.length, 12);
    expect(whole.captures['block0.attn.out']!.subarray(0, cut * model.d_model)).toEqual(parts[0].captures['block0.attn.out']);
  });
});

describe('interventions', () => {
  it('zeroing every attention block equals the mlp_only model with the same MLP parameters, bit for bit', () => {
    const standard = initParams(small('standard'), 21);
    const mlpOnly: Params = {};
    for (const spec of paramSpecs(small('mlp_only'))) mlpOnly[spec.name] = standard[spec.name];
    const a = engine(small('standard'), standard).evaluate({
      ...grid(small('standard')),
      logits: true,
      zero: [
        { layer: 0, kind: 'attn' },
        { layer: 1, kind: 'attn' },
      ],
    });
    const b = engine(small('mlp_only'), mlpOnly).evaluate({ ...grid(small('mlp_only')), logits: true });
    expect(Buffer.from(a.logits!.buffer).equals(Buffer.from(b.logits!.buffer))).toBe(true);
    // Without attention the last position never sees a or b: every grid row has the same logits.
    const C = 11;
    for (let r = 1; r < 121; r++) expect(a.logits!.subarray(r * C, (r + 1) * C)).toEqual(a.logits!.subarray(0, C));
  });

  it('zeroing every MLP equals the attn_only model with the same attention parameters, bit for bit', () => {
    const standard = initParams(small('standard'), 22);
    const attnOnly: Params = {};
    for (const spec of paramSpecs(small('attn_only'))) attnOnly[spec.name] = standard[spec.name];
    const a = engine(small('standard'), standard).evaluate({
      ...grid(small('standard')),
      logits: true,
      zero: [
        { layer: 0, kind: 'mlp' },
        { layer: 1, kind: 'mlp' },
      ],
    });
    const b = engine(small('attn_only'), attnOnly).evaluate({ ...grid(small('attn_only')), logits: true });
    expect(Buffer.from(a.logits!.buffer).equals(Buffer.from(b.logits!.buffer))).toBe(true);
  });

  it('a zeroed attention reports a zero output and changes the logits; other blocks are untouched', () => {
    const e = engine(small('standard'), initParams(small('standard'), 23));
    const request: EvalRequest = { ...grid(small('standard')), logits: true, capture: ['block0.attn.out', 'block0.mlp.pre'] };
    const plain = e.evaluate(request);
    const zeroed = e.evaluate({ ...request, zero: [{ layer: 1, kind: 'attn' }] });
    expect(plain.captures['block0.attn.out']!.some((v) => v !== 0)).toBe(true);
    expect(zeroed.captures['block0.attn.out']).toEqual(plain.captures['block0.attn.out']); // block 0 runs before
    expect(zeroed.captures['block0.mlp.pre']).toEqual(plain.captures['block0.mlp.pre']);
    expect(maxAbsDiff(zeroed.logits!, plain.logits!)).toBeGreaterThan(1e-3);
    const zeroedFirst = e.evaluate({ ...request, zero: [{ layer: 0, kind: 'attn' }] });
    expect(zeroedFirst.captures['block0.attn.out']!.every((v) => v === 0)).toBe(true);
  });

  for (const [name, model] of [['odd-sized, 2 layers', odd], ['1 layer', { ...odd, n_layers: 1 } as ModelConfig], ['mlp_only', { ...odd, variant: 'mlp_only' } as ModelConfig]] as const)
    it(`evaluateTail from resid.mid equals the full pass with the same override, bit for bit (${name})`, () => {
      const e = engine(model, initParams(model, 25));
      const last = model.n_layers - 1;
      const plain = e.evaluate({ ...grid(model), logits: true, capture: [`block${last}.mlp.post`, `block${last}.resid.mid`] });
      expect(plain.captures[`block${last}.resid.mid`]).toHaveLength(grid(model).labels.length * model.d_model);
      const hidden = Float32Array.from(plain.captures[`block${last}.mlp.post`]!, (v, i) => v * (1 + (i % 7) / 10) - 0.05);
      const full = e.evaluate({ ...grid(model), logits: true, override: { layer: last, values: hidden } });
      const tail = e.evaluateTail({ residual: plain.captures[`block${last}.resid.mid`]!, hidden, labels: grid(model).labels, logits: true });
      expect(tail.loss).toBe(full.loss);
      expect(tail.accuracy).toBe(full.accuracy);
      expect(Buffer.from(tail.logits!.buffer).equals(Buffer.from(full.logits!.buffer))).toBe(true);
      expect(() => e.evaluateTail({ residual: new Float32Array(3), hidden, labels: grid(model).labels })).toThrow(/residual must hold/);
    });

  for (const layer of [0, 1]) {
    it(`overriding block ${layer}'s MLP hidden with its own captured values reproduces the loss exactly`, () => {
      const e = engine(odd, initParams(odd, 24));
      const site = `block${layer}.mlp.post` as const;
      const plain = e.evaluate({ ...grid(odd), logits: true, capture: [site] });
      const values = plain.captures[site]!;
      const same = e.evaluate({ ...grid(odd), logits: true, override: { layer, values } });
      expect(same.loss).toBe(plain.loss);
      expect(Buffer.from(same.logits!.buffer).equals(Buffer.from(plain.logits!.buffer))).toBe(true);
      const shifted = Float32Array.from(values, (v, i) => (i % odd.d_mlp === 3 ? v + 1 : v));
      const moved = e.evaluate({ ...grid(odd), capture: [site], override: { layer, values: shifted } });
      expect(moved.loss).not.toBe(plain.loss);
      expect(moved.captures[site]).toEqual(shifted); // the capture reports what the rest of the pass saw
    });
  }

  it('accuracy breaks argmax ties toward the first class', () => {
    const params = initParams(odd, 25);
    params['unembed.W_U'].fill(0);
    params['unembed.b_U'].fill(0); // every logit is 0: argmax is class 0 for every row
    const { tokens, labels } = grid(odd);
    const result = engine(odd, params).evaluate({ tokens, labels });
    expect(result.accuracy).toBeCloseTo(labels.filter((y) => y === 0).length / labels.length, 12);
    expect(result.loss).toBeCloseTo(Math.log(odd.classes), 6);
  });
});

describe('bad input gives clear errors, not crashes', () => {
  const e = () => engine(small('standard'), initParams(small('standard'), 30));
  const ok = { tokens: Int32Array.from([1, 2, 11, 3, 4, 11]), labels: Int32Array.from([3, 7]) };

  it('rejects tokens outside the vocabulary and labels outside the classes', () => {
    expect(() => e().trainStep(Int32Array.from([1, 12, 11]), Int32Array.from([0]))).toThrow(/token 12 .*vocab = 12/);
    expect(() => e().trainStep(Int32Array.from([-1, 2, 11]), Int32Array.from([0]))).toThrow(/token -1/);
    expect(() => e().evaluate({ tokens: ok.tokens, labels: Int32Array.from([3, 11]) })).toThrow(/label 11 .*classes = 11/);
  });

  it('rejects inconsistent lengths and wrong array types', () => {
    expect(() => e().trainStep(Int32Array.from([1, 2]), Int32Array.from([0]))).toThrow(/3 values per example/);
    expect(() => e().gradients(ok.tokens, Int32Array.from([1]))).toThrow(/labels has length 1 but tokens hold 2/);
    expect(() => e().trainStep(new Int32Array(0), new Int32Array(0))).toThrow(/empty/);
    expect(() => e().trainStep(Float32Array.from([1, 2, 11]) as unknown as Int32Array, ok.labels)).toThrow(/Int32Array/);
  });

  it('rejects bad sites, overrides and components', () => {
    expect(() => e().evaluate({ ...ok, capture: ['block0.mlp.hidden' as never] })).toThrow(/unknown site/);
    expect(() => e().evaluate({ ...ok, capture: ['block2.mlp.post'] })).toThrow(/block2 does not exist/);
    const mlpOnly = engine(small('mlp_only'), initParams(small('mlp_only'), 31));
    expect(() => mlpOnly.evaluate({ ...ok, capture: ['block0.attn.out'] })).toThrow(/no attention/);
    expect(() => e().evaluate({ ...ok, override: { layer: 0, values: new Float32Array(5) } })).toThrow(/must hold 128 values/);
    expect(() => e().evaluate({ ...ok, override: { layer: 3, values: new Float32Array(128) } })).toThrow(/does not exist/);
    expect(() => e().evaluate({ ...ok, zero: [{ layer: 0, kind: 'ffn' as never }] })).toThrow(/bad component/);
  });

  it('rejects parameters and states that do not fit the model', () => {
    const params = initParams(small('standard'), 32);
    delete params['ln_f.b'];
    expect(() => engine(small('standard'), params)).toThrow(/ln_f.b: missing/);
    const wrong = initParams(small('standard'), 33);
    wrong['unembed.W_U'] = new Float32Array(3);
    expect(() => engine(small('standard'), wrong)).toThrow(/unembed.W_U: expected 352 values/);
    const state = e().getState();
    expect(() => e().setState({ ...state, step: -1 })).toThrow(/step/);
    expect(() => e().setState({ ...state, adamV: { ...state.adamV, 'embed.W_E': new Float32Array(2) } })).toThrow(/adamV.*embed.W_E/s);
    expect(() => engine(small('standard'), initParams(small('standard'), 34), 0)).toThrow(/threads/);
    expect(() => e().setOptimizer({ ...defaultOptimizer, lr: -1 })).toThrow(/lr/);
  });

  it('a disposed engine refuses further calls', () => {
    const x = e();
    x.dispose();
    expect(() => x.trainStep(ok.tokens, ok.labels)).toThrow(/disposed/);
    x.dispose(); // idempotent
  });

  it('describes itself with its thread count', () => {
    expect(engine(small('standard'), initParams(small('standard'), 35), 3).description).toMatch(/^native \(C\+\+ N-API, 3 threads/);
  });
});

describe('the model switches on the native engine (model.md "Model switches")', () => {
  const nanda: ModelConfig = { ...small('standard', 1), norm: 'none', act: 'relu', attn_bias: false, unembed_bias: false, init: 'nanda' };

  /** A model made confident: W_U scaled up, the labels set to its own argmax, so every loss is near 0. */
  function confident(model: ModelConfig) {
    const params = initParams(model, 5);
    const task = makeTask('mod_add', model.classes);
    const probe = engine(model, params).evaluate({ tokens: task.tokens, labels: task.labels, logits: true });
    let scale = 1;
    // Grow W_U until the smallest margin makes exp(-margin) vanish next to 1 in float32 (below 2^-24).
    const margins = (logits: Float32Array) => {
      let smallest = Infinity;
      for (let r = 0; r < task.gridSize; r++) {
        const row = Array.from(logits.subarray(r * model.classes, (r + 1) * model.classes)).sort((a, b) => b - a);
        smallest = Math.min(smallest, row[0] - row[1]);
      }
      return smallest;
    };
    scale = Math.ceil(30 / Math.max(margins(probe.logits!), 1e-3));
    const scaled = cloneParams(params);
    scaled['unembed.W_U'] = scaled['unembed.W_U'].map((x) => x * scale);
    const logits = engine(model, scaled).evaluate({ tokens: task.tokens, labels: task.labels, logits: true }).logits!;
    const labels = new Int32Array(task.gridSize);
    for (let r = 0; r < task.gridSize; r++) {
      const row = logits.subarray(r * model.classes, (r + 1) * model.classes);
      labels[r] = row.indexOf(Math.max(...row));
    }
    return { params: scaled, tokens: task.tokens, labels, logits };
  }

  /** Mean cross-entropy in float64 from float32 logits (Nanda et al.'s cross_entropy_high_precision). */
  function lossF64(logits: Float32Array, labels: Int32Array, classes: number): number {
    let sum = 0;
    for (let r = 0; r < labels.length; r++) {
      const row = Array.from(logits.subarray(r * classes, (r + 1) * classes));
      const max = Math.max(...row);
      const logSum = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      sum -= row[labels[r]] - max - logSum;
    }
    return sum / labels.length;
  }

  it("loss_precision f64 gives a grokked model's tiny losses, which float32's log-softmax rounds to 0", () => {
    const { params, tokens, labels, logits } = confident(nanda);
    const exact = lossF64(logits, labels, nanda.classes);
    expect(exact).toBeGreaterThan(0);
    expect(exact).toBeLessThan(1e-8);
    const f64 = engine({ ...nanda, loss_precision: 'f64' }, params).evaluate({ tokens, labels });
    const f32 = engine(nanda, params).evaluate({ tokens, labels });
    expect(Math.abs(f64.loss - exact) / exact).toBeLessThan(1e-9);
    expect(f32.loss).toBeLessThan(exact / 10); // float32 loses it (mostly to exact zeros)
    // The same in training: the f64 step's loss is the float64 loss of the batch.
    const trainer = engine({ ...nanda, loss_precision: 'f64' }, params);
    expect(Math.abs(trainer.trainStep(tokens, labels) - exact) / exact).toBeLessThan(1e-9);
  });

  it('ReLU, no LayerNorm and no biases: the parameters are those paramSpecs lists, and training lowers the loss', () => {
    const params = initParams(nanda, 2);
    const e = engine(nanda, params, undefined, { ...defaultOptimizer, lr: 3e-3, warmup_steps: 5 });
    expect(Object.keys(e.getState().params)).toEqual(paramSpecs(nanda).map((s) => s.name));
    const data = batches(nanda, 32, 40);
    const losses = data.map((b) => e.trainStep(b.tokens, b.labels));
    // The first update has lr 0 (warm-up): the second batch's loss is that of the init.
    const fresh = engine(nanda, params);
    expect(losses[1]).toBe(fresh.trainStep(data[1].tokens, data[1].labels));
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
  });
});
