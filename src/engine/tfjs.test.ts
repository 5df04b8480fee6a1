/**
 * The tfjs reference engine against the PyTorch fixtures of shared/fixtures/reference (model.md, "Reference
 * fixtures"), plus the Engine contract: AdamW arithmetic, state round trips, optimiser changes, zeroing,
 * override, exact GELU, input checks, backend selection and tensor hygiene.
 */
import { exactGelu } from './testing/erfOracle.js';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ModelConfig, OptimizerConfig } from '../schema/model.js';
import { cloneParams, initParams, type Params } from '../model/params.js';
import { Rng } from '../random/rng.js';
import type { Engine, TrainingState } from './engine.js';
import { fixtureParams, loadFixture } from '../replay/fixtureFile.js';
import { isGaugeParam, replayFixture } from '../replay/replayFixture.js';
import { createTfjsEngine } from './tfjs.js';
import { referenceFixturePath } from '../testing/referenceFixtures.js';
import { TfjsBackendUnavailableError } from './tfjsBackend.js';

/** The small fixtures of both folders (the switches' add13-1l-nanda: ReLU, no LayerNorm, no biases, warm-up, full batch). */
const SMALL_FIXTURES = ['add11-1l-standard', 'add11-2l-standard', 'add11-2l-attn_only', 'add11-2l-mlp_only', 'add13-1l-nanda'];
const BACKENDS = ['wasm', 'cpu'] as const;

/** Largest |a_i - b_i|. */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function maxAbs(a: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]));
  return worst;
}

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

// The comparison logic and its tolerances live in src/replay/replayFixture.ts (shared with the native engine and the CLI).
describe.each(BACKENDS)('tfjs engine (%s) replays the PyTorch fixtures', (backend) => {
  it.each(SMALL_FIXTURES)('%s: losses, step-0 gradients, final parameters, grid logits and activations', async (name) => {
    const report = await replayFixture(loadFixture(referenceFixturePath(name)), 'tfjs', { engine: { backend } });
    expect(report.engine).toContain(`(${backend}`);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.grad0_max_abs_err).not.toBeNull();
    expect(report.max_abs_param_err).not.toBeNull();
  });
});

it("tfjs engine refuses loss_precision 'f64' by name (it has no float64)", async () => {
  const f = loadFixture(referenceFixturePath('add13-1l-nanda-f64'));
  await expect(createTfjsEngine({ model: f.model, optimizer: f.optimizer, params: fixtureParams(f), options: { backend: 'wasm' } })).rejects.toThrow(
    /tfjs engine has no float64: loss_precision 'f64'/,
  );
});

it('tfjs engine (wasm) replays the paper-size add97 fixture: 4 steps of batch 512, gradient norms, parameter sums', async () => {
  const report = await replayFixture(loadFixture(referenceFixturePath('add97-2l-paper')), 'tfjs', { engine: { backend: 'wasm' } });
  expect(report.failures).toEqual([]);
  expect(report.grad0_max_norm_rel_err).not.toBeNull();
  expect(report.max_rel_summary_err).not.toBeNull();
  expect(report.ok).toBe(true);
});

// ---------------------------------------------------------------------------------------------------------------
// The Engine contract on a small random model (2 layers, p = 7).

const SMALL: ModelConfig = { vocab: 8, classes: 7, d_model: 16, n_heads: 2, d_mlp: 24, n_layers: 2, variant: 'standard' };
const OPT: OptimizerConfig = { kind: 'adamw', lr: 3e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 0.5 };

function randomBatch(config: ModelConfig, n: number, seed: number): { tokens: Int32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const tokens = new Int32Array(n * 3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    tokens[i * 3] = rng.int(config.vocab - 1);
    tokens[i * 3 + 1] = rng.int(config.vocab - 1);
    tokens[i * 3 + 2] = config.vocab - 1;
    labels[i] = rng.int(config.classes);
  }
  return { tokens, labels };
}

async function smallEngine(overrides: { model?: ModelConfig; optimizer?: OptimizerConfig; params?: Params; backend?: string } = {}): Promise<Engine> {
  const model = overrides.model ?? SMALL;
  return createTfjsEngine({
    model,
    optimizer: overrides.optimizer ?? OPT,
    params: overrides.params ?? initParams(model, 11),
    options: { backend: overrides.backend ?? 'cpu' },
  });
}

