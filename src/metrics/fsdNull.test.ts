import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { SymmetricGroup } from '../tasks/symmetric.js';
import { fourierFsd } from './fsd.js';
import { groupBasis } from './fsdGen.js';
import { symmetricIrreps } from './irreps.js';
import { gaussianNull, permutationNull, summariseNull } from './fsdNull.js';
import { nullHistogramsNative, nullHistogramsTs, replicateStates, type NullProblem } from './nullKernel.js';
import { binCount, cyclicBasis, type SpectralBasis } from './spectralBasis.js';
import { syntheticAdditionUnits } from './testing/syntheticUnits.js';

/** A basis without fold, with scattered bin columns and non-unit weights: exercises every path of the kernel. */
function randomBasis(size: number, columns: number, bins: number, seed: number): SpectralBasis {
  const rng = new Rng(seed);
  const table = Float64Array.from({ length: size * columns }, () => (rng.uniform() < 0.2 ? 0 : rng.normal()));
  const order = Array.from(rng.permutation(columns));
  const binOffset = new Int32Array(bins + 1);
  for (let b = 0; b < bins; b++) binOffset[b + 1] = Math.round(((b + 1) * columns) / bins);
  return {
    size,
    columns,
    table,
    binOffset,
    binColumns: Int32Array.from(order),
    powerWeight: Float64Array.from({ length: bins }, () => 0.5 + rng.uniform()),
    rankDivisor: Float64Array.from({ length: bins }, (_, b) => (b % 2 === 0 ? 1 : 1 + (b % 5))),
    binLabels: Array.from({ length: bins }, (_, b) => b),
  };
}

function problems(): { name: string; problem: NullProblem }[] {
  const out: { name: string; problem: NullProblem }[] = [];
  const cases: [string, SpectralBasis, number][] = [
    ['Z_11', cyclicBasis(11), 9],
    ['Z_12', cyclicBasis(12), 6],
    ['Z_31', cyclicBasis(31), 13],
    ['generic 24x37 in 7 bins', randomBasis(24, 37, 7, 3), 10],
    ['S5 irreps', groupBasis(symmetricIrreps(new SymmetricGroup(5))), 5],
  ];
  for (const [name, basis, units] of cases) {
    const rng = new Rng(units);
    const centred = Float64Array.from({ length: units * basis.size }, () => rng.normal());
    const states = replicateStates(units * 7, 40);
    out.push({ name: `${name} permutation`, problem: { kind: 'permutation', basis, units, centred, states } });
    const answerScale = Float64Array.from({ length: basis.size }, (_, s) => (s === 2 ? 0 : 1 / Math.sqrt(1 + (s % 4))));
    out.push({ name: `${name} gaussian`, problem: { kind: 'gaussian', basis, units, answerScale, states } });
  }
  return out;
}

describe('null kernels (metrics.md "Permutation test for FSD")', () => {
  it('native and TypeScript kernels give identical histograms, whatever the thread count', () => {
    for (const { name, problem } of problems()) {
      const reference = nullHistogramsTs(problem);
      const bins = binCount(problem.basis);
      for (let r = 0; r < reference.length / bins; r++) {
        let total = 0;
        for (let b = 0; b < bins; b++) total += reference[r * bins + b];
        expect(total, name).toBe(problem.units);
      }
      for (const threads of [1, 2, 3]) expect(Array.from(nullHistogramsNative(problem, threads)), `${name}, ${threads} threads`).toEqual(Array.from(reference));
    }
  });

  it('draws per-replicate states from the seed, never all zero', () => {
    const a = replicateStates(5, 10);
    expect(a.length).toBe(40);
    expect(Array.from(replicateStates(5, 10))).toEqual(Array.from(a));
    expect(Array.from(replicateStates(6, 10))).not.toEqual(Array.from(a));
    for (let r = 0; r < 10; r++) expect(a.subarray(4 * r, 4 * r + 4).some((w) => w !== 0)).toBe(true);
  });

  it('rejects inconsistent problems', () => {
    const basis = cyclicBasis(5);
    const states = replicateStates(1, 2);
    expect(() => nullHistogramsTs({ kind: 'permutation', basis, units: 2, centred: new Float64Array(9), states })).toThrow(/centred/);
    expect(() => nullHistogramsNative({ kind: 'permutation', basis, units: 2, centred: new Float64Array(9), states })).toThrow(/centred/);
    expect(() => nullHistogramsTs({ kind: 'gaussian', basis, units: 2, states })).toThrow(/answerScale/);
    const nan = new Float64Array(10).fill(NaN);
    expect(() => nullHistogramsTs({ kind: 'permutation', basis, units: 2, centred: nan, states })).toThrow(/finite/);
  });
});

