/**
 * Engine speed on the paper's workloads (shared/spec/design.md, "Performance targets"): median milliseconds of
 * one training step (batch 512, p = 97) for three model variants, and of one full-grid evaluation (p = 97,
 * 9409 rows) with the captures a checkpoint needs. Measured with tinybench; speed is never asserted in tests.
 */
import { Bench } from 'tinybench';
import { createCpuEngine } from './create.js';
import type { CpuEngineKind, Engine, EngineOptions } from './engine.js';
import { defaultOptimizer, nandaModel, nandaOptimizer, paperModel, type ModelConfig, type OptimizerConfig } from '../schema/model.js';
import { initParams } from '../model/params.js';
import { BatchCursor } from '../tasks/batches.js';
import { gather, makeSplit, makeTask, type Task } from '../tasks/task.js';

export interface BenchFigures {
  /** The engine's description, e.g. "native (C++ N-API, 2 threads, avx512)". */
  engine: string;
  /**
   * Median ms per training step, batch 512, p = 97: the paper model, its 1-layer version, attention-only; and
   * Nanda et al.'s model (NANDA_BENCH_MODEL): p = 113, one full batch of 3830 pairs, float64 loss where the engine
   * has it (native), float32 on the others.
   */
  train_step_ms: { p97_2l: number; p97_1l: number; p97_attn_only: number; p113_nanda_full: number };
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

/**
 * Nanda et al. 2023's model and optimiser (nandaModel, nandaOptimizer of schema/model.ts) at p = 113, one full
 * batch of the 0.3 split (3830 pairs); scripts/bench/pytorch_nanda_step.py times the same step in PyTorch.
 */
export const NANDA_BENCH_P = 113;
export const NANDA_BENCH_MODEL: ModelConfig = nandaModel(NANDA_BENCH_P);
export const NANDA_BENCH_OPTIMIZER: OptimizerConfig = nandaOptimizer;

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

async function withEngine<T>(
  kind: CpuEngineKind,
  model: ModelConfig,
  options: EngineOptions | undefined,
  f: (e: Engine) => Promise<T>,
  optimizer: OptimizerConfig = defaultOptimizer,
): Promise<T> {
  const engine = await createCpuEngine(kind, { model, optimizer, params: initParams(model, 42), options });
  try {
    return await f(engine);
  } finally {
    engine.dispose();
  }
}

export async function benchEngine(kind: CpuEngineKind, opts: BenchOptions = {}): Promise<BenchFigures> {
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
  const p113_nanda_full = await nandaStep(kind, opts);
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
  return { engine: description, train_step_ms: { p97_2l, p97_1l, p97_attn_only, p113_nanda_full }, eval_grid_ms: { p97_2l: evalGrid } };
}

/** Median ms of one full-batch step of Nanda et al.'s model (NANDA_BENCH_MODEL) on the 0.3 split of p = 113. */
async function nandaStep(kind: CpuEngineKind, opts: BenchOptions): Promise<number> {
  const task = makeTask('mod_add', NANDA_BENCH_P);
  const split = makeSplit(task.gridSize, 0.3, 0);
  const full = gather(task, Array.from(split.train));
  const model: ModelConfig = kind === 'native' ? NANDA_BENCH_MODEL : { ...NANDA_BENCH_MODEL, loss_precision: 'f32' };
  return withEngine(kind, model, opts.engine, (engine) => medianMs('train_step p113_nanda_full', () => void engine.trainStep(full.tokens, full.labels), opts.quick ?? false), NANDA_BENCH_OPTIMIZER);
}

export interface DenormalBenchFigures {
  engine: string;
  /** Median ms of one full-batch training step from a state deep in the subnormal range, per float mode. */
  decayed_step_ms: { keep: number; flush: number };
  /** Subnormal values in that state's parameters and Adam moments (of `state_values`). */
  subnormal_values: number;
  state_values: number;
  /** Steps trained (with denormals kept) to reach the state. */
  state_step: number;
}

const FLT_MIN = 1.1754943508222875e-38;

/**
 * The cost of subnormal arithmetic (native/engine_fpmode.h): the small profile's strongly decayed schedule run
 * (schedule/p43/s42/mem/l10: d_model 32, p = 43, full batch of the 0.5 train split, AdamW lr 3e-3, beta2 0.98,
 * weight decay 1 until memorisation at step 150, then 10) trained with denormals kept to step 2000, where
 * thousands of Adam moments and parameters are subnormal; then one training step from that state, timed with
 * denormals kept and flushed (tinybench, both in one process; each step starts from the same state again).
 */
export async function benchDenormals(kind: CpuEngineKind, opts: BenchOptions = {}): Promise<DenormalBenchFigures> {
  const quick = opts.quick ?? false;
  const p = 43;
  const task = makeTask('mod_add', p);
  const split = makeSplit(task.gridSize, 0.5, 42);
  const batch = gather(task, split.train);
  const model: ModelConfig = { vocab: p + 1, classes: p, d_model: 32, n_heads: 4, d_mlp: 128, n_layers: 2, variant: 'standard' };
  const optimizer = { ...defaultOptimizer, lr: 3e-3, beta2: 0.98, weight_decay: 1 };
  const options = (denormals: 'keep' | 'flush'): EngineOptions => ({ ...opts.engine, denormals });
  const stateStep = quick ? 300 : 2000;
  const trainer = await createCpuEngine(kind, { model, optimizer, params: initParams(model, 42), options: options('keep') });
  for (let s = 0; s < stateStep; s++) {
    if (s === 150) trainer.setOptimizer({ ...optimizer, weight_decay: 10 });
    trainer.trainStep(batch.tokens, batch.labels);
  }
  const state = trainer.getState();
  trainer.dispose();
  const arrays = [state.params, state.adamM, state.adamV].flatMap((ps) => Object.values(ps));
  const subnormals = arrays.reduce((n, a) => n + a.filter((x) => x !== 0 && Math.abs(x) < FLT_MIN).length, 0);
  const decayed = { ...optimizer, weight_decay: 10 };
  const engines = await Promise.all((['keep', 'flush'] as const).map((m) => createCpuEngine(kind, { model, optimizer: decayed, params: state.params, options: options(m) })));
  try {
    const bench = new Bench({ ...budget(quick), throws: true });
    engines.forEach((e, i) =>
      bench.add(['keep', 'flush'][i], () => {
        e.setState(state);
        e.trainStep(batch.tokens, batch.labels);
      }),
    );
    await bench.run();
    const ms = (name: string) => {
      const r = bench.tasks.find((t) => t.name === name)!.result;
      if (r.state !== 'completed') throw new Error(`benchmark ${name} did not complete (${r.state})`);
      return r.latency.p50;
    };
    return {
      engine: engines[1].description,
      decayed_step_ms: { keep: ms('keep'), flush: ms('flush') },
      subnormal_values: subnormals,
      state_values: arrays.reduce((n, a) => n + a.length, 0),
      state_step: stateStep,
    };
  } finally {
    for (const e of engines) e.dispose();
  }
}
