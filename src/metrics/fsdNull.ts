/**
 * Null distributions of FSD and FSD_gen (shared/spec/metrics.md, "Permutation test for FSD", marked (choice)):
 * - `permutation` (canonical): each of B replicates permutes the values phi_j(0..size-1) of every counted
 *   unit with its own independent uniform permutation and recomputes FSD;
 * - `gaussian` (the paper's S5 null, and metrics.md "FSD_gen"): i.i.d. N(0, 1) activations of the same
 *   shape. phi_j(s) is then a mean of count_s such draws, i.e. N(0, 1/count_s), which is drawn directly.
 * p-value = (1 + #{FSD_null >= FSD_obs}) / (1 + B); the null mean and 95th percentile go next to every FSD.
 */
import { mean, quantile } from 'simple-statistics';
import type { DenormalMode } from '../engine/engine.js';
import { fsdTopMFromCounts } from './fsd.js';
import { hasNativeNullKernel, nullHistogramsNative, nullHistogramsTs, replicateStates, type NullKind, type NullProblem } from './nullKernel.js';
import { binCount, type SpectralBasis } from './spectralBasis.js';

export type { NullKind } from './nullKernel.js';
/** `auto` uses the native kernel when the addon is built, else the TypeScript one (same numbers). */
export type NullKernelChoice = 'auto' | 'native' | 'typescript';

export interface NullOptions {
  kind?: NullKind;
  /** B, the number of replicates (metrics.md: 1000). */
  replicates?: number;
  seed?: number;
  /** Which top-m FSD the null is of (metrics.md step 7); 1 is FSD. */
  m?: number;
  kernel?: NullKernelChoice;
  /** Native kernel threads: speed only, never the result. */
  threads?: number;
  /** The native kernel's float mode (src/engine/engine.ts); speed only here, never the result. */
  denormals?: DenormalMode;
}

export const DEFAULT_NULL_REPLICATES = 1000;
export const DEFAULT_NULL_SEED = 0;
export const DEFAULT_NULL_THREADS = 2;

export interface NullDistribution {
  kind: NullKind;
  /** FSD (or FSD_m) of each replicate. */
  values: Float64Array;
  /** Dominant-bin counts of each replicate, [replicates, bins]. */
  histograms: Int32Array;
}

/** The JSON summary of a null next to its observed FSD (as circuit-sync's record.ts stores it). */
export interface NullSummary {
  p_value: number;
  null_mean: number;
  null_q95: number;
  replicates: number;
}

let warnedFallback = false;

export function runNullKernel(problem: NullProblem, kernel: NullKernelChoice = 'auto', threads = DEFAULT_NULL_THREADS, denormals?: DenormalMode): Int32Array {
  const useNative = kernel === 'native' || (kernel === 'auto' && hasNativeNullKernel());
  if (!useNative && kernel === 'auto' && !warnedFallback) {
    // Same numbers, but about 100x slower at the paper's sizes: say so once instead of silently crawling.
    warnedFallback = true;
    process.emitWarning('the native Fourier kernel is not built; FSD null tests use the (slow) TypeScript kernel');
  }
  return useNative ? nullHistogramsNative(problem, threads, denormals) : nullHistogramsTs(problem);
}

function distribution(problem: NullProblem, countedUnits: number, options: NullOptions): NullDistribution {
  const bins = binCount(problem.basis);
  const histograms = runNullKernel(problem, options.kernel, options.threads, options.denormals);
  const replicates = problem.states.length / 4;
  const values = new Float64Array(replicates);
  const m = options.m ?? 1;
  for (let r = 0; r < replicates; r++) values[r] = fsdTopMFromCounts(histograms.subarray(r * bins, (r + 1) * bins), countedUnits, m);
  return { kind: problem.kind, values, histograms };
}

/**
 * The permutation null of the counted units' mean-removed responses (`centred`, unit-major [units, size];
 * `counted[j]` marks the units that enter par). Permuting a unit's values keeps its energy, so the silent
 * units stay exactly those of the observed FSD and are left out of every replicate as well.
 */
export function permutationNull(
  centred: Float64Array,
  counted: ArrayLike<boolean | number>,
  basis: SpectralBasis,
  options: NullOptions = {},
): NullDistribution {
  const replicates = options.replicates ?? DEFAULT_NULL_REPLICATES;
  const states = replicateStates(options.seed ?? DEFAULT_NULL_SEED, replicates);
  const units = centred.length / basis.size;
  const rows: number[] = [];
  for (let j = 0; j < units; j++) if (counted[j]) rows.push(j);
  if (rows.length === 0) {
    // No signal: every replicate is the empty histogram, FSD 0.
    return { kind: 'permutation', values: new Float64Array(replicates), histograms: new Int32Array(replicates * binCount(basis)) };
  }
  const kept = new Float64Array(rows.length * basis.size);
  rows.forEach((j, i) => kept.set(centred.subarray(j * basis.size, (j + 1) * basis.size), i * basis.size));
  return distribution({ kind: 'permutation', basis, units: rows.length, centred: kept, states }, rows.length, options);
}

/**
 * The Gaussian null: `units` units of i.i.d. N(0, 1) activations over rows whose answers have the counts
 * `answerCounts` (the observed ones, so subsets of the grid keep their thin answers).
 */
export function gaussianNull(units: number, answerCounts: Int32Array, basis: SpectralBasis, options: NullOptions = {}): NullDistribution {
  if (answerCounts.length !== basis.size) throw new RangeError(`answerCounts needs ${basis.size} values, got ${answerCounts.length}`);
  const replicates = options.replicates ?? DEFAULT_NULL_REPLICATES;
  const states = replicateStates(options.seed ?? DEFAULT_NULL_SEED, replicates);
  const answerScale = Float64Array.from(answerCounts, (c) => (c > 0 ? 1 / Math.sqrt(c) : 0));
  return distribution({ kind: 'gaussian', basis, units, answerScale, states }, units, options);
}

/**
 * p = (1 + #{null >= observed}) / (1 + B); the 95th percentile is simple-statistics' `quantile` (linear
 * interpolation, R type 7 / numpy's default).
 */
export function summariseNull(observed: number, values: Float64Array): NullSummary {
  if (values.length === 0) throw new RangeError('a null distribution needs at least one replicate');
  let atLeast = 0;
  for (const v of values) if (v >= observed) atLeast++;
  const list = Array.from(values);
  return {
    p_value: (1 + atLeast) / (1 + values.length),
    null_mean: mean(list),
    null_q95: quantile(list, 0.95),
    replicates: values.length,
  };
}
