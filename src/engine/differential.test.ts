/**
 * Differential test: the native engine against the tfjs reference engine and the webgpu engine (shared/spec/
 * design.md, "Engines"; webgpu on lavapipe in CI, skipped without an adapter) on random small models,
 * parameters, batches, Adam states and optimiser settings; and a lockstep group of three runs against each run
 * alone, bit for bit. The engines compute the model of
 * shared/spec/model.md in float32, in different orders, so they agree to float32 rounding, amplified by the
 * depth of the computation. The tolerances below are stated relative to the scale of the compared quantity.
 *
 * Tolerances, and why (float32 unit roundoff u = 6e-8):
 * - forward values (loss, logits, captures): a value here passes through <= ~40 float32 operations, including
 *   dot products of <= 32 terms and LayerNorms whose 1/sigma can amplify errors a few-fold; error bounds of
 *   order 40 * 32 * u ~ 1e-4 (worst case) and ~1e-6 in practice. We allow 1e-4 of the largest |value| at
 *   that site (1e-5 relative for the scalar loss, a mean of many terms whose errors average out).
 * - gradients: backprop doubles the chain, so 1e-4 of the parameter's largest |gradient| plus 1e-6 of the
 *   largest |gradient| of any parameter. The second term covers attn.b_K, whose gradient is exactly zero in
 *   exact arithmetic (softmax ignores adding q.b_K to a whole row of scores) so both engines return rounding
 *   noise that need not agree even in sign.
 * - one AdamW step: Adam divides by sqrt(v_hat) + eps, which amplifies a gradient difference without bound as
 *   v -> 0 (attn.b_K's noise becomes a step of up to lr). So instead of comparing the two engines' parameters
 *   after a step, each engine's step is checked against AdamW applied, in float64, to that engine's own
 *   gradients (compared above), from a random Adam state; that is exact up to float32 rounding.
 */
import { exactGelu } from './testing/erfOracle.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelSwitches, warmedLr, type ModelConfig, type OptimizerConfig, type Variant } from '../schema/model.js';
import { blockHasAttention, blockHasMlp, initParams, type Params } from '../model/params.js';
import { Rng } from '../random/rng.js';
import { createCpuEngine, createEngine } from './create.js';
import { asAsync, type AsyncEngine, type Component, type EngineCreateArgs, type TrainingState } from './engine.js';
import { webGpuForTests } from './webgpu/device.js';
import type { SiteName } from '../schema/sites.js';

/**
 * The tfjs backend of the reference side. wasm and cpu agree with each other to ~1e-7 relative here (400 random
 * cases of this test run wasm against cpu), and wasm runs these small cases ~1.5x faster.
 */
const TFJS_BACKEND = 'wasm';
const RUNS = 30;
/** Cases of the lockstep-group test: each compiles its kernels twice, on the CPU under lavapipe (CI). */
const GROUP_RUNS = 12;

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`native vs webgpu differential tests skipped: ${reason}`);
gpu?.device.destroy();

interface Case {
  model: ModelConfig;
  optimizer: OptimizerConfig;
  paramSeed: number;
  batchSize: number;
  batchSeed: number;
  /** Step count of the random Adam state the step starts from. */
  startStep: number;
  stateSeed: number;
  zero: Component[];
  /** Block whose MLP hidden is overridden, or -1 for none. */
  overrideLayer: number;
}

const DIVISORS: Record<number, number[]> = { 8: [1, 2, 4, 8], 16: [1, 2, 4, 8, 16], 24: [1, 2, 3, 4, 6, 8, 12, 24] };

const modelArb: fc.Arbitrary<ModelConfig> = fc
  .record({
    variant: fc.constantFrom<Variant>('standard', 'attn_only', 'mlp_only'),
    n_layers: fc.integer({ min: 1, max: 2 }),
    vocab: fc.integer({ min: 3, max: 13 }),
    classes: fc.integer({ min: 3, max: 13 }),
    d_model: fc.constantFrom(8, 16, 24),
    headChoice: fc.nat(),
    d_mlp: fc.integer({ min: 8, max: 32 }),
    // The model switches (model.md "Model switches"); f64 loss is native-only, tested in native.test.ts.
    norm: fc.constantFrom('layernorm' as const, 'none' as const),
    act: fc.constantFrom('gelu' as const, 'relu' as const),
    attn_bias: fc.boolean(),
    unembed_bias: fc.boolean(),
    init: fc.constantFrom('pytorch' as const, 'nanda' as const),
  })
  .map(({ headChoice, ...m }) => ({ ...m, n_heads: DIVISORS[m.d_model][headChoice % DIVISORS[m.d_model].length] }));