/**
 * Same parameters within `tolerance`. With a non-zero tolerance, attn.b_K is left out: its gradient is exactly 0
 * and computed as rounding noise, which Adam scales up to steps of ~lr * g / eps (see isGaugeParam in src/replay/replayFixture.ts).
 */
function expectSameParams(a: Params, b: Params, tolerance: number): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const name of Object.keys(a)) {
    if (tolerance > 0 && isGaugeParam(name)) continue;
    expect(maxAbsDiff(a[name], b[name]), name).toBeLessThanOrEqual(tolerance);
  }
}



describe('tfjs engine: float mode', () => {
  it('keeps subnormals (it cannot set the float mode) and refuses an explicit flush', async () => {
    const model: ModelConfig = { vocab: 6, classes: 5, d_model: 8, n_heads: 2, d_mlp: 16, n_layers: 1, variant: 'standard' };
    const optimizer: OptimizerConfig = { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1 };
    const e = await createTfjsEngine({ model, optimizer, params: initParams(model, 1), options: { backend: 'cpu' } });
    expect(e.denormals).toBe('keep');
    e.dispose();
    await expect(createTfjsEngine({ model, optimizer, params: initParams(model, 1), options: { backend: 'cpu', denormals: 'flush' } })).rejects.toThrow(/--denormals keep/);
  });
});

describe('tfjs engine: optimiser', () => {
  it('takes exactly the AdamW step of model.md (bias-corrected, decoupled decay)', async () => {
    const engine = await smallEngine();
    const { tokens, labels } = randomBatch(SMALL, 20, 1);
    // Start from non-trivial moments at step 4 so that decay, both moments and both bias corrections matter.
    const start = engine.getState();
    const rng = new Rng(5);
    const adamM: Params = {};
    const adamV: Params = {};
    for (const [name, p] of Object.entries(start.params)) {
      adamM[name] = p.map(() => (rng.uniform() - 0.5) * 1e-2);
      adamV[name] = p.map(() => rng.uniform() * 1e-4);
    }
    const before: TrainingState = { params: start.params, adamM, adamV, step: 4 };
    engine.setState(before);
    const { grads } = engine.gradients(tokens, labels);
    engine.trainStep(tokens, labels);
    const after = engine.getState();
    engine.dispose();

    const { lr, beta1, beta2, eps, weight_decay } = OPT;
    const t = 5;
    expect(after.step).toBe(t);
    for (const name of Object.keys(before.params)) {
      for (let i = 0; i < before.params[name].length; i++) {
        const g = grads[name][i];
        const m = beta1 * adamM[name][i] + (1 - beta1) * g;
        const v = beta2 * adamV[name][i] + (1 - beta2) * g * g;
        const p = before.params[name][i] * (1 - lr * weight_decay) - (lr * (m / (1 - beta1 ** t))) / (Math.sqrt(v / (1 - beta2 ** t)) + eps);
        // float32 rounding is relative to the operands' magnitudes (the sums may cancel), ~6e-8 per operation.
        const update = Math.abs(before.params[name][i] * lr * weight_decay) + Math.abs(p - before.params[name][i]);
        expect(Math.abs(after.adamM[name][i] - m)).toBeLessThan(1e-6 * (Math.abs(adamM[name][i]) + Math.abs(g)) + 1e-15);
        expect(Math.abs(after.adamV[name][i] - v)).toBeLessThan(1e-6 * (adamV[name][i] + g * g) + 1e-20);
        expect(Math.abs(after.params[name][i] - p), `${name}[${i}]`).toBeLessThan(1e-6 * (Math.abs(p) + update) + 1e-9);
      }
    }
  });

  it('gradients() changes nothing, and its loss is the loss trainStep reports', async () => {
    const engine = await smallEngine();
    const { tokens, labels } = randomBatch(SMALL, 16, 2);
    const before = engine.getState();
    const first = engine.gradients(tokens, labels);
    const second = engine.gradients(tokens, labels);
    expectSameParams(engine.getState().params, before.params, 0);
    expectSameParams(first.grads, second.grads, 0);
    expect(engine.evaluate({ tokens, labels }).loss).toBeCloseTo(first.loss, 6);
    expect(engine.trainStep(tokens, labels)).toBe(first.loss);
    engine.dispose();
  });

  it('setOptimizer changes the next steps and keeps the moments and the step count', async () => {
    const changed: OptimizerConfig = { ...OPT, lr: 1e-2, weight_decay: 0 };
    const batches = [randomBatch(SMALL, 16, 3), randomBatch(SMALL, 16, 4)];
    const switched = await smallEngine();
    switched.trainStep(batches[0].tokens, batches[0].labels);
    const mid = switched.getState();
    switched.setOptimizer(changed);
    expect(switched.getState().step).toBe(1);
    expectSameParams(switched.getState().adamM, mid.adamM, 0);
    switched.trainStep(batches[1].tokens, batches[1].labels);

    const fresh = await smallEngine({ optimizer: changed });
    fresh.setState(mid);
    fresh.trainStep(batches[1].tokens, batches[1].labels);
    const unchanged = await smallEngine();
    unchanged.setState(mid);
    unchanged.trainStep(batches[1].tokens, batches[1].labels);

    expectSameParams(switched.getState().params, fresh.getState().params, 0);
    expect(maxAbsDiff(switched.getState().params['embed.W_E'], unchanged.getState().params['embed.W_E'])).toBeGreaterThan(1e-4);
    for (const e of [switched, fresh, unchanged]) e.dispose();
  });

  it('getState/setState continue training exactly, and getState hands out copies', async () => {
    const batches = [1, 2, 3, 4, 5].map((s) => randomBatch(SMALL, 12, 10 + s));
    const a = await smallEngine();
    batches.slice(0, 3).forEach((b) => a.trainStep(b.tokens, b.labels));
    const saved = a.getState();
    const copy = { ...saved, params: cloneParams(saved.params), adamM: cloneParams(saved.adamM), adamV: cloneParams(saved.adamV) };
    saved.params['embed.W_E'].fill(123); // must not reach the engine
    const lossesA = batches.slice(3).map((b) => a.trainStep(b.tokens, b.labels));

    const b = await smallEngine({ params: initParams(SMALL, 99) });
    b.setState(copy);
    const lossesB = batches.slice(3).map((bt) => b.trainStep(bt.tokens, bt.labels));
    expect(lossesB).toEqual(lossesA);
    expectSameParams(b.getState().params, a.getState().params, 0);
    expectSameParams(b.getState().adamV, a.getState().adamV, 0);
    expect(b.getState().step).toBe(5);
    a.dispose();
    b.dispose();
  });
});

