import { describe, expect, it } from 'vitest';
import { fourierRanks, unitFourierRank } from './fourierRank.js';
import { fourierFsd } from './fsd.js';

describe('Fourier rank (metrics.md "Median Fourier rank")', () => {
  it('counts the fewest largest powers that reach 90% of the energy', () => {
    expect(unitFourierRank([0, 5, 0, 0])).toBe(1);
    expect(unitFourierRank([0.05, 0.6, 0.35])).toBe(2);
    expect(unitFourierRank([0.2, 0.5, 0.3])).toBe(3);
    // exactly 90% counts as reached
    expect(unitFourierRank([0.9, 0.1].map((v) => v * 4))).toBe(1);
    expect(unitFourierRank([0.5, 0.3, 0.2], 0.5)).toBe(1);
  });

  it('takes the median over counted units and the rank-1 fraction', () => {
    // three units of 2 bins: ranks 1, 2, 1; the fourth is left out
    const power = Float64Array.from([1, 0, 0.5, 0.5, 0, 3, 0.7, 0.3]);
    const s = fourierRanks(power, 4, [1, 1, 1, 0]);
    expect(Array.from(s.ranks)).toEqual([1, 2, 1, 0]);
    expect(s.medianRank).toBe(1);
    expect(s.rank1Fraction).toBeCloseTo(2 / 3, 15);
    // an even count takes the mean of the middle two
    expect(fourierRanks(power, 4, [0, 1, 1, 0]).medianRank).toBe(1.5);
    expect(fourierRanks(power, 4, [0, 0, 0, 0])).toEqual({ ranks: new Int32Array(4), medianRank: null, rank1Fraction: 0 });
  });

  it('is 1 for a pure single-frequency unit and 2 for an equal mix of two frequencies', () => {
    const p = 11;
    const pure = new Float64Array(p * p * 2);
    const labels = new Int32Array(p * p);
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const s = (a + b) % p;
        labels[a * p + b] = s;
        pure[(a * p + b) * 2] = Math.cos((2 * Math.PI * 2 * s) / p);
        pure[(a * p + b) * 2 + 1] = Math.cos((2 * Math.PI * 2 * s) / p) + Math.sin((2 * Math.PI * 4 * s) / p);
      }
    const r = fourierFsd(pure, 2, labels, p);
    const s = fourierRanks(r.power, 2, [1, 1]);
    expect(Array.from(s.ranks)).toEqual([1, 2]);
  });
});
