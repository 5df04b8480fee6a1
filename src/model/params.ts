/**
 * Parameter names, shapes and initialisation exactly as shared/spec/model.md ("Parameters").
 * Every weight is stored [in, out], row-major, applied as x @ W + b.
 */
import { modelSwitches, type ModelConfig } from '../schema/model.js';
import { Rng } from '../random/rng.js';

export type Params = Record<string, Float32Array>;

export type InitRule =
  | { kind: 'normal'; scale: number } // N(0, 1) * scale
  | { kind: 'uniform'; bound: number } // U(-bound, bound)
  | { kind: 'const'; value: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: InitRule;
}

export function blockHasAttention(config: ModelConfig): boolean {
  return config.variant !== 'mlp_only';
}
export function blockHasMlp(config: ModelConfig): boolean {
  return config.variant !== 'attn_only';
}

/**
 * The parameters of a model, in the canonical order of model.md (the order used for norms and state files).
 * Switches (model.md "Model switches") remove tensors: `norm: none` every LayerNorm's, `attn_bias: false`
 * b_Q, b_K, b_V and b_O, `unembed_bias: false` b_U; the order of the rest is unchanged. `init` picks the scales.
 */
export function paramSpecs(config: ModelConfig): ParamSpec[] {
  const d = config.d_model;
  const switches = modelSwitches(config);
  const layernorm = switches.norm === 'layernorm';
  const nanda = switches.init === 'nanda';
  const one = { kind: 'const', value: 1 } as const;
  const zero = { kind: 'const', value: 0 } as const;
  // pytorch: embeddings N(0, 1), Linear weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  // nanda (their transformers.py): every weight N(0, 1)/sqrt(d_model), W_U N(0, 1)/sqrt(classes), biases 0.
  const embedding: InitRule = nanda ? { kind: 'normal', scale: 1 / Math.sqrt(d) } : { kind: 'normal', scale: 1 };
  const weight = (fanIn: number): InitRule => (nanda ? embedding : { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) });
  const bias = (fanIn: number): InitRule => (nanda ? zero : { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) });
  const norm = (name: string): ParamSpec[] =>
    layernorm ? [{ name: `${name}.w`, shape: [d], init: one }, { name: `${name}.b`, shape: [d], init: zero }] : [];
  const specs: ParamSpec[] = [
    { name: 'embed.W_E', shape: [config.vocab, d], init: embedding },
    { name: 'embed.W_pos', shape: [3, d], init: embedding },
  ];
  for (let l = 0; l < config.n_layers; l++) {
    const b = `blocks.${l}`;
    if (blockHasAttention(config)) {
      specs.push(...norm(`${b}.ln1`));
      for (const m of ['Q', 'K', 'V', 'O']) {
        specs.push({ name: `${b}.attn.W_${m}`, shape: [d, d], init: weight(d) });
        if (switches.attn_bias) specs.push({ name: `${b}.attn.b_${m}`, shape: [d], init: bias(d) });
      }
    }
    if (blockHasMlp(config)) {
      specs.push(
        ...norm(`${b}.ln2`),
        { name: `${b}.mlp.W_in`, shape: [d, config.d_mlp], init: weight(d) },
        { name: `${b}.mlp.b_in`, shape: [config.d_mlp], init: bias(d) },
        { name: `${b}.mlp.W_out`, shape: [config.d_mlp, d], init: weight(config.d_mlp) },
        { name: `${b}.mlp.b_out`, shape: [d], init: bias(config.d_mlp) },
      );
    }
  }
  specs.push(...norm('ln_f'));
  specs.push({
    name: 'unembed.W_U',
    shape: [d, config.classes],
    init: nanda ? { kind: 'normal', scale: 1 / Math.sqrt(config.classes) } : weight(d),
  });
  if (switches.unembed_bias) specs.push({ name: 'unembed.b_U', shape: [config.classes], init: bias(d) });
  return specs;
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Draws fresh parameters with the init distributions of model.md from our seeded RNG. */
export function initParams(config: ModelConfig, seed: number): Params {
  const rng = new Rng(seed);
  const params: Params = {};
  for (const spec of paramSpecs(config)) {
    const data = new Float32Array(sizeOf(spec.shape));
    const init = spec.init;
    for (let i = 0; i < data.length; i++) {
      if (init.kind === 'normal') data[i] = rng.normal() * init.scale;
      else if (init.kind === 'uniform') data[i] = (2 * rng.uniform() - 1) * init.bound;
      else data[i] = init.value;
    }
    params[spec.name] = data;
  }
  return params;
}

export function zerosLike(params: Params): Params {
  const out: Params = {};
  for (const [name, data] of Object.entries(params)) out[name] = new Float32Array(data.length);
  return out;
}

export function cloneParams(params: Params): Params {
  const out: Params = {};
  for (const [name, data] of Object.entries(params)) out[name] = Float32Array.from(data);
  return out;
}

/** Frobenius norm over all parameters as one vector (metrics.md "total parameter norm"), accumulated in float64. */
export function totalNorm(params: Params): number {
  let sum = 0;
  for (const data of Object.values(params)) for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
  return Math.sqrt(sum);
}

/** The Frobenius norm of each parameter by name, accumulated in float64. */
export function parameterNorms(params: Params): Record<string, number> {
  return Object.fromEntries(Object.entries(params).map(([name, data]) => [name, totalNorm({ [name]: data })]));
}

/** Checks that `params` holds exactly the parameters of `config` with the right sizes; returns the problems. */
export function checkParams(config: ModelConfig, params: Record<string, ArrayLike<number>>): string[] {
  const problems: string[] = [];
  const specs = paramSpecs(config);
  const expected = new Set(specs.map((s) => s.name));
  for (const spec of specs) {
    const data = params[spec.name];
    if (!data) problems.push(`${spec.name}: missing`);
    else if (data.length !== sizeOf(spec.shape))
      problems.push(`${spec.name}: expected ${sizeOf(spec.shape)} values (shape [${spec.shape}]), got ${data.length}`);
  }
  for (const name of Object.keys(params)) if (!expected.has(name)) problems.push(`${name}: not a parameter of this model`);
  return problems;
}
