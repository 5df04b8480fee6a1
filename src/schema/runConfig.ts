/**
 * The configuration of one training run: what identifies it in the run store (design.md "Runs").
 * The engine is deliberately absent: the same config on another engine is the same experiment.
 */
import { z } from 'zod';
import { contentAddress } from './canonical.js';
import { parseConfig } from './parse.js';
import { ModelConfigSchema, OptimizerConfigSchema, paperModel } from './model.js';
import { TaskConfigSchema, taskElements } from './task.js';

/** Weight-decay schedule (claims.md "schedule"): lambda -> lambda_high at a trigger. */
export const ScheduleSchema = z
  .object({
    lambda_high: z.number().min(0),
    /**
     * `mem` = at the memorisation step, `step:N` = at step N, or a trigger the run's paper defines at one of its
     * events (src/train/measures.ts `triggers`; the training loop refuses a name the paper does not define).
     */
    trigger: z.string().regex(/^(step:\d+|[a-z][a-z0-9_]*)$/, 'expected mem, step:N or the name of a trigger of the paper'),
  })
  .strict();
export type Schedule = z.infer<typeof ScheduleSchema>;

export const StopSchema = z
  .object({
    max_steps: z.number().int().positive(),
    /** Stop this many steps after the grokking step (claims.md "grok + N"); absent: run to max_steps. */
    after_grok: z.number().int().min(0).optional(),
    /**
     * With after_grok: stop after_grok steps after grokking on this coarser grid too (every N steps, the paper's
     * 500), so that every claim's figure can be read at both resolutions (claims.md "main": "grok + 1000 on
     * both the 100- and the 500-step grid").
     */
    coarse_grid: z.number().int().positive().optional(),
  })
  .strict();

export type StopRule = z.infer<typeof StopSchema>;

export const ForkSchema = z
  .object({
    parent: z.string().min(8).describe('run id of the parent'),
    step: z.number().int().min(0).describe('checkpoint step of the parent to start from'),
  })
  .strict();

export const RunConfigSchema = z
  .object({
    task: TaskConfigSchema,
    model: ModelConfigSchema,
    optimizer: OptimizerConfigSchema,
    /** Examples per step; `full`: every step is the whole training set (model.md "Model switches"). */
    batch_size: z.union([z.number().int().positive(), z.literal('full')]).default(512),
    /** Seed of the parameter init (ignored for forks, which inherit the parent's state). */
    init_seed: z.number().int().min(0),
    /** Seed of the per-epoch batch order; a fork that keeps the parent's order has none. */
    batch_seed: z.number().int().min(0).optional(),
    /**
     * The order of the examples inside each batch (absent: as drawn). `reversed` feeds every batch back to
     * front: the same batches and the same function, with every sum over the batch taken in another order, a
     * rounding-only perturbation for marking fragile verdicts on minibatch profiles (claims.md "Fragility").
     */
    batch_order: z.enum(['reversed']).optional(),
    eval_every: z.number().int().positive().default(100),
    stop: StopSchema,
    schedule: ScheduleSchema.optional(),
    fork: ForkSchema.optional(),
    /**
     * What the run's checkpoints measure, as its paper reads it (src/train/measures.ts `MetricOptionsSpec`):
     * kept as given here, completed by the paper before the run is named.
     */
    metrics: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const elements = taskElements(c.task.kind, c.task.n);
    if (c.model.vocab !== elements + 1)
      ctx.addIssue({ code: 'custom', path: ['model', 'vocab'], message: `must be ${elements + 1} for this task` });
    // classes = elements + 1: the separator has a logit too (Nanda et al.; model.md "Model switches").
    if (c.model.classes !== elements && c.model.classes !== elements + 1)
      ctx.addIssue({ code: 'custom', path: ['model', 'classes'], message: `must be ${elements} (or ${elements + 1}, a logit for the separator too) for this task` });
    if (!c.fork && c.batch_seed === undefined)
      ctx.addIssue({ code: 'custom', path: ['batch_seed'], message: 'required unless the run is a fork' });
  });
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Examples in one training step of a run whose training set has `trainSize` examples. */
export function stepBatchSize(config: Pick<RunConfig, 'batch_size'>, trainSize: number): number {
  return config.batch_size === 'full' ? trainSize : Math.min(config.batch_size, trainSize);
}

/** The size of a run's training set (model.md "Split": the first floor(frac * |grid|) of the grid). */
export function trainSizeOf(config: Pick<RunConfig, 'task'>): number {
  return Math.floor(config.task.train_frac * taskElements(config.task.kind, config.task.n) ** 2);
}
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** The paper's configuration for Z_p addition (model.md defaults) with one seed for init, split and batches. */
export function paperRunConfig(p: number, seed: number, overrides: Partial<RunConfigInput> = {}): RunConfig {
  return RunConfigSchema.parse({
    task: { kind: 'mod_add', n: p, train_frac: 0.3, split_seed: seed },
    model: paperModel(p),
    optimizer: {},
    init_seed: seed,
    batch_seed: seed,
    stop: { max_steps: 10000, after_grok: 1000 },
    ...overrides,
  });
}

/**
 * The run's id in any run store (design.md "Runs"): the first 16 hex digits of the sha256 of the canonical JSON
 * of its validated config (defaults filled in, so `{}` and the spelled-out defaults are the same run). Pure.
 * The `metrics` block counts as given: a run is named by it once its paper has completed it
 * (src/train/measures.ts `completeRunConfig`, which the training loop applies).
 */
export function runIdOf(config: RunConfig | RunConfigInput): string {
  return contentAddress(parseConfig(RunConfigSchema, config, 'run config')).id;
}
