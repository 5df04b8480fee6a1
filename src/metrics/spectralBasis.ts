/**
 * A real Fourier basis of functions on a finite group, grouped into "bins" (the frequencies k of Z_p, or the
 * non-trivial irreducible representations of a general group), so that FSD (metrics.md "FSD") and FSD_gen
 * (metrics.md "FSD_gen") are one computation with two tables. For a response row x (length size):
 *
 *   z[i]      = x[foldA[i]] (+ or -) x[foldB[i]]                (an optional fold; identity when absent)
 *   coef[c]   = sum_i z[i] * table[i, c]                         (i in 0..size-1, summed in i order)
 *   P(b)      = powerWeight[b] * sum_{c in bin b} coef[c]^2      (the bin's power, columns in listed order)
 *   key(b)    = P(b) / rankDivisor[b]                            (what a unit's dominant bin maximises)
 *
 * The order of every floating-point operation is fixed here and mirrored exactly by the native kernel
 * (native/fourier.cc), so both give bit-identical powers and therefore identical argmaxes.
 */

export interface SpectralBasis {
  /** Length of a response row: p for Z_p, |G| for a group. */
  size: number;
  /** Number of basis columns. */
  columns: number;
  /** table[i * columns + c], i over the (folded) rows. */
  table: Float64Array;
  /**
   * The fold, when present (all three of length size): z[i] = x[foldA[i]] when foldSign[i] = 0, else
   * x[foldA[i]] + x[foldB[i]] (sign 1) or x[foldA[i]] - x[foldB[i]] (sign -1).
   */
  fold?: { a: Int32Array; b: Int32Array; sign: Int8Array };
  /** Bin b owns the columns binColumns[binOffset[b] .. binOffset[b + 1] - 1]; binOffset has bins + 1 entries. */
  binOffset: Int32Array;
  binColumns: Int32Array;
  powerWeight: Float64Array;
  rankDivisor: Float64Array;
  /** What each bin is: the frequency k (Z_p) or the irrep's index in its list (groups). */
  binLabels: number[];
}

export function binCount(basis: SpectralBasis): number {
  return basis.binOffset.length - 1;
}

/** K = floor(p/2): the frequencies k = 1..K of metrics.md "FSD" step 2. */
export function frequencyCount(p: number): number {
  return Math.floor(p / 2);
}

/**
 * cos(2 pi m / p) and sin(2 pi m / p) for m = 0..p-1. Every entry for frequency k at answer s uses the angle
 * index m = k*s mod p, so the same p values serve every (k, s), each exact to one rounding.
 */
export function unitCircle(p: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(p);
  const sin = new Float64Array(p);
  for (let m = 0; m < p; m++) {
    cos[m] = Math.cos((2 * Math.PI * m) / p);
    sin[m] = Math.sin((2 * Math.PI * m) / p);
  }
  return { cos, sin };
}

/**
 * The Z_p basis of metrics.md "FSD" step 2: bin k (k = 1..K) holds C_k = sum_s x_s cos(w_k s) and
 * S_k = sum_s x_s sin(w_k s), w_k = 2 pi k / p, so P(k) = C_k^2 + S_k^2 = |sum_s x_s exp(-i w_k s)|^2.
 * The sums use the symmetry s <-> p - s (cos is even, sin odd), which halves the work:
 *   C_k = x_0 + sum_{s=1..H} (x_s + x_{p-s}) cos(w_k s) [+ x_{p/2} cos(pi k) for even p],
 *   S_k = sum_{s=1..H} (x_s - x_{p-s}) sin(w_k s),         H = ceil(p/2) - 1.
 * Folded rows: u_0 = x_0, u_s = x_s + x_{p-s} (s = 1..H), [u_{p/2} = x_{p/2}], then v_s = x_s - x_{p-s}.
 * Columns: C_1..C_K, then S_1..S_{K'} (K' = H; for even p the Nyquist bin k = p/2 has no sine: sin(pi s) = 0).
 */
