import { describe, expect, it } from 'vitest';
import { signTest, signTestOfValues } from './signTest.js';

describe('exact two-sided sign test (metrics.md "Statistics")', () => {
  it('reproduces the paper and textbook values', () => {
    expect(signTest(9, 9)).toBeCloseTo(0.00390625, 14); // 2 / 2^9, the paper's p = 0.0039
    expect(signTest(6, 6)).toBeCloseTo(0.03125, 14); // 2 / 2^6, the paper's S5 p = 0.03
    expect(signTest(0, 6)).toBeCloseTo(0.03125, 14);
    expect(signTest(8, 10)).toBeCloseTo(0.109375, 14); // 2 * (1 + 10 + 45) / 1024
    expect(signTest(15, 20)).toBeCloseTo(0.04138946533203125, 13); // R: binom.test(15, 20)$p.value
    expect(signTest(5, 10)).toBe(1);
    expect(signTest(0, 0)).toBe(1);
  });

  it('rejects impossible counts', () => {
    expect(() => signTest(4, 3)).toThrow(/successes/);
    expect(() => signTest(1.5, 3)).toThrow(/successes/);
    expect(() => signTest(0, -1)).toThrow(/trials/);
  });

  it('counts signs of values and drops zeros', () => {
    expect(signTestOfValues([500, 3000, 1200, 700, 900, 2500, 1500, 1000, 800])).toEqual({
      positive: 9,
      negative: 0,
      zeros: 0,
      pValue: signTest(9, 9),
    });
    const r = signTestOfValues([100, -200, 0, 300]);
    expect([r.positive, r.negative, r.zeros]).toEqual([2, 1, 1]);
    expect(r.pValue).toBe(1);
  });
});
