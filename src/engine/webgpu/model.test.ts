/**
 * The WebGPU model against the PyTorch reference runs (shared/fixtures/reference): every step's loss, the
 * step-0 gradients and the final parameters within the replay tolerances (REPLAY_TOLERANCES), and R = 2 runs
 * of one shape in one group, each with its own weight decay, the first bit for bit its R = 1 replay. On
 * lavapipe in CI; skipped with one line without an adapter.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureBatch, fixtureParams, loadFixture, type Fixture } from '../../replay/fixtureFile.js';
import { byGauge, gradNormErr, maxAbsDiff, maxOverParams, REPLAY_TOLERANCES, summaryErr } from '../../replay/replayFixture.js';
import type { OptimizerConfig } from '../../schema/model.js';
import { referenceFixturePath, referenceFixtures } from '../../testing/referenceFixtures.js';
import { webGpuForTests } from './device.js';
import { bufferLayout, layoutFloats, WebGpuModel } from './model.js';

// Every circuit-sync fixture, and the switches' small one (the paper-shape switch fixture needs the replay's
// rounding-twin judgement: engine.test.ts; the f64 one is refused by this engine).
const FILES = referenceFixtures().filter((f) => !f.switches || f.name === 'add13-1l-nanda');

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`WebGPU model tests skipped: ${reason}`);
afterAll(() => gpu?.device.destroy());

function optimizerOf(f: Fixture, weightDecay = f.optimizer.weight_decay): OptimizerConfig {
  const { lr, beta1, beta2, eps, warmup_steps } = f.optimizer;
  return { lr, beta1, beta2, eps, weight_decay: weightDecay, warmup_steps } as OptimizerConfig;
}

/**
 * Replays a fixture's steps on `runs` copies of its init; run r uses weight decay wd[r]. Returns each run's
 * losses. `afterFirst` sees the model after step 0, whose gradient buffers then hold the step-0 gradients
 * (AdamW reads them, never writes them).
 */
async function replay(f: Fixture, model: WebGpuModel, weightDecays: number[], afterFirst?: () => Promise<void>): Promise<number[][]> {
  const params = fixtureParams(f);
  for (let r = 0; r < model.runs; r++) model.setRun(r, params);
  const losses: number[][] = Array.from({ length: model.runs }, () => []);
  for (let s = 0; s < f.batches.length; s++) {
    const b = fixtureBatch(f, s);
    const n = b.labels.length;
    const tokens = new Int32Array(model.runs * n * 3), labels = new Int32Array(model.runs * n);
    for (let r = 0; r < model.runs; r++) {
      tokens.set(b.tokens, r * n * 3);
      labels.set(b.labels, r * n);
    }
    const got = await model.trainStep(tokens, labels, n, weightDecays.map((wd) => optimizerOf(f, wd)));
    got.forEach((l, r) => losses[r].push(l));
    if (s === 0) await afterFirst?.();
  }
  return losses;
}

describe.skipIf(!gpu)(`WebGPU model vs the PyTorch fixtures (${gpu?.description ?? 'no adapter'})`, () => {
  for (const { name: file, path } of FILES) {
    it(`${file}: step-0 gradients, every step's loss and the final parameters within the replay tolerances`, async () => {
      const f = loadFixture(path);
      const maxBatch = Math.max(...f.batches.map((b) => b.length));
      const model = new WebGpuModel(gpu!.device, f.model, 1, maxBatch);
      try {
        let checkedGrad0 = false;
        const [losses] = await replay(f, model, [f.optimizer.weight_decay], async () => {
          const grads = await model.read('grads', 0);
          if (f.expected.grad0) expect(maxOverParams(grads, f.expected.grad0, maxAbsDiff), 'grad0').toBeLessThanOrEqual(REPLAY_TOLERANCES.grad0Abs);
          if (f.expected.grad0_norm) expect(gradNormErr(grads, byGauge(f.expected.grad0_norm, false)), 'grad0 norms').toBeLessThanOrEqual(REPLAY_TOLERANCES.grad0NormRel);
          checkedGrad0 = true;
        });
        expect(checkedGrad0).toBe(true);
        if (process.env.GROKCHECK_REPORT_REPLAY) console.log(`${file}: max rel loss err ${Math.max(...losses.map((l, s) => Math.abs(l - f.expected.loss[s]) / f.expected.loss[s])).toExponential(2)} over ${losses.length} steps`);
        losses.forEach((l, s) => expect(Math.abs(l - f.expected.loss[s]) / f.expected.loss[s], `loss at step ${s}`).toBeLessThanOrEqual(REPLAY_TOLERANCES.lossRel));
        const final = await model.read('params', 0);
        if (f.expected.final) expect(maxOverParams(final, byGauge(f.expected.final, false), maxAbsDiff), 'final parameters').toBeLessThanOrEqual(REPLAY_TOLERANCES.paramAbs);
        if (f.expected.final_summary) expect(summaryErr(final, byGauge(f.expected.final_summary, false)), 'final summary').toBeLessThanOrEqual(REPLAY_TOLERANCES.summaryRel);
      } finally {
        model.dispose();
      }
      // lavapipe runs the paper fixture's batch-512 steps at seconds each on the CPU (minutes with the cores shared).
    }, 600_000);
  }

  it('queued steps (their losses read once at the end) give the losses and parameters of steps read one by one', async () => {
    const f = loadFixture(referenceFixturePath('add11-1l-standard'));
    const maxBatch = Math.max(...f.batches.map((b) => b.length));
    const stepwise = new WebGpuModel(gpu!.device, f.model, 1, maxBatch);
    const queued = new WebGpuModel(gpu!.device, f.model, 1, maxBatch, f.batches.length);
    try {
      const [one] = await replay(f, stepwise, [f.optimizer.weight_decay]);
      queued.setRun(0, fixtureParams(f));
      for (let s = 0; s < f.batches.length; s++) {
        const b = fixtureBatch(f, s);
        queued.queueStep(b.tokens, b.labels, b.labels.length, [optimizerOf(f)]);
      }
      expect(() => queued.queueStep(new Int32Array(3), new Int32Array(1), 1, [optimizerOf(f)])).toThrow(/queued/);
      const losses = await queued.flushLosses();
      expect(losses.map((l) => l[0])).toEqual(one);
      const [a, b] = [await stepwise.read('params', 0), await queued.read('params', 0)];
      for (const name of Object.keys(a)) expect(Array.from(b[name]), name).toEqual(Array.from(a[name]));
    } finally {
      stepwise.dispose();
      queued.dispose();
    }
  });

  it('R = 2 runs with different weight decays in one group: the first equals its R = 1 replay bit for bit', async () => {
    const f = loadFixture(referenceFixturePath('add11-2l-standard'));
    const maxBatch = Math.max(...f.batches.map((b) => b.length));
    const alone = new WebGpuModel(gpu!.device, f.model, 1, maxBatch);
    const pair = new WebGpuModel(gpu!.device, f.model, 2, maxBatch);
    try {
      const [one] = await replay(f, alone, [f.optimizer.weight_decay]);
      const [first, second] = await replay(f, pair, [f.optimizer.weight_decay, 3 * f.optimizer.weight_decay + 0.5]);
      expect(first).toEqual(one);
      expect(second).not.toEqual(one);
      const [a, b] = [await alone.read('params', 0), await pair.read('params', 0)];
      for (const name of Object.keys(a)) expect(Array.from(b[name]), name).toEqual(Array.from(a[name]));
    } finally {
      alone.dispose();
      pair.dispose();
    }
  });
});

