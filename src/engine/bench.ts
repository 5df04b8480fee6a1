/**
 * Engine speed on the paper's workloads (shared/spec/design.md, "Performance targets"): median milliseconds of
 * one training step (batch 512, p = 97) for three model variants, and of one full-grid evaluation (p = 97,
 * 9409 rows) with the captures a checkpoint needs. Measured with tinybench; speed is never asserted in tests.
 */
import { Bench } from 'tinybench';
import { createEngine } from './create.js';
import type { Engine, EngineKind, EngineOptions } from './engine.js';
import { defaultOptimizer, paperModel, type ModelConfig } from '../schema/model.js';
import { initParams } from '../model/params.js';
import { BatchCursor } from '../tasks/batches.js';
import { gather, makeSplit, makeTask, type Task } from '../tasks/task.js';

export interface BenchFigures {
  /** The engine's description, e.g. "native (C++ N-API, 2 threads, avx512)". */
  engine: string;
  /** Median ms per training step, batch 512, p = 97: the paper model, its 1-layer version, attention-only. */
  train_step_ms: { p97_2l: number; p97_1l: number; p97_attn_only: number };
  /** Median ms per full-grid evaluation of the paper model with block0/block1 MLP, block0 attention and logits. */
  eval_grid_ms: { p97_2l: number };
}

export interface BenchOptions {
  /** A few iterations only (seconds in total): for smoke runs, not for figures. */
  quick?: boolean;
  engine?: EngineOptions;
}

const P = 97;
const BATCH = 512;

function budget(quick: boolean) {
  return quick
    ? { time: 200, iterations: 5, warmupTime: 50, warmupIterations: 2 }
    : { time: 4000, iterations: 60, warmupTime: 500, warmupIterations: 10 };
}

/** A fixed pool of training batches from the p = 97 split, so that only the engine is timed. */
function trainingBatches(task: Task, count: number): { tokens: Int32Array; labels: Int32Array }[] {
  const split = makeSplit(task.gridSize, 0.3, 0);
  const cursor = new BatchCursor(split.train.length, BATCH, 1);
  return Array.from({ length: count }, () => {
    const positions = cursor.next();
    return gather(task, Array.from(positions, (i) => split.train[i]));
  });
}

async function medianMs(name: string, fn: () => void, quick: boolean): Promise<number> {
  const bench = new Bench({ ...budget(quick), throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`benchmark ${name} did not complete (${result.state})`);
  return result.latency.p50;
}

async function withEngine<T>(kind: EngineKind, model: ModelConfig, options: EngineOptions | undefined, f: (e: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine(kind, { model, optimizer: defaultOptimizer, params: initParams(model, 42), options });
  try {
    return await f(engine);
  } finally {
    engine.dispose();
  }
}

export async function benchEngine(kind: EngineKind, opts: BenchOptions = {}): Promise<BenchFigures> {
  const quick = opts.quick ?? false;
  const task = makeTask('mod_add', P);
  const batches = trainingBatches(task, 8);
  const paper = paperModel(P);
  const trainStep = (model: ModelConfig, name: string) =>
    withEngine(kind, model, opts.engine, (engine) => {
      let i = 0;
      return medianMs(name, () => {
        const { tokens, labels } = batches[i++ % batches.length];
        engine.trainStep(tokens, labels);
      }, quick);
    });
  const p97_2l = await trainStep(paper, 'train_step p97_2l');
  const p97_1l = await trainStep({ ...paper, n_layers: 1 }, 'train_step p97_1l');
  const p97_attn_only = await trainStep({ ...paper, variant: 'attn_only' }, 'train_step p97_attn_only');
  let description = '';
  const evalGrid = await withEngine(kind, paper, opts.engine, (engine) => {
    description = engine.description;
    return medianMs('eval_grid p97_2l', () => {
      engine.evaluate({
        tokens: task.tokens,
        labels: task.labels,
        logits: true,
        capture: ['block0.mlp.post', 'block0.attn.out', 'block1.mlp.post'],
      });
    }, quick);
  });
  return { engine: description, train_step_ms: { p97_2l, p97_1l, p97_attn_only }, eval_grid_ms: { p97_2l: evalGrid } };
}
