/**
 * One checkpoint record (a line of records.jsonl): every metric of metrics.md "Checkpoint metrics" at a step.
 * Alternative-choice figures (metrics.md "Named options") are stored too, so the sensitivity analysis can
 * re-derive every verdict from the same runs without retraining.
 */
import { z } from 'zod';
import { JsonNumberSchema } from './jsonNumber.js';

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
  })
  .strict();
export type FsdSummary = z.infer<typeof FsdSummarySchema>;

export const PermutationSummarySchema = z
  .object({ p_value: num, null_mean: num, null_q95: num, replicates: z.number().int() })
  .strict();

export const CheckpointRecordSchema = z
  .object({
    step: z.number().int().min(0),
    weight_decay: num,
    train_loss: num,
    train_acc: num,
    val_loss: num,
    val_acc: num,
    norm: num,
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
    /** Non-finite loss seen at this checkpoint. */
    diverged: z.boolean(),
  })
  .strict();
export type CheckpointRecord = z.infer<typeof CheckpointRecordSchema>;
