/**
 * One checkpoint of a lockstep group (issue "GPU training through WebGPU", "Speed"): R paper-model runs at
 * p = 97 in one WebGPU group each measure a checkpoint as the training loop does (measure.ts), at once, so the
 * members' grid evaluations are one pass. Reported: the group's wall time and its share per run.
 */
import type { AsyncEngine } from '../engine/engine.js';
import type { WebGpuDevice } from '../engine/webgpu/device.js';
import { initParams } from '../model/params.js';
import { paperRunConfig, type RunConfig } from '../schema/runConfig.js';
import { taskFromConfig } from '../tasks/task.js';
import type { CheckpointMeasures } from './measures.js';

export interface GroupCheckpointFigure {
  runs: number;
  /** Wall time of one checkpoint of all R runs. */
  ms: number;
  ms_per_run: number;
}

/**
 * Runs `use` on a fresh lockstep group of `runs` members of `config`'s shape (member r initialised with seed r),
 * then disposes of the members and the group, whatever `use` did. For timing a shape (the bench, the cost model).
 */
export async function withFreshGroup<T>(config: RunConfig, runs: number, use: (members: AsyncEngine[]) => Promise<T>, gpu?: WebGpuDevice): Promise<T> {
  const { WebGpuGroup } = await import('../engine/webgpu/group.js');
  const group = await WebGpuGroup.open(config.model, runs, gpu);
  const members: AsyncEngine[] = [];
  try {
    for (let r = 0; r < runs; r++) members.push(group.join({ model: config.model, optimizer: config.optimizer, params: initParams(config.model, r) }));
    return await use(members);
  } finally {
    for (const m of members) m.dispose();
    group.dispose();
  }
}

export async function benchGroupCheckpoint(runs: number, measures: CheckpointMeasures): Promise<GroupCheckpointFigure> {
  const config = paperRunConfig(97, 42);
  const { task, split } = taskFromConfig(config.task);
  const ms = await withFreshGroup(config, runs, async (members) => {
    const once = () => Promise.all(members.map((engine) => measures.measure(engine, task, split, config, 100, 1, [])));
    // The first compiles the kernels; the second is timed.
    await once();
    const start = performance.now();
    await once();
    return performance.now() - start;
  });
  return { runs, ms, ms_per_run: ms / runs };
}
