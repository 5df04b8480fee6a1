/**
 * FSD, the Frequency Synchronization Degree (shared/spec/metrics.md, "FSD", steps 1-7), computed over a
 * SpectralBasis so that the same code gives FSD on Z_p (cyclicBasis) and FSD_gen on any group (groupBasis).
 */
import { answerResponse, removeMean, type Activations, type AnswerResponse } from './answerResponse.js';
import { binCount, cyclicBasis, dominantBin, unitPowers, type SpectralBasis } from './spectralBasis.js';
import { discreteLogTable } from './discreteLog.js';

/** What to do with silent units (metrics.md step 3, marked (choice)). */
export type SilentUnitRule = 'exclude' | 'include';

export interface FsdOptions {
  /** A unit is silent when its non-DC energy is below this times the largest unit's (metrics.md step 3). */
  silentThreshold?: number;
  /** `exclude` (canonical): silent units are left out of par(k); `include`: they count with their argmax. */
  silentUnits?: SilentUnitRule;
}

export const DEFAULT_SILENT_THRESHOLD = 1e-9;

export interface SpectralFsd {
  /** FSD in [0, 1] (metrics.md step 6); 0 when there is no signal. */
  fsd: number;
  /** Every unit is silent (metrics.md step 3): FSD = 0 and the record says "no signal". */
  noSignal: boolean;
  /** counts[b] = number of counted units whose dominant bin is b. */
  counts: Int32Array;
  /** par(b) = counts[b] / countedUnits (metrics.md step 5); all 0 when there is no signal. */
  participation: Float64Array;
  /** The bin of largest participation (ties to the smallest bin), null when there is no signal. */
  topBin: number | null;
  /** Per unit: its dominant bin (metrics.md step 4), or -1 for a unit left out as silent. */
  dominant: Int32Array;
  /** Per unit: 1 when silent by the threshold rule (whether or not it is left out). */
  silent: Uint8Array;
  silentUnits: number;
  /** Units that enter par(b). */
  countedUnits: number;
  /** P_j(b), unit-major [units, bins]. */
  power: Float64Array;
  /** Non-DC energy sum_b P_j(b) per unit. */
  energy: Float64Array;
}

/**
 * FSD from the dominant-bin histogram (metrics.md steps 5-6): (max_b par(b) - c) / (1 - c), c = 1/bins.
 * Shared by the observed value and every null replicate, so equal histograms give bit-equal FSDs.
 */
export function fsdFromCounts(counts: Int32Array, countedUnits: number): number {
  return fsdTopMFromCounts(counts, countedUnits, 1);
}

/**
 * FSD_m (metrics.md step 7): (sum of the m largest par(b) - m/bins) / (1 - m/bins); m = 1 is FSD.
 * 0 when no unit is counted (the "no signal" case).
 */
export function fsdTopMFromCounts(counts: Int32Array, countedUnits: number, m: number): number {
  return fsdTopMFromLargest(Array.from(counts).sort((a, b) => b - a), countedUnits, counts.length, m);
}

/** FSD_m from the largest counts in descending order (at least m of them), as records keep them. */
export function fsdTopMFromLargest(largest: readonly number[], countedUnits: number, bins: number, m: number): number {
  if (!Number.isInteger(m) || m < 1 || m >= bins) throw new RangeError(`FSD_m needs 1 <= m < bins (${bins}), got ${m}`);
  if (m > largest.length) throw new RangeError(`FSD_m with m = ${m} needs the ${m} largest counts, got ${largest.length}`);
  if (countedUnits === 0) return 0;
  let top = 0;
  for (let i = 0; i < m; i++) top += largest[i];
  const chance = m / bins;
  return (top / countedUnits - chance) / (1 - chance);
}

/** metrics.md step 3: silent if energy < threshold * max energy, or exactly 0. */
export function silentMask(energy: Float64Array, threshold = DEFAULT_SILENT_THRESHOLD): Uint8Array {
  let max = 0;
  for (const e of energy) max = Math.max(max, e);
  return Uint8Array.from(energy, (e) => (e === 0 || e < threshold * max ? 1 : 0));
}

