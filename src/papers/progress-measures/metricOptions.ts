/**
 * Progress-measures' options for what its checkpoints measure: the `metrics` block of a run config (the core keeps
 * it as given; src/train/measures.ts `MetricOptionsSpec`). Filled in before a run is named, so its id does not
 * depend on where a default is written down.
 */
import { z } from 'zod';
import { ConfigError, formatZodError } from '../../schema/parse.js';
import type { RunConfig } from '../../schema/runConfig.js';
import type { MetricOptionsSpec } from '../../train/measures.js';

export const ProgressMetricOptionsSchema = z
  .object({
    /**
     * Every this many steps, rule 1' (claims.md §2.4: `neuron-argmax` on the checkpoint itself, no look-ahead):
     * each neuron's frequency, and the restricted and excluded losses with the frequencies the neurons pick then.
     * It is the dearest measure (a 2D transform of every neuron on the grid), hence not at every checkpoint.
     */
    neuron_keys_every: z.number().int().positive().default(500),
  })
  .strict();
export type ProgressMetricOptions = z.infer<typeof ProgressMetricOptionsSchema>;

/** The run's options, defaults filled in, checked against the run (a ConfigError names the field). */
export function completeProgressOptions(config: Pick<RunConfig, 'model' | 'task' | 'metrics'>): ProgressMetricOptions {
  const parsed = ProgressMetricOptionsSchema.safeParse(config.metrics);
  if (!parsed.success) throw new ConfigError(`invalid run config:\n${formatZodError(parsed.error, 'metrics')}`);
  const problem =
    config.task.kind !== 'mod_add'
      ? `task.kind: the progress measures read the sum directions of Z_p addition, not ${config.task.kind}`
      : config.task.n % 2 === 0 || config.task.n < 5
        ? `task.n: Nanda et al.'s Fourier basis needs an odd p >= 5, got ${config.task.n}`
        : config.model.variant === 'attn_only'
          ? 'model.variant: the neuron measures need an MLP in the last block'
          : null;
  if (problem) throw new ConfigError(`invalid run config:\n${problem}`);
  return parsed.data;
}

const memo = new WeakMap<object, ProgressMetricOptions>();

/** A stored or planned run's options (its config's block, completed). */
export function progressOptions(config: Pick<RunConfig, 'model' | 'task' | 'metrics'>): ProgressMetricOptions {
  let options = memo.get(config);
  if (!options) memo.set(config, (options = completeProgressOptions(config)));
  return options;
}

export const progressMetricOptions: MetricOptionsSpec = {
  complete: (config) => completeProgressOptions(config),
  flags: [
    {
      flag: 'neuron-keys-every',
      key: 'neuron_keys_every',
      metavar: 'N',
      value: z.coerce.number().int().positive(),
      help: "every N steps, each neuron's frequency and the losses with the frequencies picked then (default 500)",
    },
  ],
};