const optimizerArb: fc.Arbitrary<OptimizerConfig> = fc.record({
  kind: fc.constant('adamw' as const),
  lr: fc.double({ min: 1e-4, max: 3e-2, noNaN: true }),
  beta1: fc.double({ min: 0.5, max: 0.99, noNaN: true }),
  beta2: fc.double({ min: 0.9, max: 0.9999, noNaN: true }),
  eps: fc.constantFrom(1e-8, 1e-6),
  weight_decay: fc.double({ min: 0, max: 2, noNaN: true }),
  warmup_steps: fc.constantFrom(0, 0, 5, 60),
});

/** Every component of the model, for drawing a zeroed subset. */
function components(model: ModelConfig): Component[] {
  const all: Component[] = [];
  for (let layer = 0; layer < model.n_layers; layer++) {
    if (blockHasAttention(model)) all.push({ layer, kind: 'attn' });
    if (blockHasMlp(model)) all.push({ layer, kind: 'mlp' });
  }
  return all;
}

/** Every capture site of the model. */
function sites(model: ModelConfig): SiteName[] {
  const all: SiteName[] = [];
  for (let l = 0; l < model.n_layers; l++) {
    if (blockHasAttention(model)) all.push(`block${l}.attn.out`);
    if (blockHasMlp(model)) all.push(`block${l}.mlp.pre`, `block${l}.mlp.post`);
    all.push(`block${l}.resid.mid`);
  }
  return all;
}

const caseArb: fc.Arbitrary<Case> = modelArb.chain((model) =>
  fc.record({
    model: fc.constant(model),
    optimizer: optimizerArb,
    paramSeed: fc.nat(),
    batchSize: fc.integer({ min: 1, max: 32 }),
    batchSeed: fc.nat(),
    startStep: fc.integer({ min: 0, max: 40 }),
    stateSeed: fc.nat(),
    zero: fc.subarray(components(model)),
    overrideLayer: blockHasMlp(model) ? fc.integer({ min: -1, max: model.n_layers - 1 }) : fc.constant(-1),
  }),
);

/** Uniform tokens anywhere in the vocabulary (not only [a, b, sep] rows) and uniform labels. */
function drawBatch(model: ModelConfig, n: number, seed: number): { tokens: Int32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  const tokens = Int32Array.from({ length: n * 3 }, () => rng.int(model.vocab));
  const labels = Int32Array.from({ length: n }, () => rng.int(model.classes));
  return { tokens, labels };
}

/**
 * A random Adam state: the step count (0 gives Adam's t = 1), m uniform in +-1e-2 and v log-uniform in
 * [1e-10, 1e-2], so that some v are far below the squared gradients and some far above.
 */
function drawState(params: Params, step: number, seed: number): TrainingState {
  const rng = new Rng(seed);
  const adamM: Params = {};
  const adamV: Params = {};
  for (const [name, p] of Object.entries(params)) {
    adamM[name] = p.map(() => (2 * rng.uniform() - 1) * 1e-2);
    adamV[name] = p.map(() => 10 ** (-10 + 8 * rng.uniform()));
  }
  return { params, adamM, adamV, step };
}


function maxAbs(a: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]));
  return worst;
}