describe.skipIf(!gpu)('WebGPU model buffers', () => {
  it('the constructor allocates the buffer layout: its largest buffer and its bytes, per run, for every variant', () => {
    for (const { name: file, path } of FILES) {
      const { model: config } = loadFixture(path);
      for (const [runs, maxBatch] of [[1, 2048], [3, 50]]) {
        const model = new WebGpuModel(gpu!.device, config, runs, maxBatch);
        expect(model.largestBufferFloats, `${file}, R = ${runs}`).toBe(runs * WebGpuModel.largestBufferFloatsPerRun(config, maxBatch));
        const planned = layoutFloats(bufferLayout(config, maxBatch));
        expect(model.bytes, `${file}, R = ${runs}`).toBe(4 * runs * planned.reduce((a, b) => a + b, 0));
        model.dispose();
      }
    }
  });
});

describe.skipIf(!gpu)('WebGPU grid evaluation against the native engine', () => {
  it('loss, accuracy, logits and every capture site, with a component zeroed and with the MLP hidden overridden, on several runs at once', async () => {
    const { createNativeEngine } = await import('../native.js');
    const { initParams } = await import('../../model/params.js');
    const { makeTask } = await import('../../tasks/task.js');
    const { fsdSitesOf } = await import('../../schema/sites.js');
    for (const variant of ['standard', 'attn_only', 'mlp_only'] as const) {
      const config = { vocab: 14, classes: 13, d_model: 16, n_heads: 2, d_mlp: 24, n_layers: 2, variant } as const;
      const task = makeTask('mod_add', 13);
      const runs = 2;
      // maxBatch 50 splits the 169-pair grid into four chunks.
      const model = new WebGpuModel(gpu!.device, config, runs, 50);
      const natives = Array.from({ length: runs }, (_, r) => createNativeEngine({ model: config, optimizer: optimizerOf(loadFixture(referenceFixturePath('add11-1l-standard'))), params: initParams(config, 5 + r), options: { threads: 1 } }));
      try {
        for (let r = 0; r < runs; r++) model.setRun(r, initParams(config, 5 + r));
        const sites = [...new Set([...fsdSitesOf(config), 'block0.resid.mid', 'block1.resid.mid'] as const)];
        const cases = [
          { capture: sites, logits: true },
          { zero: [{ layer: 0, kind: variant === 'mlp_only' ? 'mlp' : 'attn' } as const], logits: true },
          ...(variant === 'attn_only' ? [] : [{ override: { layer: 1, values: Float32Array.from({ length: task.labels.length * 24 }, (_, i) => Math.sin(i)) }, logits: true }]),
        ];
        for (const extra of cases) {
          const request = { tokens: task.tokens, labels: task.labels, ...extra };
          const got = await model.evaluate(request);
          for (let r = 0; r < runs; r++) {
            const want = natives[r].evaluate(request);
            expect(Math.abs(got[r].loss - want.loss), `${variant} loss`).toBeLessThan(1e-5);
            expect(Math.abs(got[r].accuracy - want.accuracy) * task.labels.length, `${variant} accuracy`).toBeLessThanOrEqual(1);
            expect(maxAbsDiff(got[r].logits!, Array.from(want.logits!)), `${variant} logits`).toBeLessThan(1e-4);
            for (const site of Object.keys(want.captures) as (keyof typeof want.captures)[])
              expect(maxAbsDiff(got[r].captures[site]!, Array.from(want.captures[site]!)), `${variant} ${site}`).toBeLessThan(1e-4);
          }
        }
      } finally {
        model.dispose();
        for (const e of natives) e.dispose();
      }
    }
  });
});
