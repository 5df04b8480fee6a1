import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { bootstrapMeanCi, bootstrapSlopeCi, carriesInterval, clusterBootstrapMeanCi, clusterMeans } from './bootstrap.js';

describe('percentile bootstrap of the mean (metrics.md "Statistics")', () => {
  it('is exact where the resampling distribution is known', () => {
    // Two values {0, 1}: resampled means are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4.
    const ci = bootstrapMeanCi([0, 1], { resamples: 20_000, seed: 1 });
    expect([ci.estimate, ci.lower, ci.upper]).toEqual([0.5, 0, 1]);
    // The 30% and 70% quantiles both fall in the middle atom.
    const narrow = bootstrapMeanCi([0, 1], { resamples: 20_000, seed: 1, level: 0.4 });
    expect([narrow.lower, narrow.upper]).toEqual([0.5, 0.5]);
    expect(bootstrapMeanCi([7, 7, 7], { resamples: 100 })).toMatchObject({ estimate: 7, lower: 7, upper: 7 });
  });

  it('approaches the normal interval mean +- 1.96 s / sqrt(n) for a large sample', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 200 }, () => 10 + 2 * rng.normal());
    const ci = bootstrapMeanCi(xs, { resamples: 10_000, seed: 5 });
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    const half = (1.96 * sd) / Math.sqrt(xs.length);
    expect(ci.estimate).toBeCloseTo(m, 12);
    expect(Math.abs(ci.lower - (m - half))).toBeLessThan(0.1 * half);
    expect(Math.abs(ci.upper - (m + half))).toBeLessThan(0.1 * half);
  });

  it('is deterministic for a seed, with B = 100000 by default', () => {
    // irregular values, so that different resamples give different quantiles (round leads share atoms)
    const leads = [512.5, 3001.25, 1187.75, 733.5, 905.125, 2468.0625, 1533.25, 1021.5, 817.875];
    const a = bootstrapMeanCi(leads, { seed: 42 });
    expect(a.resamples).toBe(100_000);
    expect(bootstrapMeanCi(leads, { seed: 42 })).toEqual(a);
    expect(bootstrapMeanCi(leads, { seed: 43 })).not.toEqual(a);
    expect(a.lower).toBeLessThan(a.estimate);
    expect(a.upper).toBeGreaterThan(a.estimate);
  });

  it('clusters: averages within cluster, then resamples the cluster means', () => {
    expect(clusterMeans([1, 2, 3, 10, 20], ['a', 'a', 'a', 'b', 'b'])).toEqual([2, 15]);
    const ci = clusterBootstrapMeanCi([1, 2, 3, 10, 20], ['a', 'a', 'a', 'b', 'b'], { resamples: 20_000, seed: 2 });
    // resampled means of {2, 15}: 2, 8.5, 15
    expect([ci.estimate, ci.lower, ci.upper]).toEqual([8.5, 2, 15]);
    expect(() => clusterMeans([1, 2], ['a'])).toThrow(/cluster labels/);
  });

  it('rejects empty or non-finite input and bad options', () => {
    expect(() => bootstrapMeanCi([])).toThrow(/at least one/);
    expect(() => bootstrapMeanCi([1, NaN])).toThrow(/finite/);
    expect(() => bootstrapMeanCi([1, 2], { level: 1 })).toThrow(/level/);
    expect(() => bootstrapMeanCi([1, 2], { resamples: 0 })).toThrow(/resamples/);
  });
});

describe('carriesInterval', () => {
  it('needs the extreme resample to be rarer than the tail', () => {
    expect(carriesInterval(3)).toBe(false);
    expect(carriesInterval(4)).toBe(true);
    expect(carriesInterval(1)).toBe(false);
    // At 99% the tail is 0.005: 4^-4 = 0.0039 still fits, 3 does not.
    expect(carriesInterval(4, 0.99)).toBe(true);
    expect(carriesInterval(3, 0.99)).toBe(false);
  });

  it('agrees with the bootstrap: below the bound the interval is the range of the values', () => {
    const three = [1, 5, 9];
    const ci = bootstrapMeanCi(three, { resamples: 20000, seed: 1 });
    expect([ci.lower, ci.upper]).toEqual([1, 9]);
    const four = bootstrapMeanCi([1, 5, 9, 13], { resamples: 20000, seed: 1 });
    expect(four.lower).toBeGreaterThan(1);
    expect(four.upper).toBeLessThan(13);
  });
});

describe('bootstrapSlopeCi', () => {
  it('recovers an exact line and brackets a noisy one', () => {
    const x = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5];
    const exact = bootstrapSlopeCi(x, x.map((v) => 3 - 2 * v), { resamples: 2000 });
    expect(exact.estimate).toBeCloseTo(-2, 12);
    expect(exact.lower).toBeCloseTo(-2, 9);
    expect(exact.upper).toBeCloseTo(-2, 9);
    const rng = new Rng(3);
    const noisy = bootstrapSlopeCi(x, x.map((v) => 1 + 0.5 * v + (rng.uniform() - 0.5)), { resamples: 5000 });
    expect(noisy.lower).toBeLessThan(0.5);
    expect(noisy.upper).toBeGreaterThan(0.5);
    expect(noisy.lower).toBeGreaterThan(0);
  });

  it('refuses data without two distinct x and counts resamples that draw one x', () => {
    expect(() => bootstrapSlopeCi([2, 2, 2], [1, 2, 3])).toThrow(/two distinct/);
    const ci = bootstrapSlopeCi([0, 1], [0, 1], { resamples: 1000 });
    // Two points: half the resamples draw one of them twice.
    expect(ci.degenerate).toBeGreaterThan(400);
    expect(ci.degenerate).toBeLessThan(600);
  });
});
