import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneSidedSignTest, signTest, signTestOfValues, signTestPower } from './signTest.js';

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

describe('signTestPower', () => {
  it('is the probability of a significant positive majority: 9 trials at alpha 0.01 need 9 of 9', () => {
    // signTest(9, 9) = 0.0039 <= 0.01 and signTest(8, 9) = 0.039 > 0.01: only k = 9 counts.
    expect(signTestPower(9, 0.75, 0.01)).toBeCloseTo(0.75 ** 9, 12);
    expect(signTestPower(9, 0.5, 0.01)).toBeCloseTo(0.5 ** 9, 12);
  });

  it('sums the binomial over every significant count, and grows with the number of trials', () => {
    // n = 25, alpha 0.01: significant from k = 20 on (signTest(20, 25) = 0.0041, signTest(19, 25) = 0.0146).
    expect(signTest(20, 25)).toBeLessThanOrEqual(0.01);
    expect(signTest(19, 25)).toBeGreaterThan(0.01);
    let expected = 0;
    for (let k = 20; k <= 25; k++) {
      let c = 1;
      for (let i = 1; i <= k; i++) c = (c * (25 - k + i)) / i;
      expected += c * 0.75 ** k * 0.25 ** (25 - k);
    }
    expect(signTestPower(25, 0.75, 0.01)).toBeCloseTo(expected, 12);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.5, max: 1, noNaN: true }), (n, q) => {
        const p = signTestPower(n, q, 0.01);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});

describe('one-sided sign test (issue 27: a direction must be supported by its test)', () => {
  it('gives P(X >= k) under p = 1/2, and half the two-sided p in the tail', () => {
    expect(oneSidedSignTest(9, 9)).toBeCloseTo(1 / 512, 12);
    expect(oneSidedSignTest(0, 9)).toBe(1);
    expect(oneSidedSignTest(14, 25)).toBeCloseTo(0.3450, 4);
    // 20 of 25 lagging (5 leading): the two-sided p is 0.0041, the one-sided 0.0020.
    expect(oneSidedSignTest(20, 25)).toBeCloseTo(signTest(5, 25) / 2, 12);
    expect(oneSidedSignTest(25, 25)).toBeCloseTo(2 ** -25, 18);
  });

  it('the two directions of one count sum to 1 + P(X = k) (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))), ([n, k]) => {
        // P(X = k) by the product formula (simple-statistics' table stops short of the top cells).
        let exact = 1;
        for (let i = 0; i < k; i++) exact = (exact * (n - i)) / (i + 1);
        exact /= 2 ** n;
        expect(oneSidedSignTest(k, n) + oneSidedSignTest(n - k, n)).toBeCloseTo(1 + exact, 9);
      }),
    );
  });
});
