/** One checkpoint record (a line of records.jsonl): its core fields, and where a run's records must stand. */
import { z } from 'zod';
import { JsonNumberSchema } from './jsonNumber.js';
import type { RunConfig } from './runConfig.js';

/** Metric values may be NaN/Infinity when a run diverges; they are stored as strings (jsonNumber.ts). */
const num = JsonNumberSchema;
/**
 * The core of every checkpoint record, whatever the paper (issue 28): the step, the weight decay in force, the
 * losses and accuracies on the training and validation rows, the parameter norm and, in records written since
 * issue 28, the norm of each parameter. A paper declares what else its records hold
 * (src/train/measures.ts `RecordLayout`; circuit-sync's FSD figures are its record.ts).
 */
export const CORE_RECORD_SHAPE = {
  step: z.number().int().min(0),
  weight_decay: num,
  train_loss: num,
  train_acc: num,
  val_loss: num,
  val_acc: num,
  /** metrics.md "total parameter norm": the Frobenius norm of all parameters as one vector. */
  norm: num,
  /** The Frobenius norm of each parameter by name (model/params.ts); absent in records written before issue 28. */
  param_norms: z.record(z.string(), num).optional(),
  /** Non-finite loss seen at this checkpoint. */
  diverged: z.boolean(),
};

type RecordIssue = (path: (string | number)[], message: string) => void;
export interface CoreRecord {
  step: number;
  weight_decay: number;
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  norm: number;
  param_norms?: Record<string, number>;
  diverged: boolean;
}

/** Values outside their ranges are never used (a val_acc of 5 once made a grokking step out of nothing). */
export function checkCoreRecord(r: CoreRecord, issue: RecordIssue): void {
  const inUnit = (x: number) => x >= 0 && x <= 1;
  for (const key of ['train_acc', 'val_acc'] as const) if (!inUnit(r[key])) issue([key], `an accuracy must lie in [0, 1], got ${r[key]}`);
  for (const key of ['train_loss', 'val_loss'] as const)
    if (Number.isFinite(r[key]) ? r[key] < 0 : !r.diverged) issue([key], `a loss must be non-negative, or non-finite in a record flagged diverged; got ${r[key]}`);
  // A diverged run's parameters are non-finite too: its norm is then NaN or Infinity, which is data (issue 26).
  if (Number.isFinite(r.norm) ? r.norm < 0 : !r.diverged) issue(['norm'], `the parameter norm must be non-negative, or non-finite in a record flagged diverged; got ${r.norm}`);
  for (const [name, norm] of Object.entries(r.param_norms ?? {}))
    if (Number.isFinite(norm) ? norm < 0 : !r.diverged) issue(['param_norms', name], `a parameter norm must be non-negative, or non-finite in a record flagged diverged; got ${norm}`);
}

/**
 * A paper's record schema: the core fields and the paper's `shape`, nothing else (strict), checked by the core's
 * ranges and then by the paper's `check` (which is not called on a record flagged diverged, whose figures are NaN).
 */
export function recordSchema<S extends z.ZodRawShape>(shape: S, check: (r: CoreRecord & z.infer<z.ZodObject<S>>, issue: RecordIssue) => void = () => {}) {
  // `diverged` stays last, where records written before issue 28 have it (the committed records' column order).
  const { diverged, ...head } = CORE_RECORD_SHAPE;
  return z
    .object({ ...head, ...shape, diverged })
    .strict()
    .superRefine((r, ctx) => {
      const issue: RecordIssue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
      const record = r as unknown as CoreRecord & z.infer<z.ZodObject<S>>;
      checkCoreRecord(record, issue);
      if (!record.diverged) check(record, issue);
    });
}

/** The core fields of any paper's record, the paper's fields passed through unread (`runs`, `merge`). */
export const CoreRecordSchema = z
  .object(CORE_RECORD_SHAPE)
  .passthrough()
  .superRefine((r, ctx) => checkCoreRecord(r, (path, message) => ctx.addIssue({ code: 'custom', path, message })));

/**
 * Where a run's records must stand (metrics.md "Checkpoint metrics"; src/train/loop.ts): one at every multiple of
 * `eval_every` from the run's first step (0, or a fork's step) on, none missing, and possibly one more at the
 * final step when the step cap is off that grid. Returns the first record out of place (its index and why), or
 * null.
 */
export function recordGridProblem(records: readonly Pick<CoreRecord, 'step'>[], config: Pick<RunConfig, 'eval_every' | 'stop' | 'fork'>): { index: number; problem: string } | null {
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

/** The fields of a record schema made by `recordSchema` (a zod object), in their order. */
export function recordFields(schema: z.ZodType): Record<string, z.ZodType> {
  if (!(schema instanceof z.ZodObject)) throw new TypeError('a record schema is a zod object (src/schema/record.ts recordSchema)');
  return schema.shape as Record<string, z.ZodType>;
}