describe('permutation and Gaussian nulls of FSD', () => {
  const p = 13;
  const synced = syntheticAdditionUnits(p, [3, 3, 3, 3, 3, 3, 5, 3, 3, 3, 1, 3], 11, [6]);
  const observed = fourierFsd(synced.activations, 12, synced.labels, p);

  it('gives the smallest p-value to strongly synchronised units and a null near chance', () => {
    const counted = Array.from(observed.dominant, (d) => d >= 0);
    const nul = permutationNull(observed.centred, counted, observed.basis, { replicates: 200, seed: 4 });
    expect(nul.values.length).toBe(200);
    const summary = summariseNull(observed.fsd, nul.values);
    expect(summary.p_value).toBeCloseTo(1 / 201, 15);
    expect(summary.null_mean).toBeLessThan(0.4);
    // The silent unit stays out of every replicate: each histogram counts the 11 others.
    const bins = binCount(observed.basis);
    for (let r = 0; r < 200; r++) expect(nul.histograms.subarray(r * bins, (r + 1) * bins).reduce((a, b) => a + b, 0)).toBe(11);
  });

  it('is deterministic for a seed and agrees between kernels', () => {
    const counted = Array.from(observed.dominant, (d) => d >= 0);
    const a = permutationNull(observed.centred, counted, observed.basis, { replicates: 50, seed: 9, kernel: 'native' });
    const b = permutationNull(observed.centred, counted, observed.basis, { replicates: 50, seed: 9, kernel: 'typescript' });
    const c = permutationNull(observed.centred, counted, observed.basis, { replicates: 50, seed: 10 });
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(Array.from(c.values)).not.toEqual(Array.from(a.values));
  });

  it('leaves a no-signal input with an all-zero null and p-value 1', () => {
    const basis = cyclicBasis(p);
    const nul = permutationNull(new Float64Array(3 * p), [0, 0, 0], basis, { replicates: 20 });
    expect(Array.from(nul.values)).toEqual(new Array(20).fill(0));
    expect(summariseNull(0, nul.values).p_value).toBe(1);
  });

  it('Gaussian null: chance-level FSD for many units, histograms of all units', () => {
    const basis = cyclicBasis(31);
    const nul = gaussianNull(200, new Int32Array(31).fill(31), basis, { replicates: 100, seed: 2 });
    const bins = binCount(basis);
    for (let r = 0; r < 100; r++) expect(nul.histograms.subarray(r * bins, (r + 1) * bins).reduce((a, b) => a + b, 0)).toBe(200);
    const s = summariseNull(0.5, nul.values);
    // 200 units over 15 frequencies: the top bin holds ~ 13 + 2.5 sd ~ 22 units, FSD ~ 0.05.
    expect(s.null_mean).toBeGreaterThan(0.01);
    expect(s.null_mean).toBeLessThan(0.12);
    expect(s.p_value).toBeCloseTo(1 / 101, 15);
  });
});

describe('summariseNull', () => {
  it('computes (1 + #{null >= obs}) / (1 + B), the mean and the type-7 95th percentile', () => {
    const s = summariseNull(0.5, Float64Array.from([0.1, 0.5, 0.7, 0.2]));
    expect(s.p_value).toBeCloseTo(3 / 5, 15);
    expect(s.null_mean).toBeCloseTo(0.375, 15);
    // sorted [0.1, 0.2, 0.5, 0.7], index 3 * 0.95 = 2.85: 0.5 + 0.85 * 0.2
    expect(s.null_q95).toBeCloseTo(0.67, 14);
    expect(s.replicates).toBe(4);
  });
});
