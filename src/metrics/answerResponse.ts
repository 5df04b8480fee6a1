/**
 * The answer-conditioned response of a set of units (shared/spec/metrics.md, "FSD" step 1, and "FSD_gen"):
 * phi_j(s) = mean of A[row, j] over the rows whose answer is s. Works for any answer map (add, sub, mul, a
 * group's composition) and for any subset of the grid (metrics.md "fsd.inputs": train or validation rows),
 * where some answers may have few rows or none; the smallest count is recorded.
 */

/** Activations of one site, row-major [rows, units]. */
export type Activations = Float32Array | Float64Array;

export interface AnswerResponse {
  /** phi[j * classes + s], unit-major: row j is phi_j(0..classes-1). Accumulated in float64. */
  phi: Float64Array;
  units: number;
  classes: number;
  /** counts[s] = number of rows whose answer is s. */
  counts: Int32Array;
  /** min_s counts[s]; 0 when some answer has no row. */
  minCount: number;
}

export function checkActivations(activations: Activations, units: number, labels: Int32Array): void {
  if (!Number.isInteger(units) || units <= 0) throw new RangeError(`units must be a positive integer, got ${units}`);
  if (activations.length !== labels.length * units)
    throw new RangeError(`activations hold ${activations.length} values, expected rows (${labels.length}) x units (${units})`);
}

/**
 * phi_j(s) for every unit. An answer with no row gets the mean of the unit's other answers (our choice, not
 * the spec's: it then contributes nothing after the DC removal of step 2, instead of an arbitrary value).
 */
export function answerResponse(activations: Activations, units: number, labels: Int32Array, classes: number): AnswerResponse {
  checkActivations(activations, units, labels);
  if (!Number.isInteger(classes) || classes <= 0) throw new RangeError(`classes must be a positive integer, got ${classes}`);
  const counts = new Int32Array(classes);
  for (let r = 0; r < labels.length; r++) {
    const s = labels[r];
    if (!Number.isInteger(s) || s < 0 || s >= classes) throw new RangeError(`label ${s} at row ${r} is outside 0..${classes - 1}`);
    counts[s]++;
  }
  // Sum into answer-major scratch (contiguous per row of A), then transpose into unit-major means.
  const sums = new Float64Array(classes * units);
  for (let r = 0; r < labels.length; r++) {
    const dst = labels[r] * units;
    const src = r * units;
    for (let j = 0; j < units; j++) sums[dst + j] += activations[src + j];
  }
  const phi = new Float64Array(units * classes);
  const present = counts.reduce((n, c) => n + (c > 0 ? 1 : 0), 0);
  for (let j = 0; j < units; j++) {
    let presentSum = 0;
    for (let s = 0; s < classes; s++) {
      if (counts[s] === 0) continue;
      const v = sums[s * units + j] / counts[s];
      phi[j * classes + s] = v;
      presentSum += v;
    }
    if (present < classes) {
      const fill = present > 0 ? presentSum / present : 0;
      for (let s = 0; s < classes; s++) if (counts[s] === 0) phi[j * classes + s] = fill;
    }
  }
  // A NaN or infinite activation (a diverged model) propagates into its unit's sums; FSD of such a unit is
  // meaningless, so say so instead of returning a number.
  for (let i = 0; i < phi.length; i++) {
    if (!Number.isFinite(phi[i])) throw new RangeError(`activations of unit ${Math.floor(i / classes)} are not finite (a diverged model?)`);
  }
  let minCount = Infinity;
  for (const c of counts) minCount = Math.min(minCount, c);
  return { phi, units, classes, counts, minCount };
}

/**
 * Step 2's DC removal: subtracts each unit's mean over s (the sum taken in s order, so that the TypeScript
 * and native permutation kernels start from identical values).
 */
export function removeMean(phi: Float64Array, units: number, size: number): Float64Array {
  if (phi.length !== units * size) throw new RangeError(`phi holds ${phi.length} values, expected ${units} x ${size}`);
  const out = new Float64Array(phi.length);
  for (let j = 0; j < units; j++) {
    const off = j * size;
    let sum = 0;
    for (let s = 0; s < size; s++) sum += phi[off + s];
    const mean = sum / size;
    for (let s = 0; s < size; s++) out[off + s] = phi[off + s] - mean;
  }
  return out;
}
