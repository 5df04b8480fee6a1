/**
 * `--engine webgpu` through the engine interface the rest of the harness uses: every small PyTorch fixture
 * replays with `grokcheck replay`'s checks (losses, gradients, final parameters, grid logits and activations),
 * and the training loop trains, resumes to the same records, and refuses to resume a run on another engine.
 * On lavapipe in CI; skipped with one line without an adapter.
 */
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../replay/fixtureFile.js';
import { replayFixture } from '../../replay/replayFixture.js';
import { RunConfigSchema, type RunConfig } from '../../schema/runConfig.js';
import { makeTempDir } from '../../testing/tempDir.js';
import { openStore, ResumeRefusedError, trainRun } from '../../train/loop.js';
import { referenceFixturePath, referenceFixtures } from '../../testing/referenceFixtures.js';
import { webGpuForTests } from './device.js';
import { circuitSyncMeasures } from '../../papers/circuit-sync/measure.js';

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`WebGPU engine tests skipped: ${reason}`);
// The engine opens its own device per instance; this one only answered whether there is an adapter.
gpu?.device.destroy();

const tiny = (steps: number): RunConfig =>
  RunConfigSchema.parse({
    task: { kind: 'mod_add', n: 11, train_frac: 0.5, split_seed: 1 },
    model: { vocab: 12, classes: 11, d_model: 16, n_heads: 2, d_mlp: 32, n_layers: 2, variant: 'standard' },
    optimizer: { lr: 3e-3 },
    batch_size: 16,
    init_seed: 1,
    batch_seed: 1,
    eval_every: 50,
    stop: { max_steps: steps },
    metrics: { permutations: 10 },
  });

describe.skipIf(!gpu)('the webgpu engine', () => {
  // The small fixtures of both folders: add11-* and the switches' add13-1l-nanda (ReLU, no LayerNorm, no biases,
  // warm-up, full batch). The f64 one is refused by name below.
  const small = referenceFixtures().filter((f) => f.name.startsWith('add11-') || f.name === 'add13-1l-nanda');
  for (const { name: file, path } of small)
    it(`replays ${file} within every replay tolerance`, async () => {
      const report = await replayFixture(loadFixture(path), 'webgpu');
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.engine).toMatch(/^webgpu \(WGSL, /);
    });

  it("refuses loss_precision 'f64' by name (WGSL has no float64)", async () => {
    await expect(replayFixture(loadFixture(referenceFixturePath('add13-1l-nanda-f64')), 'webgpu')).rejects.toThrow(/webgpu engine has no float64/);
  });

  it('trains a run, resumes it to the records of an uninterrupted one, and refuses to resume it on another engine', async () => {
    const config = tiny(300);
    const whole = makeTempDir('gc-webgpu-whole-');
    const done = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: whole, engine: 'webgpu' });
    expect(done.status).toBe('complete');
    expect(done.records.map((r) => r.step)).toEqual([0, 50, 100, 150, 200, 250, 300]);
    expect(done.records.at(-1)!.train_loss).toBeLessThan(done.records[0].train_loss);
    const parts = makeTempDir('gc-webgpu-parts-');
    const first = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: parts, engine: 'webgpu', stepBudget: 120 });
    expect(first.status).toBe('running');
    await expect(trainRun({ measures: circuitSyncMeasures, config, storeRoot: parts, engine: 'native' })).rejects.toThrow(ResumeRefusedError);
    const resumed = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: parts, engine: 'webgpu' });
    expect(resumed.records).toEqual(done.records);
    const status = openStore(parts).readStatus(resumed.id)!;
    expect(status.engine_kind).toBe('webgpu');
    expect(status.trained_by!.map((t) => t.from_step)).toEqual([0, 100]);
    // Three short runs with a checkpoint every 50 steps, on lavapipe: slow when the cores are shared.
  }, 600_000);
});
