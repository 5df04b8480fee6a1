import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('resumes exactly from a serialised state', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 50 }), (seed, skip) => {
        const rng = new Rng(seed);
        for (let i = 0; i < skip; i++) rng.uniform();
        const copy = new Rng(JSON.parse(JSON.stringify(rng.getState())));
        for (let i = 0; i < 10; i++) expect(copy.nextUint32()).toBe(rng.nextUint32());
      }),
    );
  });

  it('uniform is in [0,1) with mean 1/2 and variance 1/12', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let sum = 0, sumsq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumsq += u * u;
    }
    const mean = sum / n;
    // 5 standard errors: sd of a uniform is 0.2887.
    expect(Math.abs(mean - 0.5)).toBeLessThan((5 * 0.2887) / Math.sqrt(n));
    expect(Math.abs(sumsq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('int(n) is unbiased over small ranges (chi-square)', () => {
    const rng = new Rng(7);
    const n = 7, draws = 70_000;
    const counts = new Array(n).fill(0);
    for (let i = 0; i < draws; i++) counts[rng.int(n)]++;
    const expected = draws / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.46); // chi-square, 6 dof, p = 0.001
  });

  it('permutation is a permutation', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 200 }), (seed, n) => {
        const perm = Array.from(new Rng(seed).permutation(n)).sort((x, y) => x - y);
        expect(perm).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('rejects bad seeds', () => {
    expect(() => new Rng(-1)).toThrow(/non-negative integer/);
    expect(() => new Rng(1.5)).toThrow(/non-negative integer/);
  });
});