export function cyclicBasis(p: number): SpectralBasis {
  if (!Number.isInteger(p) || p < 2) throw new RangeError(`Z_p needs an integer p >= 2, got ${p}`);
  const K = frequencyCount(p);
  const H = Math.ceil(p / 2) - 1;
  const even = p % 2 === 0;
  const uRows = 1 + H + (even ? 1 : 0);
  const columns = K + H;
  const { cos, sin } = unitCircle(p);
  const a = new Int32Array(p);
  const b = new Int32Array(p).fill(-1);
  const sign = new Int8Array(p);
  const table = new Float64Array(p * columns);
  // u rows (cosine part): s = 0..uRows-1 pairs with p - s except s = 0 and the Nyquist s = p/2.
  for (let s = 0; s < uRows; s++) {
    a[s] = s;
    if (s >= 1 && s <= H) {
      b[s] = p - s;
      sign[s] = 1;
    }
    for (let k = 1; k <= K; k++) table[s * columns + (k - 1)] = cos[(k * s) % p];
  }
  // v rows (sine part): s = 1..H.
  for (let s = 1; s <= H; s++) {
    const i = uRows + s - 1;
    a[i] = s;
    b[i] = p - s;
    sign[i] = -1;
    for (let k = 1; k <= H; k++) table[i * columns + K + (k - 1)] = sin[(k * s) % p];
  }
  const binOffset = new Int32Array(K + 1);
  const binColumns: number[] = [];
  for (let k = 1; k <= K; k++) {
    binColumns.push(k - 1);
    if (k <= H) binColumns.push(K + k - 1);
    binOffset[k] = binColumns.length;
  }
  return {
    size: p,
    columns,
    table,
    fold: { a, b, sign },
    binOffset,
    binColumns: Int32Array.from(binColumns),
    powerWeight: new Float64Array(K).fill(1),
    rankDivisor: new Float64Array(K).fill(1),
    binLabels: Array.from({ length: K }, (_, i) => i + 1),
  };
}

/** z = the folded row x[offset .. offset + size - 1] (a copy when the basis has no fold). */
export function foldRow(x: Float64Array, offset: number, basis: SpectralBasis, z: Float64Array): void {
  const fold = basis.fold;
  if (!fold) {
    for (let i = 0; i < basis.size; i++) z[i] = x[offset + i];
    return;
  }
  for (let i = 0; i < basis.size; i++) {
    const xa = x[offset + fold.a[i]];
    const sg = fold.sign[i];
    z[i] = sg === 0 ? xa : sg > 0 ? xa + x[offset + fold.b[i]] : xa - x[offset + fold.b[i]];
  }
}

/** coef[c] = sum_i z[i] * table[i, c], summed in i order. */
export function tableProduct(z: Float64Array, basis: SpectralBasis, coef: Float64Array): void {
  const { size, columns, table } = basis;
  coef.fill(0);
  for (let i = 0; i < size; i++) {
    const zi = z[i];
    const row = i * columns;
    for (let c = 0; c < columns; c++) coef[c] += zi * table[row + c];
  }
}

/** Bin powers P(b) of one row's coefficients into `power` (length bins). */
export function binPowers(coef: Float64Array, basis: SpectralBasis, power: Float64Array): void {
  const bins = binCount(basis);
  for (let b = 0; b < bins; b++) {
    let sumsq = 0;
    for (let i = basis.binOffset[b]; i < basis.binOffset[b + 1]; i++) {
      const c = coef[basis.binColumns[i]];
      sumsq += c * c;
    }
    power[b] = basis.powerWeight[b] * sumsq;
  }
}

/** argmax_b P(b) / rankDivisor[b], ties to the smallest b (metrics.md "FSD" step 4). */
export function dominantBin(power: ArrayLike<number>, basis: SpectralBasis): number {
  let best = 0;
  let bestKey = -Infinity;
  for (let b = 0; b < power.length; b++) {
    const key = power[b] / basis.rankDivisor[b];
    if (key > bestKey) {
      bestKey = key;
      best = b;
    }
  }
  return best;
}

/** Reusable buffers for evaluating one row after another. */
export class RowSpectrum {
  readonly z: Float64Array;
  readonly coef: Float64Array;
  readonly power: Float64Array;

  constructor(readonly basis: SpectralBasis) {
    this.z = new Float64Array(basis.size);
    this.coef = new Float64Array(basis.columns);
    this.power = new Float64Array(binCount(basis));
  }

  /** Fills `power` with the bin powers of x[offset .. offset + size - 1] and returns it. */
  powers(x: Float64Array, offset = 0): Float64Array {
    foldRow(x, offset, this.basis, this.z);
    tableProduct(this.z, this.basis, this.coef);
    binPowers(this.coef, this.basis, this.power);
    return this.power;
  }
}

/** P_j(b) for every unit of a (mean-removed) response, unit-major [units, bins]. */
export function unitPowers(phi: Float64Array, units: number, basis: SpectralBasis): Float64Array {
  if (phi.length !== units * basis.size) throw new RangeError(`phi holds ${phi.length} values, expected ${units} x ${basis.size}`);
  const bins = binCount(basis);
  const power = new Float64Array(units * bins);
  const spectrum = new RowSpectrum(basis);
  for (let j = 0; j < units; j++) power.set(spectrum.powers(phi, j * basis.size), j * bins);
  return power;
}
