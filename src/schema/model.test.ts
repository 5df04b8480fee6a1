/**
 * The model switches of model.md ("Model switches") in the config schema: defaults are dropped from the parsed
 * config, so old run ids stand; a switch away from its default names another run; bad values say what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { paramSpecs } from '../model/params.js';
import { ModelConfigSchema, modelSwitches, nandaModel, OptimizerConfigSchema, paperModel, warmedLr } from './model.js';
import { parseConfig, ConfigError } from './parse.js';
import { paperRunConfig, runIdOf } from './runConfig.js';

const nanda = nandaModel(113);

describe('model switches', () => {
  it('drop out of the parsed config at their defaults, and are read back with modelSwitches', () => {
    const parsed = ModelConfigSchema.parse({ ...paperModel(97), norm: 'layernorm', act: 'gelu', attn_bias: true, init: 'pytorch' });
    expect(parsed).toEqual(paperModel(97));
    expect(modelSwitches(parsed)).toEqual({ norm: 'layernorm', act: 'gelu', attn_bias: true, unembed_bias: true, init: 'pytorch', loss_precision: 'f32' });
    expect(OptimizerConfigSchema.parse({ warmup_steps: 0 })).toEqual(OptimizerConfigSchema.parse({}));
  });

  it('name another run when away from their defaults, and the same run when spelled out at them', () => {
    const base = paperRunConfig(97, 1);
    const spelled = { ...base, model: { ...base.model, norm: 'layernorm' as const, unembed_bias: true }, optimizer: { ...base.optimizer, warmup_steps: 0 } };
    expect(runIdOf(spelled)).toBe(runIdOf(base));
    const ids = new Set([
      runIdOf(base),
      runIdOf({ ...base, model: { ...base.model, norm: 'none' } }),
      runIdOf({ ...base, model: { ...base.model, act: 'relu' } }),
      runIdOf({ ...base, model: { ...base.model, attn_bias: false } }),
      runIdOf({ ...base, optimizer: { ...base.optimizer, warmup_steps: 10 } }),
      runIdOf({ ...base, batch_size: 'full' }),
    ]);
    expect(ids.size).toBe(6);
  });

  it('refuse unknown values by name', () => {
    expect(() => parseConfig(ModelConfigSchema, { ...paperModel(97), norm: 'rmsnorm' }, 'model')).toThrow(ConfigError);
    expect(() => parseConfig(ModelConfigSchema, { ...paperModel(97), norm: 'rmsnorm' }, 'model')).toThrow(/norm/);
    expect(() => parseConfig(OptimizerConfigSchema, { warmup_steps: -1 }, 'optimizer')).toThrow(/warmup_steps/);
  });

  it("remove the parameters model.md says, and keep the others' order", () => {
    const names = paramSpecs(ModelConfigSchema.parse(nanda)).map((s) => s.name);
    expect(names).toEqual([
      'embed.W_E', 'embed.W_pos',
      'blocks.0.attn.W_Q', 'blocks.0.attn.W_K', 'blocks.0.attn.W_V', 'blocks.0.attn.W_O',
      'blocks.0.mlp.W_in', 'blocks.0.mlp.b_in', 'blocks.0.mlp.W_out', 'blocks.0.mlp.b_out',
      'unembed.W_U',
    ]);
  });

  it("give Nanda et al.'s init scales: weights N(0, 1/d_model), W_U N(0, 1/classes), biases 0", () => {
    for (const spec of paramSpecs(ModelConfigSchema.parse(nanda))) {
      const expected = spec.name === 'unembed.W_U' ? { kind: 'normal', scale: 1 / Math.sqrt(114) } : spec.name.includes('.b_') ? { kind: 'const', value: 0 } : { kind: 'normal', scale: 1 / Math.sqrt(128) };
      expect(spec.init, spec.name).toEqual(expected);
    }
  });

  it("warm up as PyTorch's LambdaLR: the k-th update uses lr * min((k - 1) / N, 1)", () => {
    const opt = OptimizerConfigSchema.parse({ lr: 1e-3, warmup_steps: 10 });
    expect([1, 2, 6, 11, 12, 500].map((k) => warmedLr(opt, k))).toEqual([0, 1e-3 * 0.1, 1e-3 * 0.5, 1e-3, 1e-3, 1e-3]);
    expect(warmedLr(OptimizerConfigSchema.parse({ lr: 1e-3 }), 1)).toBe(1e-3);
  });
});
