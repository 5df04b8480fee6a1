/**
 * One checkpoint of a lockstep group (issue "GPU training through WebGPU", "Speed"): R paper-model runs at
 * p = 97 in one WebGPU group each measure a checkpoint as the training loop does (measure.ts), at once, so the
 * members' grid evaluations are one pass. Reported: the group's wall time and its share per run.
 */
import { initParams } from '../model/params.js';
import { paperRunConfig } from '../schema/runConfig.js';
import { taskFromConfig } from '../tasks/task.js';
import { measureCheckpoint } from './measure.js';

export interface GroupCheckpointFigure {
  runs: number;
  /** Wall time of one checkpoint of all R runs. */
  ms: number;
  ms_per_run: number;
}

export async function benchGroupCheckpoint(runs: number): Promise<GroupCheckpointFigure> {
  const { WebGpuGroup } = await import('../engine/webgpu/group.js');
  const config = paperRunConfig(97, 42);
  const { task, split } = taskFromConfig(config.task);
  const group = await WebGpuGroup.open(config.model, runs);
  try {
    const members = Array.from({ length: runs }, (_, r) => group.join({ model: config.model, optimizer: config.optimizer, params: initParams(config.model, r) }));
    const once = () => Promise.all(members.map((engine) => measureCheckpoint(engine, task, split, config, 100, 1, [])));
    // The first compiles the kernels; the second is timed.
    await once();
    const start = performance.now();
    await once();
    const ms = performance.now() - start;
    for (const m of members) m.dispose();
    return { runs, ms, ms_per_run: ms / runs };
  } finally {
    group.dispose();
  }
}
