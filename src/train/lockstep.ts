/**
 * The lockstep trainer (issue "GPU training through WebGPU", item 3): runs of one model shape train together on
 * one WebGPU lockstep group (src/engine/webgpu/group.ts), R runs per dispatch. Every run is still trained by its
 * own training loop (loop.ts), so it keeps its own store entry, checkpoints, resume, lock, stop rules and events,
 * and leaves the group when it stops; its slot then takes the next run of that shape. The runs of one shape share
 * one group of min(groupSize, runs) slots; shapes are trained one after another.
 */
import type { AsyncEngine } from '../engine/engine.js';
import { trainRun, type ProgressSink, type RunOutcome, type TrainRunOptions } from './loop.js';
import { stepBatchSize, trainSizeOf } from '../schema/runConfig.js';

/** At most this many runs share one group by default (the largest benchmark point). */
export const DEFAULT_GROUP_SIZE = 64;

export interface LockstepOptions {
  /** Runs per group at most (bounded further by the device's largest storage buffer). */
  groupSize?: number;
  /** Called when a run takes a slot (it may return the run's progress sink), and when its training settles. */
  onStart?(index: number): ProgressSink | undefined | void;
  onSettled?(index: number, result: PromiseSettledResult<RunOutcome>): void;
  /** Called when a group opens: its slots, the runs of its shape, and the GPU memory its buffers take. */
  onGroup?(group: { slots: number; runs: number; bytes: number }): void;
}

/**
 * Trains every run (each as trainRun would, with the engine of its options, which must be `webgpu`) in lockstep
 * groups, and returns each run's outcome or error in the order given.
 */
export async function trainLockstep(runs: readonly TrainRunOptions[], options: LockstepOptions = {}): Promise<PromiseSettledResult<RunOutcome>[]> {
  const notWebGpu = runs.find((r) => r.engine !== 'webgpu');
  if (notWebGpu) throw new Error(`lockstep training is for the webgpu engine (a run asks for ${notWebGpu.engine})`);
  const { WebGpuGroup, WEBGPU_MAX_BATCH } = await import('../engine/webgpu/group.js');
  const { requestWebGpuDevice } = await import('../engine/webgpu/device.js');
  const results: PromiseSettledResult<RunOutcome>[] = new Array(runs.length);
  const byShape = new Map<string, number[]>();
  for (const [i, run] of runs.entries()) {
    const key = JSON.stringify(run.config.model);
    byShape.set(key, [...(byShape.get(key) ?? []), i]);
  }
  if (byShape.size === 0) return results;
  const gpu = await requestWebGpuDevice();
  try {
    for (const indices of byShape.values()) {
      const model = runs[indices[0]].config.model;
      // The group's buffers hold the largest step batch of its runs (a full batch may pass the default).
      const maxBatch = Math.max(WEBGPU_MAX_BATCH, ...indices.map((i) => stepBatchSize(runs[i].config, trainSizeOf(runs[i].config))));
      const slots = Math.min(options.groupSize ?? DEFAULT_GROUP_SIZE, indices.length, WebGpuGroup.capacity(gpu, model, maxBatch));
      const group = await WebGpuGroup.open(model, slots, gpu, maxBatch);
      options.onGroup?.({ slots, runs: indices.length, bytes: group.bytes });
      let next = 0;
      // One worker per slot: each trains runs one after another, so a slot freed by a finished run takes the next.
      const slotWorker = async (): Promise<void> => {
        while (next < indices.length) {
          const i = indices[next++];
          const progress = options.onStart?.(i) ?? runs[i].progress;
          let result: PromiseSettledResult<RunOutcome>;
          try {
            const createEngine = async (args: Parameters<typeof group.join>[0]): Promise<AsyncEngine> => group.join(args);
            result = { status: 'fulfilled', value: await trainRun({ ...runs[i], createEngine, ...(progress ? { progress } : {}) }) };
          } catch (reason) {
            result = { status: 'rejected', reason };
          }
          results[i] = result;
          options.onSettled?.(i, result);
        }
      };
      try {
        await Promise.all(Array.from({ length: slots }, slotWorker));
      } finally {
        group.dispose();
      }
    }
  } finally {
    gpu.device.destroy();
  }
  return results;
}
