import { describe, expect, it } from 'vitest';
import { analyseInverseLambda, fitInverseLambda } from './inverseLambda.js';

describe('Delta_t = C / lambda through the origin (metrics.md "Statistics")', () => {
  it('recovers an exact law with R^2 = 1 (the paper\'s 3000/1500/1000 at lambda 1/2/3)', () => {
    const fit = fitInverseLambda([1, 2, 3], [3000, 1500, 1000]);
    expect(fit.c).toBeCloseTo(3000, 9);
    expect(fit.rSquared).toBeCloseTo(1, 12);
    expect(fit.points).toBe(3);
  });

  it('matches a hand-computed inexact fit', () => {
    // x = 1, 0.5, 0.25; C = (1000 + 300 + 50) / (1 + 0.25 + 0.0625) = 1028.571...;
    // SS_res = 11428.57..., SS_tot = 320000 about the mean 600: R^2 = 0.9642857...
    const fit = fitInverseLambda([1, 2, 4], [1000, 600, 200]);
    expect(fit.c).toBeCloseTo(1028.5714285714287, 9);
    expect(fit.rSquared).toBeCloseTo(0.9642857142857143, 12);
  });

  it('rejects bad input', () => {
    expect(() => fitInverseLambda([1], [5])).toThrow(/at least 2/);
    expect(() => fitInverseLambda([1, 0], [5, 3])).toThrow(/positive/);
    expect(() => fitInverseLambda([1, 2], [5])).toThrow(/lambdas/);
  });

  it('fits the seed-averaged Delta_t and reports the range of per-draw fits', () => {
    const draws = [
      { lambda: 1, draw: 'a', deltaT: 3200 },
      { lambda: 2, draw: 'a', deltaT: 1400 },
      { lambda: 3, draw: 'a', deltaT: 1100 },
      { lambda: 1, draw: 'b', deltaT: 2800 },
      { lambda: 2, draw: 'b', deltaT: 1600 },
      { lambda: 3, draw: 'b', deltaT: 900 },
      { lambda: 1, draw: 'c', deltaT: 3000 }, // one lambda only: no per-draw fit
    ];
    const r = analyseInverseLambda(draws);
    expect(r.means).toEqual([
      { lambda: 1, deltaT: 3000, draws: 3 },
      { lambda: 2, deltaT: 1500, draws: 2 },
      { lambda: 3, deltaT: 1000, draws: 2 },
    ]);
    expect(r.averaged.c).toBeCloseTo(3000, 9);
    expect(r.averaged.rSquared).toBeCloseTo(1, 12);
    expect(r.perDraw.map((d) => d.draw)).toEqual(['a', 'b']);
    const fa = fitInverseLambda([1, 2, 3], [3200, 1400, 1100]);
    const fb = fitInverseLambda([1, 2, 3], [2800, 1600, 900]);
    expect(r.cRange).toEqual([Math.min(fa.c, fb.c), Math.max(fa.c, fb.c)]);
    expect(r.rSquaredRange).toEqual([Math.min(fa.rSquared, fb.rSquared), Math.max(fa.rSquared, fb.rSquared)]);
    expect(fa.rSquared).toBeLessThan(1);
  });
});