/** Largest |a_i - b_i| / (scale + floor) must stay below `relative`. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, floor: number, what: string, other = 'reference'): void {
  expect(actual.length, what).toBe(expected.length);
  const allowed = relative * (maxAbs(expected) + floor);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= worst)) {
      worst = diff;
      at = i;
    }
  }
  expect(worst, `${what}: |diff| ${worst} at ${at} (native ${actual[at]}, ${other} ${expected[at]}) exceeds ${allowed}`).toBeLessThanOrEqual(allowed);
}

const argsOf = (c: Case, options: EngineCreateArgs['options'] = {}, paramSeed = c.paramSeed): EngineCreateArgs => ({
  model: c.model,
  optimizer: c.optimizer,
  params: initParams(c.model, paramSeed),
  options,
});

/** The native engine against another engine (`other`, named `name`) on one random case. */
async function checkCase(c: Case, native: AsyncEngine, tfjs: AsyncEngine, name: string): Promise<void> {
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, relative: number, floor: number, what: string) => expectClose(a, b, relative, floor, what, name);
  const { tokens, labels } = drawBatch(c.model, c.batchSize, c.batchSeed);
  const state = drawState(initParams(c.model, c.paramSeed), c.startStep, c.stateSeed);
  await native.setState(state);
  await tfjs.setState(state);

  // Loss and gradients.
  const gn = await native.gradients(tokens, labels);
  const gt = await tfjs.gradients(tokens, labels);
  expect(Math.abs(gn.loss - gt.loss) / Math.abs(gt.loss), `loss ${gn.loss} vs ${gt.loss}`).toBeLessThanOrEqual(1e-5);
  const largestGradient = Math.max(...Object.values(gt.grads).map(maxAbs));
  for (const name of Object.keys(gt.grads))
    close(gn.grads[name], gt.grads[name], 1e-4, 1e-2 * largestGradient, `gradient of ${name}`);

  // Activations at every site, without interventions.
  const all = sites(c.model);
  const plain = { n: await native.evaluate({ tokens, labels, capture: all, logits: true }), t: await tfjs.evaluate({ tokens, labels, capture: all, logits: true }) };
  expect(Math.abs(plain.n.loss - plain.t.loss) / plain.t.loss).toBeLessThanOrEqual(1e-5);
  close(plain.n.logits!, plain.t.logits!, 1e-4, 0, 'logits');
  for (const site of all) close(plain.n.captures[site]!, plain.t.captures[site]!, 1e-4, 1e-3, `capture ${site}`);
  // The tanh form of GELU differs from the exact erf form by <= 4.7e-4, which can hide inside the tolerance
  // above when the pre-activations stay small; so check the native GELU against the exact one directly (and
  // ReLU exactly: max(x, 0) rounds nothing).
  const relu = modelSwitches(c.model).act === 'relu';
  for (let l = 0; l < c.model.n_layers && blockHasMlp(c.model); l++) {
    const pre = plain.n.captures[`block${l}.mlp.pre`]!;
    const post = plain.n.captures[`block${l}.mlp.post`]!;
    for (let i = 0; i < pre.length; i++)
      if (relu) expect(post[i], `native ReLU(${pre[i]})`).toBe(Math.max(pre[i], 0));
      else expect(Math.abs(post[i] - exactGelu(pre[i])), `native GELU(${pre[i]})`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(pre[i])));
  }

  // Logits and captures under zeroing and override.
  if (c.zero.length > 0 || c.overrideLayer >= 0) {
    const rng = new Rng(c.batchSeed + 1);
    const override = c.overrideLayer >= 0 ? { layer: c.overrideLayer, values: Float32Array.from({ length: c.batchSize * c.model.d_mlp }, () => rng.normal()) } : undefined;
    const request = { tokens, labels, capture: all, logits: true, zero: c.zero, override };
    const n = await native.evaluate(request);
    const t = await tfjs.evaluate(request);
    const what = `zero ${JSON.stringify(c.zero)}, override block ${c.overrideLayer}`;
    expect(Math.abs(n.loss - t.loss) / t.loss, what).toBeLessThanOrEqual(1e-5);
    close(n.logits!, t.logits!, 1e-4, 0, `logits with ${what}`);
    for (const site of all) close(n.captures[site]!, t.captures[site]!, 1e-4, 1e-3, `capture ${site} with ${what}`);
  }

  // Finishing the last block from a given MLP hidden and the resid.mid capture (the restricted-logit path).
  if (blockHasMlp(c.model)) {
    const last = c.model.n_layers - 1;
    const rng = new Rng(c.batchSeed + 2);
    const hidden = Float32Array.from({ length: c.batchSize * c.model.d_mlp }, () => rng.normal());
    const residual = plain.n.captures[`block${last}.resid.mid`]!;
    const n = await native.evaluateTail({ residual, hidden, labels, logits: true });
    const t = await tfjs.evaluateTail({ residual, hidden, labels, logits: true });
    expect(Math.abs(n.loss - t.loss) / t.loss, 'evaluateTail loss').toBeLessThanOrEqual(1e-5);
    close(n.logits!, t.logits!, 1e-4, 0, 'evaluateTail logits');
  }

  // One AdamW step from the random Adam state: each engine's step must be AdamW applied to its own gradients
  // (the gradients were compared above), and the two losses must agree.
  const ln = await native.trainStep(tokens, labels);
  const lt = await tfjs.trainStep(tokens, labels);
  expect(Math.abs(ln - lt) / lt).toBeLessThanOrEqual(1e-5);
  expectAdamWStep(state, gn.grads, await native.getState(), c.optimizer, 'native');
  expectAdamWStep(state, gt.grads, await tfjs.getState(), c.optimizer, name);
}

/**
 * `after` must be one torch.optim.AdamW step (model.md "Optimiser") from `before` with gradients `grads`,
 * computed here in float64. Allowed: float32 rounding, ~6e-8 of the operands per operation (so relative to
 * the operands, not the result, since the sums can cancel), with a 16x margin.
 */
