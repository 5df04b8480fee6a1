/**
 * One checkpoint record (a line of records.jsonl): every metric of metrics.md "Checkpoint metrics" at a step.
 * Alternative-choice figures (metrics.md "Named options") are stored too, so the sensitivity analysis can
 * re-derive every verdict from the same runs without retraining.
 */
import { z } from 'zod';
import { JsonNumberSchema } from './jsonNumber.js';
import type { RunConfig } from './runConfig.js';

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
    /**
     * FSD_gen's i.i.d. Gaussian-activation null (metrics.md "FSD_gen") for group tasks, at the permutation
     * test's checkpoints (null elsewhere); absent for Z_p tasks and in records written before it was added.
     */
    gaussian_null: PermutationSummarySchema.nullable().optional(),
    /** Non-finite loss seen at this checkpoint. */
    diverged: z.boolean(),
  })
  .strict()
  .superRefine((r, ctx) => {
    // Values outside their ranges are never used (a val_acc of 5 once made a grokking step out of nothing).
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const inUnit = (x: number) => x >= 0 && x <= 1;
    for (const key of ['train_acc', 'val_acc'] as const) if (!inUnit(r[key])) issue([key], `an accuracy must lie in [0, 1], got ${r[key]}`);
    for (const key of ['train_loss', 'val_loss'] as const)
      if (Number.isFinite(r[key]) ? r[key] < 0 : !r.diverged) issue([key], `a loss must be non-negative, or non-finite in a record flagged diverged; got ${r[key]}`);
    // A diverged run's parameters are non-finite too: its norm is then NaN or Infinity, which is data (issue 26).
    if (Number.isFinite(r.norm) ? r.norm < 0 : !r.diverged) issue(['norm'], `the parameter norm must be non-negative, or non-finite in a record flagged diverged; got ${r.norm}`);
    // A diverged record carries NaN metrics (circuit-sync's measure.ts); any other must have them in range.
    if (r.diverged) return;
    for (const key of ['fsd', 'participation', 'rank1_fraction'] as const) if (!inUnit(r[key])) issue([key], `must lie in [0, 1], got ${r[key]}`);
    if (r.fsd_gen !== null && !inUnit(r.fsd_gen)) issue(['fsd_gen'], `must lie in [0, 1], got ${r.fsd_gen}`);
    for (const [site, alt] of Object.entries(r.fsd_alt))
      for (const key of ['fsd', 'participation', 'rank1_fraction'] as const)
        if (!inUnit(alt[key])) issue(['fsd_alt', site, key], `must lie in [0, 1], got ${alt[key]}`);
    for (const key of ['permutation', 'gaussian_null'] as const) {
      const test = r[key];
      if (test && !inUnit(test.p_value)) issue([key, 'p_value'], `must lie in [0, 1], got ${test.p_value}`);
    }
  });
export type CheckpointRecord = z.infer<typeof CheckpointRecordSchema>;

/**
 * Where a run's records must stand (metrics.md "Checkpoint metrics"; src/train/loop.ts): one at every multiple of
 * `eval_every` from the run's first step (0, or a fork's step) on, none missing, and possibly one more at the
 * final step when the step cap is off that grid. Returns the first record out of place (its index and why), or
 * null.
 */
export function recordGridProblem(records: readonly Pick<CheckpointRecord, 'step'>[], config: Pick<RunConfig, 'eval_every' | 'stop' | 'fork'>): { index: number; problem: string } | null {
  const every = config.eval_every;
  const start = config.fork ? Math.ceil(config.fork.step / every) * every : 0;
  const cap = config.stop.max_steps;
  for (let i = 0; i < records.length; i++) {
    const expected = start + i * every;
    const step = records[i].step;
    if (step === expected) continue;
    const offGridFinal = i === records.length - 1 && step === cap && cap % every !== 0 && step > expected - every && step < expected;
    if (offGridFinal) continue;
    return {
      index: i,
      problem:
        i > 0 && step > expected
          ? `step ${step} follows step ${records[i - 1].step}: the record of step ${expected} is missing (records come every ${every} steps)`
          : `step ${step} is not on the run's checkpoint grid (expected step ${expected}: every ${every} steps from ${start})`,
    };
  }
  return null;
}
