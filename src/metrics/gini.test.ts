import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gini } from './gini.js';

// Values in thousandths from 0 to 1000: a scaled vector stays clear of underflow (fast-check once drew
// [0, 5e-324], which a scale of 0.001 turns into [0, 0], a different vector).
const vector = fc.array(fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1000), { minLength: 1, maxLength: 60 });

describe('gini (Hurley & Rickard; progress-measures claims.md §2.7)', () => {
  it('is 0 for a constant vector and 1 - 1/N for one non-zero entry', () => {
    expect(gini([2, 2, 2, 2])).toBeCloseTo(0, 12);
    expect(gini([0, 0, 5, 0, 0])).toBeCloseTo(1 - 1 / 5, 12);
    expect(gini([0, 0, 0])).toBe(0);
  });

  it('equals the closed form 2 sum_i i c_(i) / (N sum c) - (N + 1) / N', () => {
    fc.assert(
      fc.property(vector, (c) => {
        const sorted = [...c].sort((a, b) => a - b);
        const n = c.length;
        const total = sorted.reduce((s, x) => s + x, 0);
        fc.pre(total > 1e-9);
        const closed = (2 * sorted.reduce((s, x, i) => s + (i + 1) * x, 0)) / (n * total) - (n + 1) / n;
        expect(gini(c)).toBeCloseTo(closed, 9);
      }),
    );
  });

  it('lies in [0, 1 - 1/N], and ignores order and scale', () => {
    fc.assert(
      fc.property(vector, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (c, scale) => {
        const g = gini(c);
        expect(g).toBeGreaterThanOrEqual(-1e-12);
        expect(g).toBeLessThanOrEqual(1 - 1 / c.length + 1e-12);
        expect(gini([...c].reverse())).toBeCloseTo(g, 9);
        expect(gini(c.map((x) => x * scale))).toBeCloseTo(g, 9);
      }),
    );
  });

  it('refuses negative values and empty vectors', () => {
    expect(() => gini([1, -1])).toThrow(/non-negative/);
    expect(() => gini([])).toThrow(/empty/);
  });
});
