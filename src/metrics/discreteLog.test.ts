import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discreteLogTable, smallestPrimitiveRoot } from './discreteLog.js';

const PRIMES = [3, 5, 7, 11, 13, 31, 43, 53, 97, 113];

describe('discrete logarithms (metrics.md fsd.basis = multiplicative)', () => {
  it('finds the smallest primitive roots of published tables', () => {
    // OEIS A001918: least primitive root of the n-th prime.
    expect([3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 97].map(smallestPrimitiveRoot)).toEqual([2, 2, 3, 2, 2, 3, 2, 5, 2, 3, 5]);
    expect(() => smallestPrimitiveRoot(9)).toThrow(/prime/);
  });

  it('is a bijection from Z_p^* onto Z_{p-1} that turns products into sums', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PRIMES), fc.nat(), fc.nat(), (p, x, y) => {
        const log = discreteLogTable(p);
        const a = 1 + (x % (p - 1)), b = 1 + (y % (p - 1));
        expect(log[(a * b) % p]).toBe((log[a] + log[b]) % (p - 1));
        expect(log[0]).toBe(-1);
        expect(new Set(Array.from(log.subarray(1))).size).toBe(p - 1);
      }),
    );
  });
});
