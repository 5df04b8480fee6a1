/**
 * `grokcheck bench --engine webgpu`: the lockstep engine's speed for the paper model (issue "GPU training
 * through WebGPU", "Speed"): ms per lockstep step and run-steps per second for R runs in one group, the native
 * engine's run-steps per second measured in the same call for the ratio, and the adapter. Steps are queued
 * back to back and their losses read once, as training between two checkpoints does.
 */
import { createCpuEngine } from '../create.js';
import { initParams } from '../../model/params.js';
import { defaultOptimizer, paperModel, type ModelConfig } from '../../schema/model.js';
import { gather, makeSplit, makeTask } from '../../tasks/task.js';
import { requestWebGpuDevice } from './device.js';
import { WebGpuModel } from './model.js';

export interface LockstepFigures {
  engine: 'webgpu';
  adapter: string;
  /** A CPU implementation (lavapipe): the figures only show that the code runs. */
  software: boolean;
  model: string;
  batch: number;
  steps_timed: number;
  lockstep: { runs: number; ms_per_lockstep_step: number; run_steps_per_s: number }[];
  native: { threads: string; ms_per_step: number; run_steps_per_s: number };
  /** Best run-steps per second of the group sizes over the native engine's, measured in this call. */
  speedup_over_native: number;
  /** One checkpoint as the training loop measures it, for groups of R runs (filled in by the bench command). */
  checkpoint: { runs: number; ms: number; ms_per_run: number }[];
}

function batchesFor(model: ModelConfig, runs: number, batch: number, count: number): { tokens: Int32Array; labels: Int32Array }[] {
  const task = makeTask('mod_add', model.classes);
  const split = makeSplit(task.gridSize, 0.3, 1);
  return Array.from({ length: count }, (_, s) => {
    const tokens = new Int32Array(runs * batch * 3), labels = new Int32Array(runs * batch);
    for (let r = 0; r < runs; r++) {
      const idx = Array.from({ length: batch }, (_, i) => split.train[(s * 7919 + r * 104729 + i * 31) % split.train.length]);
      const b = gather(task, idx);
      tokens.set(b.tokens, r * batch * 3);
      labels.set(b.labels, r * batch);
    }
    return { tokens, labels };
  });
}

export async function benchLockstep(options: { runs: readonly number[]; steps: number; p?: number; batch?: number }): Promise<LockstepFigures> {
  const p = options.p ?? 97, batch = options.batch ?? 512;
  const model = paperModel(p);
  const gpu = await requestWebGpuDevice();
  try {
    const lockstep: LockstepFigures['lockstep'] = [];
    for (const runs of options.runs) {
      const m = new WebGpuModel(gpu.device, model, runs, batch, options.steps + 1);
      try {
        for (let r = 0; r < runs; r++) m.setRun(r, initParams(model, r));
        const batches = batchesFor(model, runs, batch, 2);
        const optimizers = Array.from({ length: runs }, () => defaultOptimizer);
        // One step to compile and warm up, then the timed ones.
        await m.trainStep(batches[0].tokens, batches[0].labels, batch, optimizers);
        const start = performance.now();
        for (let s = 0; s < options.steps; s++) m.queueStep(batches[s % 2].tokens, batches[s % 2].labels, batch, optimizers);
        await m.flushLosses();
        const ms = (performance.now() - start) / options.steps;
        lockstep.push({ runs, ms_per_lockstep_step: ms, run_steps_per_s: (1000 * runs) / ms });
      } finally {
        m.dispose();
      }
    }
    const native = await createCpuEngine('native', { model, optimizer: defaultOptimizer, params: initParams(model, 0) });
    let nativeMs: number;
    try {
      const [b] = batchesFor(model, 1, batch, 1);
      native.trainStep(b.tokens, b.labels);
      const start = performance.now();
      const n = Math.max(3, options.steps);
      for (let s = 0; s < n; s++) native.trainStep(b.tokens, b.labels);
      nativeMs = (performance.now() - start) / n;
    } finally {
      native.dispose();
    }
    const nativeRate = 1000 / nativeMs;
    return {
      engine: 'webgpu',
      adapter: gpu.description,
      software: gpu.software,
      model: `paper model, p = ${p} (2 layers, d_model 128, 4 heads, d_mlp 512)`,
      batch,
      steps_timed: options.steps,
      lockstep,
      native: { threads: 'all cores', ms_per_step: nativeMs, run_steps_per_s: nativeRate },
      speedup_over_native: Math.max(...lockstep.map((l) => l.run_steps_per_s)) / nativeRate,
      checkpoint: [],
    };
  } finally {
    gpu.device.destroy();
  }
}
