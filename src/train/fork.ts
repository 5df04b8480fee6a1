/**
 * A fork (claims.md "fork97", "forks"; design.md "Runs": parent run id + fork step): a run that starts from a
 * checkpoint of its parent (parameters, both Adam moments, the step count and, unless it gets its own
 * batch-order seed, the batch-order RNG) with another weight decay and its own stop rule. The one builder of
 * fork configs, for `grokcheck fork` and the experiment planners alike.
 */
import { parseConfig } from '../schema/parse.js';
import { RunConfigSchema, type RunConfig, type StopRule } from '../schema/runConfig.js';

export interface ForkChoice {
  /** The parent's checkpoint step to start from. */
  step: number;
  /** The branch's weight decay. */
  weightDecay: number;
  stop: StopRule;
  /** A new batch order from the same checkpoint ("training-noise replicates"); absent: the parent's order goes on. */
  batchSeed?: number;
}

/** The config of a fork of `parent` (run id `parentId`); the parent's schedule and own fork do not carry over. */
export function forkRunConfig(parent: RunConfig, parentId: string, fork: ForkChoice): RunConfig {
  const { batch_seed: _parentBatchSeed, schedule: _schedule, fork: _fork, ...rest } = parent;
  return parseConfig(
    RunConfigSchema,
    {
      ...rest,
      optimizer: { ...parent.optimizer, weight_decay: fork.weightDecay },
      ...(fork.batchSeed === undefined ? {} : { batch_seed: fork.batchSeed }),
      fork: { parent: parentId, step: fork.step },
      stop: fork.stop,
    },
    'fork config',
  );
}