describe('tfjs engine: sites, zeroing and override', () => {
  const { tokens, labels } = randomBatch(SMALL, 30, 7);

  it('captures [N, units] at every site, and mlp.post is the exact erf GELU of mlp.pre', async () => {
    const engine = await smallEngine();
    const sites = ['block0.mlp.pre', 'block0.mlp.post', 'block0.attn.out', 'block1.mlp.pre', 'block1.mlp.post', 'block1.attn.out'] as const;
    const { captures } = engine.evaluate({ tokens, labels, capture: [...sites] });
    engine.dispose();
    for (const site of sites) expect(captures[site]!.length, site).toBe(30 * (site.includes('mlp') ? SMALL.d_mlp : SMALL.d_model));
    for (const l of [0, 1]) {
      const pre = captures[`block${l}.mlp.pre`]!;
      const post = captures[`block${l}.mlp.post`]!;
      // The tanh approximation of GELU differs from the erf form by up to ~5e-4 here; float32 rounding by ~1e-7.
      for (let i = 0; i < pre.length; i++) expect(Math.abs(post[i] - exactGelu(pre[i]))).toBeLessThan(2e-6);
    }
  });

  it('zeroing a component equals zeroing its output weights, and zeroes its attn.out capture', async () => {
    const engine = await smallEngine();
    for (const [kind, weights] of [
      ['attn', ['attn.W_O', 'attn.b_O']],
      ['mlp', ['mlp.W_out', 'mlp.b_out']],
    ] as const) {
      for (const layer of [0, 1]) {
        const zeroed = engine.evaluate({ tokens, labels, zero: [{ layer, kind }], logits: true, capture: [`block${layer}.attn.out`] });
        const params = cloneParams(engine.getState().params);
        for (const w of weights) params[`blocks.${layer}.${w}`].fill(0);
        const reference = await smallEngine({ params });
        const expected = reference.evaluate({ tokens, labels, logits: true });
        reference.dispose();
        expect(maxAbsDiff(zeroed.logits!, expected.logits!), `${kind} ${layer}`).toBeLessThan(1e-6);
        const full = engine.evaluate({ tokens, labels, logits: true });
        expect(maxAbsDiff(zeroed.logits!, full.logits!)).toBeGreaterThan(1e-3);
        if (kind === 'attn') expect(maxAbs(zeroed.captures[`block${layer}.attn.out`]!)).toBe(0);
      }
    }
    engine.dispose();
  });

  it('override: feeding back the captured hidden changes nothing; other values act only through W_out', async () => {
    const engine = await smallEngine();
    const rng = new Rng(8);
    for (const layer of [0, 1]) {
      const site = `block${layer}.mlp.post` as const;
      const base = engine.evaluate({ tokens, labels, logits: true, capture: [site] });
      const same = engine.evaluate({ tokens, labels, logits: true, override: { layer, values: base.captures[site]! } });
      expect(maxAbsDiff(same.logits!, base.logits!)).toBeLessThan(1e-6);
      const values = base.captures[site]!.map(() => rng.normal());
      const moved = engine.evaluate({ tokens, labels, logits: true, override: { layer, values }, capture: [site, 'block0.mlp.pre'] });
      expect(maxAbsDiff(moved.logits!, base.logits!)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(moved.captures[site]!, values)).toBe(0);
      // With this block's W_out zeroed, its hidden is invisible downstream, so the override must be too.
      const params = cloneParams(engine.getState().params);
      params[`blocks.${layer}.mlp.W_out`].fill(0);
      const blind = await smallEngine({ params });
      const a = blind.evaluate({ tokens, labels, logits: true });
      const b = blind.evaluate({ tokens, labels, logits: true, override: { layer, values } });
      blind.dispose();
      expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(1e-6);
    }
    engine.dispose();
  });

  it('accuracy takes the first index on tied logits', async () => {
    const params = initParams(SMALL, 3);
    params['unembed.W_U'].fill(0);
    params['unembed.b_U'].fill(0);
    const engine = await smallEngine({ params });
    const result = engine.evaluate({ tokens, labels, logits: true });
    engine.dispose();
    const zeros = labels.filter((y) => y === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(result.accuracy).toBeCloseTo(zeros / labels.length, 12);
    expect(result.loss).toBeCloseTo(Math.log(SMALL.classes), 5);
  });

  it('runs every variant with one or two layers and rejects sites and components the variant lacks', async () => {
    for (const variant of ['standard', 'attn_only', 'mlp_only'] as const) {
      for (const n_layers of [1, 2]) {
        const model: ModelConfig = { ...SMALL, variant, n_layers };
        const engine = await smallEngine({ model, params: initParams(model, 4) });
        const loss = engine.trainStep(tokens, labels);
        expect(Number.isFinite(loss)).toBe(true);
        if (variant === 'mlp_only') {
          expect(() => engine.evaluate({ tokens, labels, capture: ['block0.attn.out'] })).toThrow(/no attention/);
          expect(() => engine.evaluate({ tokens, labels, zero: [{ layer: 0, kind: 'attn' }] })).toThrow(/none/);
        }
        if (variant === 'attn_only') {
          expect(() => engine.evaluate({ tokens, labels, capture: ['block0.mlp.post'] })).toThrow(/no MLP/);
          expect(() => engine.evaluate({ tokens, labels, override: { layer: 0, values: new Float32Array(30 * 24) } })).toThrow(/override/);
        }
        expect(() => engine.evaluate({ tokens, labels, capture: [`block${n_layers}.mlp.post`] })).toThrow(/block/);
        engine.dispose();
      }
    }
  });
});

describe('tfjs engine: input checks, backends and tensor hygiene', () => {
  it('rejects malformed batches, states and overrides with a message', async () => {
    const engine = await smallEngine();
    const { tokens, labels } = randomBatch(SMALL, 4, 9);
    expect(() => engine.trainStep(tokens.subarray(1), labels)).toThrow(/tokens has 11 values/);
    expect(() => engine.trainStep(Int32Array.from(tokens).fill(SMALL.vocab, 0, 1), labels)).toThrow(/token 8/);
    expect(() => engine.gradients(tokens, Int32Array.from(labels).fill(-1, 0, 1))).toThrow(/label -1/);
    expect(() => engine.evaluate({ tokens, labels, capture: ['block0.mlp' as never] })).toThrow(/unknown site/);
    expect(() => engine.evaluate({ tokens, labels, override: { layer: 0, values: new Float32Array(5) } })).toThrow(/expected 96/);
    const state = engine.getState();
    delete state.adamV['ln_f.w'];
    expect(() => engine.setState(state)).toThrow(/ln_f\.w: missing/);
    engine.dispose();
    expect(() => engine.trainStep(tokens, labels)).toThrow(/disposed/);
    await expect(createTfjsEngine({ model: SMALL, optimizer: OPT, params: initParams({ ...SMALL, d_mlp: 8 }, 1) })).rejects.toThrow(/W_in/);
    await expect(createTfjsEngine({ model: SMALL, optimizer: { ...OPT, beta2: 1 }, params: initParams(SMALL, 1) })).rejects.toThrow(/optimizer\.beta2/);
  });

  it('names the backend it uses, and refuses unknown or unavailable ones clearly', async () => {
    for (const backend of BACKENDS) {
      const engine = await smallEngine({ backend });
      expect(engine.description).toMatch(new RegExp(`^tfjs ${tf.version.tfjs.replace(/\./g, '\\.')} \\(${backend}`));
      engine.dispose();
    }
    await expect(smallEngine({ backend: 'metal' })).rejects.toThrow(/unknown tfjs backend 'metal'/);
    // webgpu exists but reads back only asynchronously: the synchronous engine refuses it (tfjsWebgpu.test.ts).
    await expect(smallEngine({ backend: 'webgpu' })).rejects.toThrow(/only asynchronously/);
    const require = createRequire(import.meta.url);
    const installed = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((pkg) => {
      try {
        require.resolve(pkg);
        return true;
      } catch {
        return false;
      }
    });
    if (installed) expect((await smallEngine({ backend: 'tensorflow' })).description).toMatch(/tensorflow via/);
    else {
      const attempt = smallEngine({ backend: 'tensorflow' });
      await expect(attempt).rejects.toThrow(TfjsBackendUnavailableError);
      await expect(attempt).rejects.toThrow(/@tensorflow\/tfjs-node-gpu/);
      // Unforced, it falls back past the missing tensorflow backend to wasm.
      const engine = await createTfjsEngine({ model: SMALL, optimizer: OPT, params: initParams(SMALL, 1) });
      expect(engine.description).toMatch(/\(wasm, SIMD/);
      engine.dispose();
    }
  });

  it('engines on different backends coexist in one process and agree', async () => {
    const batches = [1, 2, 3].map((s) => randomBatch(SMALL, 16, 20 + s));
    const wasm = await smallEngine({ backend: 'wasm' });
    const cpu = await smallEngine({ backend: 'cpu' });
    for (const b of batches) {
      const lw = wasm.trainStep(b.tokens, b.labels);
      const lc = cpu.trainStep(b.tokens, b.labels);
      expect(relErr(lw, lc)).toBeLessThan(1e-5);
    }
    expectSameParams(wasm.getState().params, cpu.getState().params, 1e-5);
    wasm.dispose();
    cpu.dispose();
  });

  it('leaks no tensors: per step, per evaluation, and none left after dispose', async () => {
    for (const backend of BACKENDS) {
      const before = tf.memory().numTensors;
      const engine = await smallEngine({ backend });
      const alive = tf.memory().numTensors;
      expect(alive).toBeGreaterThan(before);
      const { tokens, labels } = randomBatch(SMALL, 8, 30);
      for (let i = 0; i < 3; i++) {
        engine.trainStep(tokens, labels);
        engine.gradients(tokens, labels);
        const { captures } = engine.evaluate({
          tokens,
          labels,
          logits: true,
          capture: ['block0.mlp.post', 'block1.attn.out'],
          zero: [{ layer: 1, kind: 'mlp' }],
          override: { layer: 0, values: new Float32Array(8 * SMALL.d_mlp) },
        });
        engine.setState(engine.getState());
        expect(captures['block0.mlp.post']).toBeDefined();
        expect(tf.memory().numTensors).toBe(alive);
      }
      expect(() => engine.evaluate({ tokens, labels, capture: ['block5.mlp.post'] })).toThrow();
      expect(tf.memory().numTensors).toBe(alive);
      engine.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
