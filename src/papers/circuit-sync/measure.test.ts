/** What a checkpoint records beyond the canonical figures: the multiplicative-basis FSD and FSD_gen's Gaussian null. */
import { describe, expect, it } from 'vitest';
import { fsdAltKey } from '../../schema/sites.js';
import { RunConfigSchema, type RunConfigInput } from '../../schema/runConfig.js';
import { makeTempDir } from '../../testing/tempDir.js';
import { engineAtCheckpoint, trainRun } from '../../train/loop.js';
import { taskFromConfig } from '../../tasks/task.js';
import { gatherRows } from '../../tasks/rows.js';
import { circuitSyncMeasures } from './measure.js';

const base = (task: RunConfigInput['task'], classes: number): RunConfigInput => ({
  task,
  model: { vocab: classes + 1, classes, d_model: 16, n_heads: 2, d_mlp: 32, n_layers: 2, variant: 'standard' },
  optimizer: { lr: 3e-3 },
  batch_size: 16,
  init_seed: 1,
  batch_seed: 1,
  eval_every: 250,
  stop: { max_steps: 500 },
  metrics: { permutations: 20 },
});

describe('checkpoint measurements by task', () => {
  it('records multiplication FSD in its own basis too; addition only additively; neither has a Gaussian null', async () => {
    const store = makeTempDir('gc-measure-');
    const mul = await trainRun({ measures: circuitSyncMeasures, config: RunConfigSchema.parse(base({ kind: 'mod_mul', n: 11, train_frac: 0.5, split_seed: 1 }, 11)), storeRoot: store, engine: 'native' });
    const key = fsdAltKey('block0.mlp.post', 'grid', 'multiplicative');
    for (const r of mul.records) {
      expect(r.fsd_alt[key].fsd).toBeGreaterThanOrEqual(0);
      expect(r.fsd_alt[key].fsd).toBeLessThanOrEqual(1);
      // Z_10 has 5 frequencies.
      expect(r.fsd_alt[key].top_frequency).toBeLessThanOrEqual(5);
      expect('gaussian_null' in r).toBe(false);
    }
    const add = await trainRun({ measures: circuitSyncMeasures, config: RunConfigSchema.parse(base({ kind: 'mod_add', n: 11, train_frac: 0.5, split_seed: 1 }, 11)), storeRoot: store, engine: 'native' });
    expect(add.records.every((r) => r.fsd_alt[key] === undefined && !('gaussian_null' in r))).toBe(true);
  }, 60_000);

  it("records FSD_gen's Gaussian null on a group task at the permutation test's checkpoints", async () => {
    const store = makeTempDir('gc-measure-');
    const sym = await trainRun({ measures: circuitSyncMeasures, config: RunConfigSchema.parse(base({ kind: 'sym', n: 3, train_frac: 0.7, split_seed: 1 }, 6)), storeRoot: store, engine: 'native' });
    const byStep = new Map(sym.records.map((r) => [r.step, r]));
    // Every 500 steps (step 0 and 500 here); the permutation test itself is for Z_p tasks only.
    for (const step of [0, 500]) {
      const g = byStep.get(step)!.gaussian_null!;
      expect(g.replicates).toBe(20);
      expect(g.null_q95).toBeGreaterThanOrEqual(g.null_mean);
      expect(byStep.get(step)!.permutation).toBeNull();
    }
    expect(byStep.get(250)!.gaussian_null === null || byStep.get(250)!.fsd_gen! >= 0.5).toBe(true);
  }, 60_000);
});

describe('the core fields of a record', () => {
  it("read every class of the model: with a separator logit (classes = p + 1) the losses are the engine's own on those rows", async () => {
    const store = makeTempDir('gc-measure-');
    const config = RunConfigSchema.parse({ ...base({ kind: 'mod_add', n: 11, train_frac: 0.5, split_seed: 1 }, 11), model: { vocab: 12, classes: 12, d_model: 16, n_heads: 2, d_mlp: 32, n_layers: 1, variant: 'standard', norm: 'none', act: 'relu' } });
    const run = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: store, engine: 'native' });
    const last = run.records.at(-1)!;
    const engine = await engineAtCheckpoint(store, run.id, last.step, 'native');
    const { task, split } = taskFromConfig(config.task);
    for (const [rows, loss, accuracy] of [[split.train, last.train_loss, last.train_acc], [split.validation, last.val_loss, last.val_acc]] as const) {
      const own = await engine.evaluate({ tokens: gatherRows(task.tokens, 3, rows) as Int32Array, labels: gatherRows(task.labels, 1, rows) as Int32Array });
      expect(loss).toBeCloseTo(own.loss, 5);
      expect(accuracy).toBe(own.accuracy);
    }
    expect(Object.keys(last.param_norms ?? {})).toContain('unembed.W_U');
    expect(last.param_norms!['unembed.W_U']).toBeGreaterThan(0);
  }, 60_000);
});
