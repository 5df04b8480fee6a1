/** Placeholder: the restricted-logit baseline, Nanda's measures and FSD_gen are wired in once src/metrics lands. */
import type { Engine, EvalResult } from '../engine/engine.js';
import type { Split, Task } from '../tasks/task.js';
import type { RunConfig } from './runConfig.js';

export function baselineMeasures(_engine: Engine, _task: Task, _split: Split, _config: RunConfig, _grid: EvalResult) {
  return { restricted_logit_loss: null, restricted_logit_loss_train: null, nanda_excluded_loss: null, nanda_restricted_loss: null };
}

export function groupFsd(_acts: Float32Array, _units: number, _task: Task): number | null {
  return null;
}
