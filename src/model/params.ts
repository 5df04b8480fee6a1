/**
 * Parameter names, shapes and initialisation exactly as shared/spec/model.md ("Parameters").
 * Every weight is stored [in, out], row-major, applied as x @ W + b.
 */
import type { ModelConfig } from '../schema/model.js';
import { Rng } from '../random/rng.js';

export type Params = Record<string, Float32Array>;

export type InitRule =
  | { kind: 'normal' } // N(0, 1)
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

/** The parameters of a model, in the canonical order of model.md (the order used for norms and state files). */
export function paramSpecs(config: ModelConfig): ParamSpec[] {
  const d = config.d_model;
  const inD = { kind: 'uniform', bound: 1 / Math.sqrt(d) } as const;
  const inMlp = { kind: 'uniform', bound: 1 / Math.sqrt(config.d_mlp) } as const;
  const one = { kind: 'const', value: 1 } as const;
  const zero = { kind: 'const', value: 0 } as const;
  const specs: ParamSpec[] = [
    { name: 'embed.W_E', shape: [config.vocab, d], init: { kind: 'normal' } },
    { name: 'embed.W_pos', shape: [3, d], init: { kind: 'normal' } },
  ];
  for (let l = 0; l < config.n_layers; l++) {
    const b = `blocks.${l}`;
    if (blockHasAttention(config)) {
      specs.push({ name: `${b}.ln1.w`, shape: [d], init: one }, { name: `${b}.ln1.b`, shape: [d], init: zero });
      for (const m of ['Q', 'K', 'V', 'O']) {
        specs.push({ name: `${b}.attn.W_${m}`, shape: [d, d], init: inD }, { name: `${b}.attn.b_${m}`, shape: [d], init: inD });
      }
    }
    if (blockHasMlp(config)) {
      specs.push(
        { name: `${b}.ln2.w`, shape: [d], init: one },
        { name: `${b}.ln2.b`, shape: [d], init: zero },
        { name: `${b}.mlp.W_in`, shape: [d, config.d_mlp], init: inD },
        { name: `${b}.mlp.b_in`, shape: [config.d_mlp], init: inD },
        { name: `${b}.mlp.W_out`, shape: [config.d_mlp, d], init: inMlp },
        { name: `${b}.mlp.b_out`, shape: [d], init: inMlp },
      );
    }
  }
  specs.push(
    { name: 'ln_f.w', shape: [d], init: one },
    { name: 'ln_f.b', shape: [d], init: zero },
    { name: 'unembed.W_U', shape: [d, config.classes], init: inD },
    { name: 'unembed.b_U', shape: [config.classes], init: inD },
  );
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
      if (init.kind === 'normal') data[i] = rng.normal();
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
