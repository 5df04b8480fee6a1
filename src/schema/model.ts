/**
 * The model and optimiser config schemas (shared/spec/model.md), the single source of truth for both: types
 * are inferred from them; every config read from a file or flag goes through `parseConfig` (parse.ts).
 */
import { z } from 'zod';

export const VariantSchema = z.enum(['standard', 'attn_only', 'mlp_only']);
export type Variant = z.infer<typeof VariantSchema>;

const positiveInt = z.number().int().positive();

/**
 * The model switches (model.md "Model switches"), each with the circuit-sync model as its default (listed
 * first). A switch left at its default is dropped from the parsed config, so a config that spells a default
 * out is the same config, and hashes to the same run id, as one that leaves it out (every run stored before
 * the switches existed keeps its name). Read a switch's value with `modelSwitches`.
 */
export const MODEL_SWITCH_DEFAULTS = {
  norm: 'layernorm',
  act: 'gelu',
  attn_bias: true,
  unembed_bias: true,
  init: 'pytorch',
  loss_precision: 'f32',
} as const;
export const NormSchema = z.enum(['layernorm', 'none']);
export const ActivationSchema = z.enum(['gelu', 'relu']);
export const InitSchemeSchema = z.enum(['pytorch', 'nanda']);
export const LossPrecisionSchema = z.enum(['f32', 'f64']);

export type ModelSwitches = {
  norm: z.infer<typeof NormSchema>;
  act: z.infer<typeof ActivationSchema>;
  attn_bias: boolean;
  unembed_bias: boolean;
  init: z.infer<typeof InitSchemeSchema>;
  loss_precision: z.infer<typeof LossPrecisionSchema>;
};

/** Drops every key of `value` whose value equals `defaults`' (the canonical form of a config with defaults). */
function withoutDefaults<T extends object>(value: T, defaults: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k in defaults) || defaults[k] !== v)) as T;
}

export const ModelConfigSchema = z
  .object({
    vocab: positiveInt.describe('number of input tokens (p + 1 for Z_p tasks: the separator is token p)'),
    classes: positiveInt.describe('number of output classes (p, or p + 1 where the separator has a logit too)'),
    d_model: positiveInt,
    n_heads: positiveInt,
    d_mlp: positiveInt,
    n_layers: z.number().int().min(1).max(2),
    variant: VariantSchema,
    norm: NormSchema.optional().describe("'none': no LayerNorm anywhere, and no parameters for it"),
    act: ActivationSchema.optional().describe("the MLP's nonlinearity"),
    attn_bias: z.boolean().optional().describe('false: no b_Q, b_K, b_V, b_O'),
    unembed_bias: z.boolean().optional().describe('false: no b_U'),
    init: InitSchemeSchema.optional().describe("'nanda': Nanda et al.'s init scales (model.md)"),
    loss_precision: LossPrecisionSchema.optional().describe("'f64': log-softmax, loss and its gradient in float64"),
  })
  .strict()
  .refine((m) => m.d_model % m.n_heads === 0, {
    message: 'd_model must be divisible by n_heads',
    path: ['n_heads'],
  })
  .transform((m) => withoutDefaults(m, MODEL_SWITCH_DEFAULTS));
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** Every switch of a model config, defaults filled in. */
export function modelSwitches(config: ModelConfig): ModelSwitches {
  const set = config as Partial<ModelSwitches>;
  const entries = Object.entries(MODEL_SWITCH_DEFAULTS).map(([key, fallback]) => [key, set[key as keyof ModelSwitches] ?? fallback]);
  return Object.fromEntries(entries) as ModelSwitches;
}

export const OptimizerConfigSchema = z
  .object({
    kind: z.literal('adamw').default('adamw'),
    lr: z.number().positive().default(1e-3),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().default(1e-8),
    weight_decay: z.number().min(0).default(1.0),
    /**
     * Linear warm-up as PyTorch's LambdaLR(min(step / N, 1)) stepped after every update: the k-th update
     * (k = 1, 2, ...) uses lr * min((k - 1) / N, 1) (model.md "Model switches"). 0 (the default, dropped from
     * the parsed config so that old run ids stand): no warm-up.
     */
    warmup_steps: z.number().int().min(0).optional(),
  })
  .strict()
  .transform((o) => withoutDefaults(o, { warmup_steps: 0 }));
export type OptimizerConfig = z.infer<typeof OptimizerConfigSchema>;

/** The paper's model (model.md) for a Z_p task with prime p. */
export function paperModel(p: number): ModelConfig {
  return { vocab: p + 1, classes: p, d_model: 128, n_heads: 4, d_mlp: 512, n_layers: 2, variant: 'standard' };
}

/**
 * Nanda et al. 2023's main model for a Z_p task in our terms (model.md "Model switches", the paragraph after the
 * table): classes p + 1 (a logit for the separator too), 1 layer, d 128, 4 heads, d_mlp 512, no LayerNorm, ReLU,
 * no attention or unembedding biases, their init, float64 loss.
 */
export function nandaModel(p: number): ModelConfig {
  return {
    ...paperModel(p),
    classes: p + 1,
    n_layers: 1,
    norm: 'none',
    act: 'relu',
    attn_bias: false,
    unembed_bias: false,
    init: 'nanda',
    loss_precision: 'f64',
  };
}

/** The learning rate of the k-th update (k = 1, 2, ...) under the optimiser's warm-up. */
export function warmedLr(optimizer: OptimizerConfig, k: number): number {
  const n = optimizer.warmup_steps ?? 0;
  return n > 0 ? optimizer.lr * Math.min((k - 1) / n, 1) : optimizer.lr;
}

export const defaultOptimizer: OptimizerConfig = OptimizerConfigSchema.parse({});

/** Nanda et al.'s AdamW (model.md "Model switches"): lr 1e-3, betas (0.9, 0.98), weight decay 1, warm-up 10. */
export const nandaOptimizer: OptimizerConfig = OptimizerConfigSchema.parse({ lr: 1e-3, beta2: 0.98, weight_decay: 1, warmup_steps: 10 });
