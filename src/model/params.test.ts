import { describe, expect, it } from 'vitest';
import { initParams, paramSpecs, totalNorm, checkParams } from './params.js';
import { paperModel, ModelConfigSchema } from '../schema/model.js';
import { parseConfig, ConfigError } from '../schema/parse.js';
import { loadFixture } from '../replay/fixtureFile.js';

const fixtureDir = new URL('../../../shared/fixtures/reference/', import.meta.url);

/** Kolmogorov-Smirnov statistic of a sample against a CDF. */
function ksStatistic(sample: Float32Array, cdf: (x: number) => number): number {
  const xs = Array.from(sample).sort((a, b) => a - b);
  let d = 0;
  xs.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, Math.abs(f - i / xs.length), Math.abs((i + 1) / xs.length - f));
  });
  return d;
}

function normalCdf(x: number): number {
  // Abramowitz-Stegun 7.1.26 erf approximation (|error| < 1.5e-7), ample for a KS bound of ~1e-2.
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('parameters (model.md "Parameters")', () => {
  it('names and shapes match the PyTorch fixtures for every variant', () => {
    for (const name of ['add11-1l-standard', 'add11-2l-attn_only', 'add11-2l-mlp_only', 'add11-2l-standard']) {
      const f = loadFixture(new URL(`${name}.json`, fixtureDir).pathname);
      const specs = paramSpecs(f.model);
      expect(specs.map((s) => s.name)).toEqual(Object.keys(f.init));
      for (const s of specs) expect(s.shape).toEqual(f.init[s.name].shape);
    }
  });

  it('init draws N(0,1) embeddings and U(-1/sqrt(fan_in), +) linears (KS test, alpha 0.001)', () => {
    const cfg = paperModel(97);
    const params = initParams(cfg, 3);
    const ksCrit = (n: number) => 1.95 / Math.sqrt(n); // KS critical value at alpha = 0.001
    const we = params['embed.W_E'];
    expect(ksStatistic(we, normalCdf)).toBeLessThan(ksCrit(we.length));
    const win = params['blocks.0.mlp.W_in'];
    const b = 1 / Math.sqrt(128);
    expect(ksStatistic(win, (x) => Math.min(1, Math.max(0, (x + b) / (2 * b))))).toBeLessThan(ksCrit(win.length));
    expect(Math.max(...win.map(Math.abs))).toBeLessThanOrEqual(b);
    const wout = params['blocks.1.mlp.W_out'];
    const bo = 1 / Math.sqrt(512);
    expect(ksStatistic(wout, (x) => Math.min(1, Math.max(0, (x + bo) / (2 * bo))))).toBeLessThan(ksCrit(wout.length));
    expect(params['blocks.0.ln1.w'].every((v) => v === 1)).toBe(true);
    expect(params['ln_f.b'].every((v) => v === 0)).toBe(true);
    // A draw from the wrong distribution must fail the same test (the test can fail).
    expect(ksStatistic(win, normalCdf)).toBeGreaterThan(ksCrit(win.length));
  });

  it('init is seeded and the total norm is the Frobenius norm of everything', () => {
    const cfg = paperModel(11);
    const a = initParams(cfg, 1), b = initParams(cfg, 1), c = initParams(cfg, 2);
    expect(a['embed.W_E']).toEqual(b['embed.W_E']);
    expect(a['embed.W_E']).not.toEqual(c['embed.W_E']);
    let ss = 0;
    for (const v of Object.values(a)) for (const x of v) ss += x * x;
    expect(totalNorm(a)).toBeCloseTo(Math.sqrt(ss), 10);
    expect(checkParams(cfg, a)).toEqual([]);
    const broken = { ...a, 'embed.W_E': new Float32Array(3) };
    delete (broken as Record<string, Float32Array>)['ln_f.w'];
    expect(checkParams(cfg, broken)).toEqual(['embed.W_E: expected 1536 values (shape [12,128]), got 3', 'ln_f.w: missing']);
  });

  it('config errors name the field', () => {
    const bad = { ...paperModel(97), n_heads: 5, d_mlp: -1 };
    expect(() => parseConfig(ModelConfigSchema, bad, 'model')).toThrow(ConfigError);
    try {
      parseConfig(ModelConfigSchema, bad, 'model');
    } catch (e) {
      expect((e as Error).message).toMatch(/model\.d_mlp/);
    }
    expect(() => parseConfig(ModelConfigSchema, { ...paperModel(97), extra: 1 }, 'model')).toThrow(/extra/);
  });
});
