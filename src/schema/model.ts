/**
 * The model and optimiser config schemas (shared/spec/model.md), the single source of truth for both: types
 * are inferred from them; every config read from a file or flag goes through `parseConfig` (parse.ts).
 */
import { z } from 'zod';

export const VariantSchema = z.enum(['standard', 'attn_only', 'mlp_only']);
export type Variant = z.infer<typeof VariantSchema>;

const positiveInt = z.number().int().positive();

export const ModelConfigSchema = z
  .object({
    vocab: positiveInt.describe('number of input tokens (p + 1 for Z_p tasks: the separator is token p)'),
    classes: positiveInt.describe('number of output classes'),
    d_model: positiveInt,
    n_heads: positiveInt,
    d_mlp: positiveInt,
    n_layers: z.number().int().min(1).max(2),
    variant: VariantSchema,
  })
  .strict()
  .refine((m) => m.d_model % m.n_heads === 0, {
    message: 'd_model must be divisible by n_heads',
    path: ['n_heads'],
  });
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const OptimizerConfigSchema = z
  .object({
    kind: z.literal('adamw').default('adamw'),
    lr: z.number().positive().default(1e-3),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().default(1e-8),
    weight_decay: z.number().min(0).default(1.0),
  })
  .strict();
export type OptimizerConfig = z.infer<typeof OptimizerConfigSchema>;

/** The paper's model (model.md) for a Z_p task with prime p. */
export function paperModel(p: number): ModelConfig {
  return { vocab: p + 1, classes: p, d_model: 128, n_heads: 4, d_mlp: 512, n_layers: 2, variant: 'standard' };
}

export const defaultOptimizer: OptimizerConfig = OptimizerConfigSchema.parse({});
