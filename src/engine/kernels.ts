/**
 * The engines' kernels outside the model: the one way into native code for the metrics. Today there is one,
 * the replicate loop of the FSD null distributions (native/fourier.cc `fourierNullHistograms`), which
 * src/metrics/nullKernel.ts reproduces bit for bit in TypeScript. The input is plain arrays (the fields of a
 * SpectralBasis and a NullProblem of src/metrics), so this layer knows nothing of FSD itself.
 */
import { nativeAddon } from './addon.js';
import { asInterrupted, type DenormalMode } from './engine.js';

export interface FourierNullInput {
  kind: 'permutation' | 'gaussian';
  /** Row length: answers per unit. */
  size: number;
  /** Columns of the real DFT table. */
  columns: number;
  /** [size, columns] row-major. */
  table: Float64Array;
  /** Optional fold of a row before the product: z[i] = x[a[i]] (+ or - by sign[i]) x[b[i]]. */
  fold?: { a: Int32Array; b: Int32Array; sign: Int8Array };
  /** Bin b holds columns binColumns[binOffset[b] .. binOffset[b + 1]). */
  binOffset: Int32Array;
  binColumns: Int32Array;
  powerWeight: Float64Array;
  rankDivisor: Float64Array;
  units: number;
  /** permutation: [units, size] mean-removed responses. */
  centred?: Float64Array;
  /** gaussian: the standard deviation of each answer's mean response. */
  answerScale?: Float64Array;
  /** xoshiro128** state of each replicate, [replicates * 4]. */
  states: Uint32Array;
}

export interface FourierKernels {
  readonly description: string;
  /**
   * Dominant-bin histograms [replicates, bins]; `threads` changes the speed, never the result, and so does
   * `denormals` here (the sums are in double, and float32 activations are far above its subnormal range).
   */
  nullHistograms(input: FourierNullInput, threads: number, denormals: DenormalMode): Int32Array;
}

type NativeNullFunction = (options: Record<string, unknown>) => Int32Array;

let cached: FourierKernels | null | undefined;

/** The native kernels, or null when the addon is not built (the caller falls back to TypeScript and says so). */
export function nativeFourierKernels(): FourierKernels | null {
  if (cached !== undefined) return cached;
  let fn: NativeNullFunction | undefined;
  try {
    const candidate = nativeAddon().fourierNullHistograms as unknown;
    if (typeof candidate === 'function') fn = candidate as NativeNullFunction;
  } catch {
    fn = undefined;
  }
  const call = fn;
  cached = call
    ? {
        description: 'native (C++ N-API, native/fourier.cc)',
        nullHistograms(input, threads, denormals) {
          const options = {
            kind: input.kind === 'permutation' ? 0 : 1,
            size: input.size,
            columns: input.columns,
            table: input.table,
            foldA: input.fold?.a,
            foldB: input.fold?.b,
            foldSign: input.fold?.sign,
            binOffset: input.binOffset,
            binColumns: input.binColumns,
            powerWeight: input.powerWeight,
            rankDivisor: input.rankDivisor,
            units: input.units,
            centred: input.centred,
            answerScale: input.answerScale,
            states: input.states,
            threads,
            denormals,
          };
          try {
            return call(options);
          } catch (error) {
            throw asInterrupted(error);
          }
        },
      }
    : null;
  return cached;
}
