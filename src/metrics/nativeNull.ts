/**
 * The native replicate loop (native/fourier.cc, `fourierNullHistograms`): same inputs and bit-identical
 * output as nullHistogramsTs (src/metrics/nullKernel.ts), about two orders of magnitude faster.
 */
import { nativeAddon } from '../engine/addon.js';
import { checkNullProblem, type NullProblem } from './nullKernel.js';

type NativeNullFunction = (options: {
  kind: number;
  size: number;
  columns: number;
  table: Float64Array;
  foldA?: Int32Array;
  foldB?: Int32Array;
  foldSign?: Int8Array;
  binOffset: Int32Array;
  binColumns: Int32Array;
  powerWeight: Float64Array;
  rankDivisor: Float64Array;
  units: number;
  centred?: Float64Array;
  answerScale?: Float64Array;
  states: Uint32Array;
  threads: number;
}) => Int32Array;

function nativeFunction(): NativeNullFunction | undefined {
  try {
    const fn = nativeAddon().fourierNullHistograms as unknown;
    return typeof fn === 'function' ? (fn as NativeNullFunction) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the compiled addon with the Fourier kernel is available. */
export function hasNativeNullKernel(): boolean {
  return nativeFunction() !== undefined;
}

/** Dominant-bin histograms [replicates, bins]; `threads` changes the speed, never the result. */
export function nullHistogramsNative(problem: NullProblem, threads = 2): Int32Array {
  checkNullProblem(problem);
  const fn = nativeFunction();
  if (!fn) throw new Error('the native Fourier kernel is not available: build the addon with `npm run install`');
  const { basis } = problem;
  return fn({
    kind: problem.kind === 'permutation' ? 0 : 1,
    size: basis.size,
    columns: basis.columns,
    table: basis.table,
    foldA: basis.fold?.a,
    foldB: basis.fold?.b,
    foldSign: basis.fold?.sign,
    binOffset: basis.binOffset,
    binColumns: basis.binColumns,
    powerWeight: basis.powerWeight,
    rankDivisor: basis.rankDivisor,
    units: problem.units,
    centred: problem.centred,
    answerScale: problem.answerScale,
    states: problem.states,
    threads,
  });
}
