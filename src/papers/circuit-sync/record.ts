/**
 * Circuit-sync's checkpoint record: the core fields (src/schema/record.ts) and every metric of metrics.md
 * "Checkpoint metrics" at the step. Alternative-choice figures (metrics.md "Named options") are stored too, so
 * the sensitivity analysis can re-derive every verdict from the same runs without retraining.
 */
import { z } from 'zod';
import { JsonNumberSchema } from '../../schema/jsonNumber.js';
import { recordSchema } from '../../schema/record.js';
import type { RecordLayout } from '../../train/measures.js';

/** Metric values may be NaN/Infinity when a run diverges; they are stored as strings (jsonNumber.ts). */
const num = JsonNumberSchema;

/** FSD summary of one site over one input set. */
export const FsdSummarySchema = z
  .object({
    fsd: num,
    top_frequency: z.number().int().nullable(),
    participation: num,
    median_rank: num.nullable(),
    rank1_fraction: num,
    silent_units: z.number().int(),
    /** Smallest number of grid pairs behind one answer (input subsets can leave answers thin). */
    min_answer_count: z.number().int().optional(),
    /** The largest dominant-frequency counts, descending (metrics/fsdSummary.ts TOP_COUNTS); absent in older records. */
    top_counts: z.array(z.number().int().min(0)).optional(),
    counted_units: z.number().int().min(0).optional(),
    bins: z.number().int().min(2).optional(),
  })
  .strict();
export type FsdSummary = z.infer<typeof FsdSummarySchema>;

export const PermutationSummarySchema = z
  .object({ p_value: num, null_mean: num, null_q95: num, replicates: z.number().int() })
  .strict();

const inUnit = (x: number) => x >= 0 && x <= 1;
const UNIT_FIELDS = ['fsd', 'participation', 'rank1_fraction'] as const;

export const CircuitSyncRecordSchema = recordSchema(
  {
    /** FSD of the configured site on the full grid (the canonical figure that drives sync). */
    fsd: num,
    top_frequency: z.number().int().nullable(),
    participation: num,
    median_rank: num.nullable(),
    rank1_fraction: num,
    /** Alternative sites and inputs: key `site@inputs`, e.g. `block0.mlp.pre@grid`, `block0.mlp.post@train`. */
    fsd_alt: z.record(z.string(), FsdSummarySchema),
    /** FSD_gen for group tasks (sym), null for Z_p. */
    fsd_gen: num.nullable(),
    /** Restricted-logit loss (metrics.md) on the grid and on the training set. */
    restricted_logit_loss: num.nullable(),
    restricted_logit_loss_train: num.nullable(),
    nanda_excluded_loss: num.nullable(),
    nanda_restricted_loss: num.nullable(),
    permutation: PermutationSummarySchema.nullable(),
    /**
     * FSD_gen's i.i.d. Gaussian-activation null (metrics.md "FSD_gen") for group tasks, at the permutation
     * test's checkpoints (null elsewhere); absent for Z_p tasks and in records written before it was added.
     */
    gaussian_null: PermutationSummarySchema.nullable().optional(),
  },
  // A diverged record carries NaN metrics (measure.ts) and is not checked here; any other must have them in range.
  (r, issue) => {
    for (const key of UNIT_FIELDS) if (!inUnit(r[key])) issue([key], `must lie in [0, 1], got ${r[key]}`);
    if (r.fsd_gen !== null && !inUnit(r.fsd_gen)) issue(['fsd_gen'], `must lie in [0, 1], got ${r.fsd_gen}`);
    for (const [site, alt] of Object.entries(r.fsd_alt))
      for (const key of UNIT_FIELDS) if (!inUnit(alt[key])) issue(['fsd_alt', site, key], `must lie in [0, 1], got ${alt[key]}`);
    for (const key of ['permutation', 'gaussian_null'] as const) {
      const test = r[key];
      if (test && !inUnit(test.p_value)) issue([key, 'p_value'], `must lie in [0, 1], got ${test.p_value}`);
    }
  },
);
export type CircuitSyncRecord = z.infer<typeof CircuitSyncRecordSchema>;

/** How the run store and the committed records hold it: `fsd_alt` is one table per record, keyed by `site@inputs`. */
export const circuitSyncRecordLayout: RecordLayout<CircuitSyncRecord> = {
  schema: CircuitSyncRecordSchema,
  table: { field: 'fsd_alt', entry: FsdSummarySchema },
};
