/**
 * Circuit-sync's options for what its checkpoints measure: the `metrics` block of a run config (the core keeps
 * the block as given; src/train/measures.ts `MetricOptionsSpec`). FSD's site and sync threshold, the number of
 * key frequencies and the permutation-test replicates (metrics.md "FSD", "Permutation test for FSD",
 * "Restricted-logit loss").
 *
 * Stored runs hold the block filled in, so a run's id (the hash of its config) does not depend on where a
 * default is written down; `completeMetricOptions` fills it before a run is named.
 */
import { z } from 'zod';
import { ConfigError, formatZodError } from '../../schema/parse.js';
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '../../schema/runConfig.js';
import { defaultFsdSite, fsdSitesOf, FsdSiteSchema, FSD_SITES, hasSite } from '../../schema/sites.js';
import type { MetricOptionsSpec } from '../../train/measures.js';

/** The sync threshold of metrics.md (canonical 0.80), and S5's FSD_gen threshold (0.50, claims.md S5). */
export const SYNC_THRESHOLD = 0.8;
export const GROUP_SYNC_THRESHOLD = 0.5;

export const MetricOptionsSchema = z
  .object({
    /** metrics.md `fsd.site`: the site whose FSD drives the sync event (default: the model's canonical site). */
    fsd_site: FsdSiteSchema,
    /** metrics.md sync threshold (SYNC_THRESHOLD; GROUP_SYNC_THRESHOLD for S_n tasks by default). */
    sync_threshold: z.number().gt(0).lte(1),
    /** Frequencies kept by the restricted-logit baseline and Nanda's key frequencies. */
    key_frequencies: z.number().int().positive().default(7),
    /** Permutation-test replicates run at each 500-step checkpoint and at the first sync checkpoint (0: never). */
    permutations: z.number().int().min(0).default(1000),
  })
  .strict();
export type MetricOptions = z.infer<typeof MetricOptionsSchema>;

/** The defaults that depend on the run: the site by model variant, the threshold by task. */
function runDefaults(config: Pick<RunConfig, 'model' | 'task'>): Pick<MetricOptions, 'fsd_site' | 'sync_threshold'> {
  return { fsd_site: defaultFsdSite(config.model.variant), sync_threshold: config.task.kind === 'sym' ? GROUP_SYNC_THRESHOLD : SYNC_THRESHOLD };
}

/**
 * The run's metric options, defaults filled in and checked against the run: its model has the site, and a Z_p
 * task has at least 2 frequencies. A ConfigError names the field.
 */
export function completeMetricOptions(config: Pick<RunConfig, 'model' | 'task' | 'metrics'>): MetricOptions {
  const parsed = MetricOptionsSchema.safeParse({ ...runDefaults(config), ...config.metrics });
  if (!parsed.success) throw new ConfigError(`invalid run config:\n${formatZodError(parsed.error, 'metrics')}`);
  const options = parsed.data;
  if (!hasSite(config.model, options.fsd_site))
    throw new ConfigError(
      `invalid run config:\nmetrics.fsd_site: a ${config.model.n_layers}-layer ${config.model.variant} model has no ${options.fsd_site} (it has ${fsdSitesOf(config.model).join(', ')})`,
    );
  if (config.task.kind !== 'sym' && config.task.n < 5) throw new ConfigError('invalid run config:\ntask.n: FSD needs at least 2 frequencies: use p >= 5');
  return options;
}

/** A circuit-sync run config: validated, with its metric options completed (as it is named in the store). */
export function circuitSyncRunConfig(input: RunConfigInput): RunConfig {
  const config = RunConfigSchema.parse(input);
  return { ...config, metrics: completeMetricOptions(config) };
}

/** Memo: a run's options are read at every checkpoint and by every claim. */
const memo = new WeakMap<object, MetricOptions>();

/** A stored or planned run's metric options (its config's block, completed). */
export function metricOptions(config: Pick<RunConfig, 'model' | 'task' | 'metrics'>): MetricOptions {
  let options = memo.get(config);
  if (!options) memo.set(config, (options = completeMetricOptions(config)));
  return options;
}

/** Circuit-sync's `metrics` block for the core: how it is completed, and `train`'s flags that set it. */
export const circuitSyncMetricOptions: MetricOptionsSpec = {
  complete: (config) => completeMetricOptions(config),
  flags: [
    {
      flag: 'fsd-site',
      key: 'fsd_site',
      metavar: 'SITE',
      value: FsdSiteSchema,
      help: `the site whose FSD drives the sync event:\n${FSD_SITES.join(', ')}\n(default ${FSD_SITES[0]}; attn_only models default to ${defaultFsdSite('attn_only')})`,
    },
    {
      flag: 'sync-threshold',
      key: 'sync_threshold',
      metavar: 'X',
      value: z.coerce.number().gt(0).lte(1),
      help: `FSD at or above X is synchronised (default ${SYNC_THRESHOLD}; ${GROUP_SYNC_THRESHOLD} for sym, FSD_gen's)`,
    },
    {
      flag: 'key-frequencies',
      key: 'key_frequencies',
      metavar: 'N',
      value: z.coerce.number().int().positive(),
      help: 'frequencies the restricted-logit baseline and Nanda\'s losses keep (default 7)',
    },
    {
      flag: 'permutations',
      key: 'permutations',
      metavar: 'N',
      value: z.coerce.number().int().min(0),
      help: 'permutation-test replicates at every 500th step and at sync (0 = off; default 1000)',
    },
  ],
};