/** Steps 3-6 on a mean-removed response (unit-major [units, basis.size]). */
export function spectralFsd(centred: Float64Array, units: number, basis: SpectralBasis, options: FsdOptions = {}): SpectralFsd {
  const bins = binCount(basis);
  if (bins < 2) throw new RangeError(`FSD needs at least 2 frequency bins (chance 1/bins < 1), got ${bins}`);
  const power = unitPowers(centred, units, basis);
  const energy = new Float64Array(units);
  for (let j = 0; j < units; j++) {
    let e = 0;
    for (let b = 0; b < bins; b++) e += power[j * bins + b];
    energy[j] = e;
  }
  const silent = silentMask(energy, options.silentThreshold ?? DEFAULT_SILENT_THRESHOLD);
  const silentUnits = silent.reduce((n, s) => n + s, 0);
  const noSignal = silentUnits === units;
  const leaveOut = (options.silentUnits ?? 'exclude') === 'exclude';
  const dominant = new Int32Array(units).fill(-1);
  const counts = new Int32Array(bins);
  let countedUnits = 0;
  if (!noSignal) {
    for (let j = 0; j < units; j++) {
      if (silent[j] && leaveOut) continue;
      const b = dominantBin(power.subarray(j * bins, (j + 1) * bins), basis);
      dominant[j] = b;
      counts[b]++;
      countedUnits++;
    }
  }
  const participation = Float64Array.from(counts, (c) => (countedUnits > 0 ? c / countedUnits : 0));
  let topBin: number | null = null;
  if (countedUnits > 0) {
    topBin = 0;
    for (let b = 1; b < bins; b++) if (counts[b] > counts[topBin]) topBin = b;
  }
  return {
    fsd: fsdFromCounts(counts, countedUnits),
    noSignal,
    counts,
    participation,
    topBin,
    dominant,
    silent,
    silentUnits,
    countedUnits,
    power,
    energy,
  };
}

/** FSD over a basis together with the response it was computed from. */
export interface BasisFsd extends SpectralFsd {
  /** binLabels[topBin]: the top frequency (Z_p) or irrep index (groups); null when there is no signal. */
  topLabel: number | null;
  response: AnswerResponse;
  /** phi with each unit's mean over the answers removed (metrics.md step 2), unit-major [units, basis.size]. */
  centred: Float64Array;
  basis: SpectralBasis;
}

/** Steps 1-6 for activations [rows, units] whose rows have the answers `labels` (0..basis.size-1). */
export function fsdOverBasis(activations: Activations, units: number, labels: Int32Array, basis: SpectralBasis, options: FsdOptions = {}): BasisFsd {
  const response = answerResponse(activations, units, labels, basis.size);
  const centred = removeMean(response.phi, units, basis.size);
  const result = spectralFsd(centred, units, basis, options);
  const topLabel = result.topBin === null ? null : basis.binLabels[result.topBin];
  return { ...result, topLabel, response, centred, basis };
}

export interface FourierFsd extends BasisFsd {
  /** The top frequency k (1..K), null when there is no signal. */
  topFrequency: number | null;
}

/**
 * FSD of Z_p activations (metrics.md "FSD"): `activations` [rows, units] row-major, `labels` the answer
 * s in 0..p-1 of each row (any answer map, any subset of the grid).
 */
export function fourierFsd(activations: Activations, units: number, labels: Int32Array, p: number, options: FsdOptions = {}): FourierFsd {
  const result = fsdOverBasis(activations, units, labels, cyclicBasis(p), options);
  return { ...result, topFrequency: result.topLabel };
}

/**
 * FSD of a multiplication table in its own Fourier basis (metrics.md `fsd.basis = multiplicative`): the rows
 * whose answer c is non-zero, each indexed by log_g(c) (discreteLog.ts), read as Z_{p-1}. Answer 0 (a or b
 * = 0) has no logarithm and is left out. `labels` are the answers c in 0..p-1, p prime.
 */
export function multiplicativeFsd(activations: Activations, units: number, labels: Int32Array, p: number, options: FsdOptions = {}): FourierFsd {
  const log = discreteLogTable(p);
  let rows = 0;
  for (const c of labels) if (c !== 0) rows++;
  const kept = new (activations.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(rows * units);
  const logs = new Int32Array(rows);
  let r = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) continue;
    kept.set(activations.subarray(i * units, (i + 1) * units), r * units);
    logs[r++] = log[labels[i]];
  }
  return fourierFsd(kept, units, logs, p - 1, options);
}
