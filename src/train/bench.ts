/**
 * The cost of one checkpoint's measurement (the paper's CheckpointMeasures: circuit-sync's) at p = 97 with the paper model, against a
 * training step measured in the same process (design.md "Performance targets": a checkpoint at most the cost of
 * 20 training steps), and where its time goes. tinybench medians; speed is never asserted in tests.
 */
import { Bench } from 'tinybench';
import { createCpuEngine } from '../engine/create.js';
import { asAsync, type CpuEngineKind, type EngineOptions } from '../engine/engine.js';
import { fourierFsd } from '../metrics/fsd.js';
import { permutationNull } from '../metrics/fsdNull.js';
import { summariseFourierFsd } from '../metrics/fsdSummary.js';
import { progressMeasures } from '../metrics/progressMeasures.js';
import { restrictedLogitLoss } from '../metrics/restrictedLogit.js';
import { subsetLossAccuracy } from '../metrics/subsetLoss.js';
import { initParams } from '../model/params.js';
import { paperRunConfig } from '../schema/runConfig.js';
import { fsdSitesOf, siteUnits } from '../schema/sites.js';
import { gather, taskFromConfig } from '../tasks/task.js';
import { gatherRows } from '../tasks/rows.js';
import { residualSite } from '../schema/sites.js';
import type { CheckpointMeasures } from './measures.js';

export interface CheckpointBenchFigures {
  engine: string;
  /** One training step (batch 512), the unit of the target. */
  train_step_ms: { p97_2l: number };
  /** One whole checkpoint as the training loop measures it: an ordinary one, and one at a multiple of 500 (with the permutation null). */
  checkpoint_ms: { p97_2l: number; p97_2l_null: number };
  /** The same in training steps. */
  checkpoint_steps: { p97_2l: number; p97_2l_null: number };
  /** Median ms of each part of a checkpoint, in the order measure.ts does them. */
  parts_ms: Record<string, number>;
}

export async function benchCheckpoint(kind: CpuEngineKind, measures: CheckpointMeasures, opts: { quick?: boolean; engine?: EngineOptions } = {}): Promise<CheckpointBenchFigures> {
  const quick = opts.quick ?? false;
  const config = paperRunConfig(97, 42);
  const { task, split } = taskFromConfig(config.task);
  const engine = await createCpuEngine(kind, { model: config.model, optimizer: config.optimizer, params: initParams(config.model, 42), ...(opts.engine ? { options: opts.engine } : {}) });
  // The measurements take the asynchronous interface; the same engine underneath.
  const measured = asAsync(engine);
  try {
    const batch = gather(task, split.train.slice(0, 512));
    // Off the initialisation, so that no part is cheaper than in a real run.
    for (let i = 0; i < 20; i++) engine.trainStep(batch.tokens, batch.labels);
    const state = engine.getState();
    const bench = new Bench({
      throws: true,
      ...(quick ? { time: 0, iterations: 2, warmupTime: 0, warmupIterations: 1 } : { time: 2000, iterations: 8, warmupTime: 300, warmupIterations: 2 }),
    });
    const sites = fsdSitesOf(config.model);
    const residual = residualSite(config)!;
    const capture = [...sites, residual];
    const grid = engine.evaluate({ tokens: task.tokens, labels: task.labels, capture, logits: true });
    const canonical = fourierFsd(grid.captures['block0.mlp.post']!, config.model.d_mlp, task.labels, 97);
    const hidden = grid.captures['block1.mlp.post']!;
    const resid = grid.captures[residual]!;
    const p = task.classes;
    const add = (name: string, fn: () => void | Promise<void>) => bench.add(name, fn);
    add('train step (batch 512)', () => {
      engine.setState(state);
      engine.trainStep(batch.tokens, batch.labels);
    });
    add('checkpoint', async () => void (await measures.measure(measured, task, split, config, 100, 1, [])));
    add('checkpoint with the permutation null', async () => void (await measures.measure(measured, task, split, config, 500, 1, [])));
    add('grid evaluation with 4 FSD captures, resid.mid and logits', () => void engine.evaluate({ tokens: task.tokens, labels: task.labels, capture, logits: true }));
    add('train/validation loss and accuracy from the grid logits', () => {
      subsetLossAccuracy(grid.logits!, p, task.labels, split.train);
      subsetLossAccuracy(grid.logits!, p, task.labels, split.validation);
    });
    add('FSD of 4 sites on the grid', () => {
      for (const site of sites) summariseFourierFsd(fourierFsd(grid.captures[site]!, siteUnits(config.model, site), task.labels, p));
    });
    add('FSD of the canonical site on the train and validation rows', () => {
      for (const rows of [split.train, split.validation])
        summariseFourierFsd(fourierFsd(gatherRows(grid.captures['block0.mlp.post']!, config.model.d_mlp, rows) as Float32Array, config.model.d_mlp, gatherRows(task.labels, 1, rows) as Int32Array, p));
    });
    add('permutation null, 1000 replicates (every 500 steps)', () => {
      permutationNull(canonical.centred, Uint8Array.from(canonical.dominant, (d) => (d >= 0 ? 1 : 0)), canonical.basis, { replicates: 1000, seed: 500 });
    });
    const params = engine.getState().params;
    const hiddenFsd = fourierFsd(hidden, config.model.d_mlp, task.labels, p);
    add("Nanda's excluded and restricted losses", async () => void (await progressMeasures(measured, { tokens: task.tokens, labels: task.labels }, p, split.train, { logits: grid.logits, keyCount: 7, params })));
    add('restricted-logit loss, grid, finished from resid.mid, its FSD reused (now)', async () => void (await restrictedLogitLoss(measured, { labels: task.labels }, p, { layer: 1, activations: hidden, residual: resid, fsd: hiddenFsd })));
    add('restricted-logit loss, training rows, finished from resid.mid (now)', async () => {
      const rows = split.train;
      await restrictedLogitLoss(measured, { labels: gatherRows(task.labels, 1, rows) as Int32Array }, p, {
        layer: 1,
        activations: gatherRows(hidden, config.model.d_mlp, rows) as Float32Array,
        residual: gatherRows(resid, config.model.d_model, rows) as Float32Array,
      });
    });
    add('restricted-logit loss, grid, full forward with the override (before)', async () => void (await restrictedLogitLoss(measured, { tokens: task.tokens, labels: task.labels }, p, { layer: 1, activations: hidden })));
    add('restricted-logit loss, training rows, capture and full forward (before)', async () => void (await restrictedLogitLoss(measured, gather(task, split.train), p, { layer: 1 })));
    await bench.run();
    const ms = (name: string) => {
      const r = bench.tasks.find((t) => t.name === name)!.result;
      if (r.state !== 'completed') throw new Error(`benchmark ${name} did not complete (${r.state})`);
      return r.latency.p50;
    };
    const step = ms('train step (batch 512)');
    const checkpoint = ms('checkpoint'), withNull = ms('checkpoint with the permutation null');
    const parts = Object.fromEntries(bench.tasks.map((t) => t.name).filter((n) => !n.startsWith('train step') && !n.startsWith('checkpoint')).map((n) => [n, ms(n)]));
    return {
      engine: engine.description,
      train_step_ms: { p97_2l: step },
      checkpoint_ms: { p97_2l: checkpoint, p97_2l_null: withNull },
      checkpoint_steps: { p97_2l: checkpoint / step, p97_2l_null: withNull / step },
      parts_ms: parts,
    };
  } finally {
    engine.dispose();
  }
}
