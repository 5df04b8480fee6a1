/**
 * Discrete logarithms mod a prime, for FSD in multiplication's own Fourier basis (metrics.md `fsd.basis =
 * multiplicative`): the non-zero residues form the cyclic group Z_p^* = <g> of order p - 1, and
 * a*b = g^(log a + log b), so multiplication mod p is addition mod p - 1 of discrete logarithms. Indexing an
 * answer c != 0 by log_g(c) turns the multiplication table into an addition table over Z_{p-1}, whose Fourier
 * basis is the cyclic one of order p - 1.
 */

function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let d = 2; d * d <= n; d++) {
    if (n % d !== 0) continue;
    out.push(d);
    while (n % d === 0) n /= d;
  }
  if (n > 1) out.push(n);
  return out;
}

function powMod(base: number, exp: number, p: number): number {
  let result = 1, b = base % p, e = exp;
  while (e > 0) {
    if (e & 1) result = (result * b) % p;
    b = (b * b) % p;
    e >>= 1;
  }
  return result;
}

/** The smallest g in 2..p-1 whose powers reach every non-zero residue (g^((p-1)/q) != 1 for every prime q | p-1). */
export function smallestPrimitiveRoot(p: number): number {
  if (!isPrime(p)) throw new RangeError(`a primitive root needs a prime modulus, got ${p}`);
  if (p === 2) return 1;
  const factors = primeFactors(p - 1);
  for (let g = 2; g < p; g++) if (factors.every((q) => powMod(g, (p - 1) / q, p) !== 1)) return g;
  throw new Error(`internal: no primitive root mod ${p}`);
}

/** log[c] = the e in 0..p-2 with g^e = c (mod p) for c = 1..p-1, to the smallest primitive root g; log[0] = -1 (0 has none). */
export function discreteLogTable(p: number): Int32Array {
  const g = smallestPrimitiveRoot(p);
  const log = new Int32Array(p).fill(-1);
  let x = 1;
  for (let e = 0; e < p - 1; e++) {
    log[x] = e;
    x = (x * g) % p;
  }
  return log;
}