function expectAdamWStep(before: TrainingState, grads: Params, after: TrainingState, opt: OptimizerConfig, who: string): void {
  const { beta1, beta2, eps, weight_decay } = opt;
  const t = before.step + 1;
  const lr = warmedLr(opt, t);
  expect(after.step, `${who} step count`).toBe(t);
  for (const name of Object.keys(before.params)) {
    for (let i = 0; i < before.params[name].length; i++) {
      const g = grads[name][i];
      const p0 = before.params[name][i];
      const m0 = before.adamM[name][i];
      const v0 = before.adamV[name][i];
      const m = beta1 * m0 + (1 - beta1) * g;
      const v = beta2 * v0 + (1 - beta2) * g * g;
      const denominator = Math.sqrt(v / (1 - beta2 ** t)) + eps;
      const p = p0 * (1 - lr * weight_decay) - (lr * (m / (1 - beta1 ** t))) / denominator;
      // The update's rounding scales with |m0| and |g|, not with m, which can cancel.
      const updateScale = (lr * ((beta1 * Math.abs(m0) + (1 - beta1) * Math.abs(g)) / (1 - beta1 ** t))) / denominator;
      const where = `${who} ${name}[${i}]`;
      expect(Math.abs(after.adamM[name][i] - m), `${where} Adam m`).toBeLessThanOrEqual(1e-6 * (Math.abs(m0) + Math.abs(g)) + 1e-30);
      expect(Math.abs(after.adamV[name][i] - v), `${where} Adam v`).toBeLessThanOrEqual(1e-6 * (v0 + g * g) + 1e-30);
      expect(Math.abs(after.params[name][i] - p), `${where} parameter`).toBeLessThanOrEqual(1e-6 * (Math.abs(p0) + updateScale) + 1e-30);
    }
  }
}

/** The property: on every random case, the native engine and the other engine agree (checkCase). */
function agreeWithNative(name: string, other: (c: Case) => Promise<AsyncEngine>): () => Promise<void> {
  return async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const native = asAsync(await createCpuEngine('native', argsOf(c)));
        const engine = await other(c);
        try {
          await checkCase(c, native, engine, name);
        } finally {
          native.dispose();
          engine.dispose();
        }
      }),
      { numRuns: RUNS },
    );
  };
}

const AGREE = `agree on loss, gradients, captures, interventions and one AdamW step (${RUNS} random cases)`;

describe('native engine vs tfjs reference engine', () => {
  it(AGREE, agreeWithNative('tfjs', async (c) => asAsync(await createCpuEngine('tfjs', argsOf(c, { backend: TFJS_BACKEND })))));
});

describe.skipIf(!gpu)('native engine vs the webgpu engine', () => {
  it(AGREE, agreeWithNative('webgpu', (c) => createEngine('webgpu', argsOf(c))), 600_000);

  it(`R = 3 runs of different seeds in one lockstep group each equal their run alone, bit for bit (${GROUP_RUNS} random cases)`, async () => {
    const { WebGpuGroup } = await import('./webgpu/group.js');
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const { tokens, labels } = drawBatch(c.model, c.batchSize, c.batchSeed);
        const rng = new Rng(c.batchSeed + 1);
        const override = c.overrideLayer >= 0 ? { layer: c.overrideLayer, values: Float32Array.from({ length: c.batchSize * c.model.d_mlp }, () => rng.normal()) } : undefined;
        const request = { tokens, labels, capture: sites(c.model), logits: true, zero: c.zero, ...(override ? { override } : {}) };
        // Each run: an evaluation with the case's interventions, two steps (the second's loss read), its state.
        const script = async (engine: AsyncEngine, seed: number) => {
          await engine.setState(drawState(initParams(c.model, seed), c.startStep, c.stateSeed + seed));
          const evaluated = await engine.evaluate(request);
          await engine.queueStep(tokens, labels);
          const loss = await engine.trainStep(tokens, labels);
          const state = await engine.getState();
          // A run that is done leaves its group (the others would wait for it at the barrier).
          engine.dispose();
          return { evaluated, loss, state };
        };
        const seeds = [c.paramSeed, c.paramSeed + 1, c.paramSeed + 2];
        const group = await WebGpuGroup.open(c.model, 3);
        const together = await Promise.all(seeds.map((seed) => script(group.join(argsOf(c, {}, seed)), seed)));
        group.dispose();
        for (const [i, seed] of seeds.entries()) {
          const alone = await createEngine('webgpu', argsOf(c, {}, seed));
          expect(together[i], `seed ${seed}`).toEqual(await script(alone, seed));
        }
      }),
      { numRuns: GROUP_RUNS },
    );
  }, 600_000);
});
