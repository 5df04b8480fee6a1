/**
 * Progress-measures' checkpoint records on a small Nanda-model run: every measure is there at every checkpoint,
 * rule 1' at its cadence, every checkpoint is kept, and the losses through the sum directions equal the
 * row-by-row projection's on the same checkpoint (an independent path: progressMeasures.ts).
 */
import { describe, expect, it } from 'vitest';
import { answerColumns } from '../../metrics/sumDirections.js';
import { progressMeasuresFromLogits } from '../../metrics/progressMeasures.js';
import { nandaModel, nandaOptimizer } from '../../schema/model.js';
import { RunConfigSchema } from '../../schema/runConfig.js';
import { taskFromConfig } from '../../tasks/task.js';
import { makeTempDir } from '../../testing/tempDir.js';
import { engineAtCheckpoint, openStore, trainRun } from '../../train/loop.js';
import { progressMeasures, squaredWeights } from './measure.js';
import { FinalKeysSchema, finalKeysMeasurement } from './finalKeys.js';

const p = 13;
const config = RunConfigSchema.parse({
  task: { kind: 'mod_add', n: p, train_frac: 0.5, split_seed: 3 },
  model: { ...nandaModel(p), d_model: 16, n_heads: 2, d_mlp: 32 },
  optimizer: nandaOptimizer,
  batch_size: 'full',
  init_seed: 3,
  batch_seed: 3,
  eval_every: 100,
  stop: { max_steps: 400 },
  metrics: { neuron_keys_every: 200 },
});

describe('progress-measures checkpoint records', async () => {
  const store = makeTempDir('gc-progress-');
  const run = await trainRun({ measures: progressMeasures, config, storeRoot: store, engine: 'native' });

  it('hold every measure at every checkpoint, rule 1\' at its cadence only, and keep every checkpoint', () => {
    expect(run.status).toBe('complete');
    expect(run.records.map((r) => r.step)).toEqual([0, 100, 200, 300, 400]);
    for (const r of run.records) {
      const atCadence = r.step % 200 === 0;
      for (const field of [r.excluded_per_frequency, r.neuron_frequency_counts, r.restricted_loss_now]) expect(field === null).toBe(!atCadence);
      if (atCadence) {
        expect(r.excluded_per_frequency).toHaveLength((p - 1) / 2);
        expect(r.excluded_max).toBe(Math.max(...r.excluded_per_frequency!));
        expect(r.neuron_frequency_counts!.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(32);
      }
      expect(r.excluded_max_frequency).toBeGreaterThan(0);
      expect(r.ssw_core).toBeLessThan(r.ssw);
    }
    expect(openStore(store).listCheckpoints(run.id).map((c) => c.step)).toEqual([0, 100, 200, 300, 400]);
  });

  it("rule 1''s restricted and excluded losses are the row-by-row projection's with the keys its neurons pick", async () => {
    const last = run.records.at(-1)!;
    const keys = last.neuron_frequency_counts!.flatMap((n, i) => (n > 0 ? [i + 1] : []));
    const engine = await engineAtCheckpoint(store, run.id, last.step, 'native');
    const { task, split } = taskFromConfig(config.task);
    const logits = answerColumns((await engine.evaluate({ tokens: task.tokens, labels: task.labels, logits: true })).logits!, config.model.classes, p);
    const reference = progressMeasuresFromLogits(logits, p, task.labels, p, keys, split.train);
    expect(last.restricted_loss_now).toBeCloseTo(reference.restrictedLoss, 5);
    expect(last.excluded_loss_now).toBeCloseTo(reference.excludedLoss, 5);
    const state = await engine.getState();
    expect(squaredWeights(state.params, config).ssw).toBeCloseTo(last.ssw, 6);
    engine.dispose();
  });

  it("the second pass: the final model's keys under every rule, and at the final checkpoint rule 1 is rule 1'", async () => {
    const engine = await engineAtCheckpoint(store, run.id, 400, 'native');
    const kept = openStore(store);
    const runData = { key: 'main/p13/s3', role: { experiment: 'main' }, id: run.id, config: run.config, state: 'complete' as const, records: run.records, measurements: {} };
    const result = FinalKeysSchema.parse(
      await finalKeysMeasurement.measure(engine, runData as never, 400, { steps: kept.listCheckpoints(run.id).map((c) => c.step), read: (s) => kept.readCheckpoint(run.id, s).state }),
    );
    engine.dispose();
    const last = run.records.at(-1)!;
    expect(result.steps).toEqual([0, 100, 200, 300, 400]);
    expect(result.neuron_frequency_counts).toEqual(last.neuron_frequency_counts);
    expect(result.we_norms).toHaveLength(p);
    expect(result.excluded_per_frequency).toEqual(last.excluded_per_frequency);
    expect(result.keys['neuron-argmax']).toEqual(last.neuron_frequency_counts!.flatMap((n, i) => (n > 0 ? [i + 1] : [])));
    expect(result.series['neuron-argmax'].restricted_loss.at(-1)).toBeCloseTo(last.restricted_loss_now!, 10);
    expect(result.series['neuron-argmax'].excluded_loss.at(-1)).toBeCloseTo(last.excluded_loss_now!, 10);
    for (const rule of ['neuron-argmax:min1%', 'wl-nontrivial'] as const) expect(result.series[rule].restricted_loss).toHaveLength(5);
    expect(finalKeysMeasurement.isCurrent(result, run.id, 400)).toBe(true);
    expect(finalKeysMeasurement.isCurrent(result, run.id, 300)).toBe(false);
  });

  it('refuses a run it cannot measure, naming the field', () => {
    expect(() => progressMeasures.options.complete({ ...config, task: { ...config.task, kind: 'mod_mul' } })).toThrow(/task\.kind/);
    expect(() => progressMeasures.options.complete({ ...config, metrics: { neuron_keys_every: 0 } })).toThrow(/metrics\.neuron_keys_every/);
  });
});
