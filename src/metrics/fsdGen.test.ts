import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../random/rng.js';
import { makeTask } from '../tasks/task.js';
import { SymmetricGroup } from '../tasks/symmetric.js';
import { fourierFsd } from './fsd.js';
import { gaussianNull, summariseNull } from './fsdNull.js';
import { groupBasis, groupFsd } from './fsdGen.js';
import { cyclicRealIrreps, symmetricIrreps, type Irrep } from './irreps.js';
import { binCount } from './spectralBasis.js';
import { syntheticAdditionUnits } from './testing/syntheticUnits.js';

const s5 = new SymmetricGroup(5);
const s5Irreps = symmetricIrreps(s5);
const s5Task = makeTask('sym', 5);

/**
 * Activations on the S5 grid: unit j responds to the answer c as tr(M_j rho_j(c)) for a random M_j in its
 * irrep rho_j (so that irrep carries all of its non-DC energy), plus operand-only terms (DC on the full grid)
 * and an affine change.
 */
function plantedS5(irrepOfUnit: number[], seed: number): Float64Array {
  const rng = new Rng(seed);
  const units = irrepOfUnit.length;
  const order = s5.order;
  const response = new Float64Array(units * order);
  const opA = Float64Array.from({ length: units * order }, () => rng.normal());
  const opB = Float64Array.from({ length: units * order }, () => rng.normal());
  irrepOfUnit.forEach((which, j) => {
    const irrep = s5Irreps[which];
    const dd = irrep.dim * irrep.dim;
    const M = Float64Array.from({ length: dd }, () => rng.normal());
    for (let c = 0; c < order; c++) {
      let tr = 0;
      for (let e = 0; e < dd; e++) tr += M[e] * irrep.matrices[c * dd + e];
      response[j * order + c] = tr;
    }
  });
  const acts = new Float64Array(s5Task.gridSize * units);
  for (let g = 0; g < order; g++)
    for (let h = 0; h < order; h++) {
      const row = g * order + h;
      const c = s5Task.labels[row];
      for (let j = 0; j < units; j++) acts[row * units + j] = 3 * (response[j * order + c] + opA[j * order + g] + opB[j * order + h]) - 1;
    }
  return acts;
}

describe('FSD_gen (metrics.md "FSD_gen")', () => {
  it('equals FSD for Z_p with its real rotation irreps (and the sign irrep for even p)', () => {
    fc.assert(
      fc.property(fc.constantFrom(5, 7, 8, 11, 12, 13), fc.nat(), fc.nat(), (p, n, seed) => {
        const rng = new Rng(n);
        const dominant = Array.from({ length: 1 + (n % 12) }, () => 1 + rng.int(Math.floor(p / 2)));
        const { activations, labels } = syntheticAdditionUnits(p, dominant, seed);
        const units = dominant.length;
        const plain = fourierFsd(activations, units, labels, p);
        const gen = groupFsd(activations, units, labels, cyclicRealIrreps(p));
        expect(gen.fsd).toBe(plain.fsd);
        expect(Array.from(gen.dominant)).toEqual(Array.from(plain.dominant));
        // the Z_p power spectra agree up to the normalisation: P_gen(rot k) / 4 = |F(k)|^2 / p
        for (let i = 0; i < plain.power.length; i++) {
          const k = 1 + (i % Math.floor(p / 2));
          const d = 2 * k === p ? 1 : 2;
          expect(gen.power[i] / (d * d)).toBeCloseTo(plain.power[i] / p, 8);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('finds the planted irrep of each S5 unit and its sync', () => {
    const plan = [1, 2, 3, 4, 5, 6, 3, 3, 3, 1];
    const r = groupFsd(plantedS5(plan, 1), plan.length, s5Task.labels, s5Irreps);
    expect(Array.from(r.dominant, (b) => r.basis.binLabels[b])).toEqual(plan);
    expect(r.topIrrep).toBe(3);
    // par(311) = 4/10 over 6 non-trivial irreps: (0.4 - 1/6) / (5/6) = 0.28
    expect(r.fsd).toBeCloseTo(0.28, 14);
    expect(groupFsd(plantedS5([2, 2, 2, 2], 2), 4, s5Task.labels, s5Irreps).fsd).toBe(1);
    expect(groupFsd(plantedS5([1, 2, 3, 4, 5, 6], 3), 6, s5Task.labels, s5Irreps).fsd).toBe(0);
  });

  it('is invariant to relabellings that preserve S5: translation c -> x.c and conjugation c -> x.c.x^-1', () => {
    const inverse = (x: number) => [...Array(s5.order).keys()].find((y) => s5.multiply(x, y) === 0)!;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 0, max: 119 }), (plan, seed, x) => {
        const acts = plantedS5(plan, seed);
        const base = groupFsd(acts, plan.length, s5Task.labels, s5Irreps);
        const xi = inverse(x);
        const translated = Int32Array.from(s5Task.labels, (c) => s5.multiply(x, c));
        const conjugated = Int32Array.from(s5Task.labels, (c) => s5.multiply(s5.multiply(x, c), xi));
        for (const labels of [translated, conjugated]) {
          const r = groupFsd(acts, plan.length, labels, s5Irreps);
          expect(r.fsd).toBe(base.fsd);
          expect(Array.from(r.dominant)).toEqual(Array.from(base.dominant));
        }
      }),
      { numRuns: 15 },
    );
  });

  it('rejects irreps of different group orders and needs a non-trivial irrep per bin', () => {
    const bad: Irrep[] = [s5Irreps[0], { name: 'x', dim: 2, matrices: new Float64Array(7) }];
    expect(() => groupBasis(bad)).toThrow(/matrices/);
    const basis = groupBasis(s5Irreps);
    expect(binCount(basis)).toBe(6);
    expect(basis.columns).toBe(119);
    expect(basis.binLabels).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('Gaussian null on S5 sits near 0.10 with the d^2-normalised ranking (the sign irreps win more often)', () => {
    const basis = groupBasis(s5Irreps);
    const nul = gaussianNull(240, new Int32Array(120).fill(120), basis, { replicates: 60, seed: 7 });
    const s = summariseNull(0.5, nul.values);
    // The 1-dimensional sign irrep's P/d^2 is a chi-square with 1 degree of freedom, heavier-tailed than the
    // others' (d^2 degrees of freedom): it is the top irrep of ~25% of units, so FSD_gen ~ (0.25 - 1/6)/(5/6).
    expect(s.null_mean).toBeGreaterThan(0.06);
    expect(s.null_mean).toBeLessThan(0.14);
    expect(s.p_value).toBeCloseTo(1 / 61, 15);
  });
});
