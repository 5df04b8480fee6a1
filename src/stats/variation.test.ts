import { describe, expect, it } from 'vitest';
import { coefficientOfVariation } from './variation.js';

describe('coefficient of variation (metrics.md "Statistics")', () => {
  it('is the sample standard deviation over the mean', () => {
    // sd of 1..4 with n - 1 is sqrt(5/3) = 1.29099...; / 2.5
    expect(coefficientOfVariation([1, 2, 3, 4])).toBeCloseTo(0.5163977794943222, 14);
    expect(coefficientOfVariation([23.5, 23.5, 23.5])).toBe(0);
    // norms at grokking 20, 25, 30: sd 5, mean 25
    expect(coefficientOfVariation([20, 25, 30])).toBeCloseTo(0.2, 14);
  });

  it('needs two finite values', () => {
    expect(() => coefficientOfVariation([3])).toThrow(/at least 2/);
    expect(() => coefficientOfVariation([3, NaN])).toThrow(/finite/);
  });
});
