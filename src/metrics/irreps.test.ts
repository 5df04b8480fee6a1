import { describe, expect, it } from 'vitest';
import { SymmetricGroup } from '../tasks/symmetric.js';
import { character, cyclicRealIrreps, isTrivial, partitions, standardTableaux, symmetricIrreps, type Irrep } from './irreps.js';

function matrix(irrep: Irrep, g: number): Float64Array {
  const dd = irrep.dim * irrep.dim;
  return irrep.matrices.subarray(g * dd, (g + 1) * dd);
}

function maxHomomorphismError(irrep: Irrep, order: number, multiply: (g: number, h: number) => number): number {
  const d = irrep.dim;
  let worst = 0;
  for (let g = 0; g < order; g++) {
    const A = matrix(irrep, g);
    for (let h = 0; h < order; h++) {
      const B = matrix(irrep, h);
      const C = matrix(irrep, multiply(g, h));
      for (let r = 0; r < d; r++)
        for (let c = 0; c < d; c++) {
          let sum = 0;
          for (let k = 0; k < d; k++) sum += A[r * d + k] * B[k * d + c];
          worst = Math.max(worst, Math.abs(sum - C[r * d + c]));
        }
    }
  }
  return worst;
}

function maxOrthogonalityError(irrep: Irrep, order: number): number {
  const d = irrep.dim;
  let worst = 0;
  for (let g = 0; g < order; g++) {
    const A = matrix(irrep, g);
    for (let r = 0; r < d; r++)
      for (let c = 0; c < d; c++) {
        let sum = 0;
        for (let k = 0; k < d; k++) sum += A[k * d + r] * A[k * d + c];
        worst = Math.max(worst, Math.abs(sum - (r === c ? 1 : 0)));
      }
  }
  return worst;
}

describe('partitions and standard Young tableaux', () => {
  it('lists the partitions of 5 in the order of metrics.md', () => {
    expect(partitions(5).map((p) => p.join(''))).toEqual(['5', '41', '32', '311', '221', '2111', '11111']);
    expect(partitions(4)).toHaveLength(5);
    expect(partitions(6)).toHaveLength(11);
  });

  it('counts tableaux by the hook length formula', () => {
    expect(standardTableaux([3, 2]).length).toBe(5);
    expect(standardTableaux([3, 1, 1]).length).toBe(6);
    expect(standardTableaux([4, 2]).length).toBe(9);
    expect(standardTableaux([3, 2, 1]).length).toBe(16);
  });
});

describe('irreps of S_n by Young\'s orthogonal form', () => {
  for (const n of [3, 4, 5]) {
    const group = new SymmetricGroup(n);
    const irreps = symmetricIrreps(group);
    const mult = (g: number, h: number) => group.multiply(g, h);

    it(`S_${n}: homomorphisms with orthogonal matrices`, () => {
      for (const irrep of irreps) {
        expect(maxHomomorphismError(irrep, group.order, mult), irrep.name).toBeLessThan(1e-12);
        expect(maxOrthogonalityError(irrep, group.order), irrep.name).toBeLessThan(1e-12);
      }
    });

    it(`S_${n}: dimensions square-sum to n! and characters are orthonormal`, () => {
      expect(irreps.reduce((s, r) => s + r.dim * r.dim, 0)).toBe(group.order);
      const chars = irreps.map(character);
      for (let a = 0; a < irreps.length; a++)
        for (let b = 0; b < irreps.length; b++) {
          let inner = 0;
          for (let g = 0; g < group.order; g++) inner += chars[a][g] * chars[b][g];
          expect(inner / group.order, `<chi_${irreps[a].name}, chi_${irreps[b].name}>`).toBeCloseTo(a === b ? 1 : 0, 12);
        }
    });
  }

  it('S5 has 7 irreps of dimensions 1,4,5,6,5,4,1: the trivial first, the sign last', () => {
    const group = new SymmetricGroup(5);
    const irreps = symmetricIrreps(group);
    expect(irreps.map((r) => r.dim)).toEqual([1, 4, 5, 6, 5, 4, 1]);
    expect(isTrivial(irreps[0])).toBe(true);
    expect(irreps.slice(1).some(isTrivial)).toBe(false);
    // the sign character: +1 on even, -1 on odd permutations (a transposition is odd)
    const sign = character(irreps[6]);
    expect(sign[group.indexOf([1, 0, 2, 3, 4])]).toBe(-1);
    expect(sign[group.indexOf([1, 2, 0, 3, 4])]).toBe(1);
  });
});

describe('real irreps of Z_p', () => {
  for (const p of [7, 8]) {
    it(`Z_${p}: trivial, rotations and (even p) the sign; homomorphisms, orthogonal, <chi, chi> = 1 or 2`, () => {
      const irreps = cyclicRealIrreps(p);
      const add = (s: number, t: number) => (s + t) % p;
      for (const irrep of irreps) {
        expect(maxHomomorphismError(irrep, p, add), irrep.name).toBeLessThan(1e-12);
        expect(maxOrthogonalityError(irrep, p), irrep.name).toBeLessThan(1e-12);
      }
      expect(irreps.map((r) => r.name)).toEqual(p === 7 ? ['trivial', 'rot 1', 'rot 2', 'rot 3'] : ['trivial', 'rot 1', 'rot 2', 'rot 3', 'sign']);
      // real irreps of complex type have <chi, chi> = 2 (a rotation is two complex characters)
      const chars = irreps.map(character);
      for (let a = 0; a < irreps.length; a++) {
        let inner = 0;
        for (let s = 0; s < p; s++) inner += chars[a][s] * chars[a][s];
        expect(inner / p).toBeCloseTo(irreps[a].dim === 2 ? 2 : 1, 12);
      }
    });
  }
});
