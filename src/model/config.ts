/**
 * Config schemas: the single source of truth for model, optimiser and task configs (shared/spec/model.md).
 * Types are inferred from the schemas; every config read from a file or flag goes through `parseConfig`.
 */
import { readFileSync } from 'node:fs';
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

export const TaskKindSchema = z.enum(['mod_add', 'mod_sub', 'mod_mul', 'sym']);
export type TaskKind = z.infer<typeof TaskKindSchema>;

export const TaskConfigSchema = z
  .object({
    kind: TaskKindSchema,
    /** p for the Z_p tasks, n for the symmetric group S_n. */
    n: z.number().int().min(2).max(1000),
    /** Fraction of the grid used for training (model.md: 0.3 for Z_p, 0.7 for S5). */
    train_frac: z.number().gt(0).lt(1),
    split_seed: z.number().int().min(0),
  })
  .strict()
  .refine((t) => t.kind !== 'sym' || t.n <= 6, { message: 'sym supports n <= 6 (n! classes)', path: ['n'] });
export type TaskConfig = z.infer<typeof TaskConfigSchema>;

/** The paper's model (model.md) for a Z_p task with prime p. */
export function paperModel(p: number): ModelConfig {
  return { vocab: p + 1, classes: p, d_model: 128, n_heads: 4, d_mlp: 512, n_layers: 2, variant: 'standard' };
}

export const defaultOptimizer: OptimizerConfig = OptimizerConfigSchema.parse({});

/** Formats a zod error as one line per problem, naming the field path, e.g. "model.d_model: expected number". */
export function formatZodError(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((s) => s !== '').join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses `value` with `schema`; throws a ConfigError naming every bad field (prefixed by `where`). */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(`invalid ${where}:\n${formatZodError(result.error, where)}`);
  return result.data;
}

/** Reads a JSON input file; an unreadable or unparsable file is a ConfigError naming `what` and the path. */
export function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}
