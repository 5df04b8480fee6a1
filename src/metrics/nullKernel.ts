/**
 * The replicate loop of the FSD null distributions (shared/spec/metrics.md, "Permutation test for FSD"), in
 * TypeScript, and the same loop on the native kernel (native/fourier.cc, reached through src/engine/kernels.ts).
 * The TypeScript loop is the reference the native kernel must reproduce bit for bit; tests cross-check the two.
 *
 * Generator (documented so that any implementation can reproduce a null exactly):
 * - replicate r owns a fresh xoshiro128** (src/random/rng.ts) whose state is words 4r..4r+3 of `states`
 *   (see `replicateStates`); replicates are independent, so the result does not depend on how they are
 *   spread over threads;
 * - `permutation`: for each unit j in order, perm = Rng.permutation(size) (Fisher-Yates from the top,
 *   j = int(i + 1) by rejection), and the unit's row becomes x[s] = centred[j, perm[s]];
 * - `gaussian`: for each unit j in order, for each answer s in order with scale[s] > 0,
 *   x[s] = Rng.normal() * scale[s] (Box-Muller, one uniform pair per draw); answers with scale 0 (no rows)
 *   get the mean of the others; then the row's mean over s is removed (metrics.md step 2).
 * Each row then goes through RowSpectrum.powers and dominantBin (src/metrics/spectralBasis.ts) and
 * increments counts[r, dominant bin].
 *
 * Agreement with the native kernel: the permutation null is bit-identical (integer draws, the same double
 * operations in the same order; the native code shuffles the values in place with the same swaps, which gives
 * the same arrangement). The Gaussian null calls Math.log and Math.cos here and std::log and std::cos there,
 * which may differ in the last bit on rare arguments; a replicate's histogram could then differ only where a
 * unit's top two powers tie to within that rounding. The tests see identical histograms on every case tried.
 */
import { DEFAULT_DENORMALS, type DenormalMode } from '../engine/engine.js';
import { nativeFourierKernels } from '../engine/kernels.js';
import { Rng, type RngState } from '../random/rng.js';
import { binCount, dominantBin, RowSpectrum, type SpectralBasis } from './spectralBasis.js';

export type NullKind = 'permutation' | 'gaussian';

export interface NullProblem {
  kind: NullKind;
  basis: SpectralBasis;
  /** Number of unit rows per replicate. */
  units: number;
  /** permutation: the mean-removed responses of the counted units, unit-major [units, basis.size]. */
  centred?: Float64Array;
  /** gaussian: the standard deviation of phi_j(s), 1/sqrt(count_s) (0 for an answer with no rows). */
  answerScale?: Float64Array;
  /** xoshiro128** state of each replicate, [replicates * 4]. */
  states: Uint32Array;
}

/** Per-replicate generator states drawn from one seeded Rng: four consecutive words each (never all zero). */
export function replicateStates(seed: number, replicates: number): Uint32Array {
  if (!Number.isInteger(replicates) || replicates < 1) throw new RangeError(`replicates must be a positive integer, got ${replicates}`);
  const master = new Rng(seed);
  const states = new Uint32Array(replicates * 4);
  for (let i = 0; i < states.length; i++) states[i] = master.nextUint32();
  for (let r = 0; r < replicates; r++) if (states.subarray(4 * r, 4 * r + 4).every((w) => w === 0)) states[4 * r] = 1;
  return states;
}

export function checkNullProblem(problem: NullProblem): void {
  const { basis, units, kind } = problem;
  if (!Number.isInteger(units) || units < 1) throw new RangeError(`units must be a positive integer, got ${units}`);
  if (problem.states.length === 0 || problem.states.length % 4 !== 0) throw new RangeError('states must hold 4 words per replicate');
  if (kind === 'permutation') {
    if (!problem.centred || problem.centred.length !== units * basis.size)
      throw new RangeError(`permutation null needs centred responses of ${units} x ${basis.size} values`);
    // The native kernel skips all-zero table rows, which equals the full sum only for finite values.
    if (!problem.centred.every(Number.isFinite)) throw new RangeError('permutation null needs finite responses');
  } else if (!problem.answerScale || problem.answerScale.length !== basis.size) {
    throw new RangeError(`gaussian null needs answerScale of ${basis.size} values`);
  }
}

/** Fills `row` with replicate unit j's null response, drawing from `rng` (see the generator above). */
function drawRow(problem: NullProblem, j: number, rng: Rng, row: Float64Array): void {
  const n = problem.basis.size;
  if (problem.kind === 'permutation') {
    const perm = rng.permutation(n);
    const centred = problem.centred!;
    for (let s = 0; s < n; s++) row[s] = centred[j * n + perm[s]];
    return;
  }
  const scale = problem.answerScale!;
  let presentSum = 0;
  let present = 0;
  for (let s = 0; s < n; s++) {
    if (scale[s] > 0) {
      row[s] = rng.normal() * scale[s];
      presentSum += row[s];
      present++;
    }
  }
  if (present < n) {
    const fill = present > 0 ? presentSum / present : 0;
    for (let s = 0; s < n; s++) if (!(scale[s] > 0)) row[s] = fill;
  }
  let sum = 0;
  for (let s = 0; s < n; s++) sum += row[s];
  const mean = sum / n;
  for (let s = 0; s < n; s++) row[s] = row[s] - mean;
}

/** Dominant-bin histograms of every replicate, [replicates, bins] row-major. */
export function nullHistogramsTs(problem: NullProblem): Int32Array {
  checkNullProblem(problem);
  const { basis, units } = problem;
  const bins = binCount(basis);
  const replicates = problem.states.length / 4;
  const counts = new Int32Array(replicates * bins);
  const row = new Float64Array(basis.size);
  const spectrum = new RowSpectrum(basis);
  for (let r = 0; r < replicates; r++) {
    const state = Array.from(problem.states.subarray(4 * r, 4 * r + 4)) as RngState;
    const rng = new Rng(state);
    for (let j = 0; j < units; j++) {
      drawRow(problem, j, rng, row);
      counts[r * bins + dominantBin(spectrum.powers(row), basis)]++;
    }
  }
  return counts;
}

/** Whether the compiled addon with the Fourier kernel is available (src/engine/kernels.ts). */
export function hasNativeNullKernel(): boolean {
  return nativeFourierKernels() !== null;
}

/** nullHistogramsTs on the native kernel (native/fourier.cc): the same numbers, about 100x faster. */
export function nullHistogramsNative(problem: NullProblem, threads = 2, denormals: DenormalMode = DEFAULT_DENORMALS): Int32Array {
  checkNullProblem(problem);
  const kernels = nativeFourierKernels();
  if (!kernels) throw new Error('the native Fourier kernel is not available: build the addon with `npm run install`');
  const { basis } = problem;
  return kernels.nullHistograms(
    {
      kind: problem.kind,
      size: basis.size,
      columns: basis.columns,
      table: basis.table,
      ...(basis.fold ? { fold: basis.fold } : {}),
      binOffset: basis.binOffset,
      binColumns: basis.binColumns,
      powerWeight: basis.powerWeight,
      rankDivisor: basis.rankDivisor,
      units: problem.units,
      ...(problem.centred ? { centred: problem.centred } : {}),
      ...(problem.answerScale ? { answerScale: problem.answerScale } : {}),
      states: problem.states,
    },
    threads,
    denormals,
  );
}
