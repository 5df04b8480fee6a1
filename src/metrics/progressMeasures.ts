/**
 * Nanda et al.'s progress measures (shared/spec/metrics.md, "Nanda et al.'s progress measures"), for
 * comparison with the restricted-logit loss:
 * - key frequencies: the 7 (configurable) frequencies with the largest total power in the embedding
 *   W_E[0..p-1] along the token axis (marked (choice); `unembedding` uses W_U along the class axis instead);
 * - on the full grid of logits L[(a,b), c], the directions cos(w_k s) and sin(w_k s) over the grid rows,
 *   s = the row's answer ((a + b) mod p for addition), for each key k;
 * - excluded loss: remove the projection of every logit column L[:, c] onto those directions, cross-entropy on
 *   the training rows (it rises before grokking);
 * - restricted loss: keep only that projection plus each column's mean over the grid, cross-entropy on the grid.
 */
import type { AsyncEngine } from '../engine/engine.js';
import { subsetLossAccuracy } from './subsetLoss.js';
import { cyclicBasis, frequencyCount, unitCircle, unitPowers } from './spectralBasis.js';
import { topIndices } from './restrictedLogit.js';
import { removeMean } from './answerResponse.js';

/** Where the key frequencies are read from (metrics.md, marked (choice)). */
export type KeyFrequencySource = 'embedding' | 'unembedding';
export const DEFAULT_KEY_FREQUENCIES = 7;

/**
 * The `count` frequencies (1..K) of largest total power over the rows of `signals` ([rows, p] row-major:
 * each row a function of the token or class index 0..p-1), ties to the smaller k, ascending.
 */
export function keyFrequencies(signals: Float64Array, rows: number, p: number, count = DEFAULT_KEY_FREQUENCIES): number[] {
  const basis = cyclicBasis(p);
  const power = unitPowers(removeMean(signals, rows, p), rows, basis);
  const K = frequencyCount(p);
  const total = new Float64Array(K);
  for (let r = 0; r < rows; r++) for (let b = 0; b < K; b++) total[b] += power[r * K + b];
  return topIndices(total, count).map((b) => basis.binLabels[b]);
}

/** W_E[0..p-1, :] as d signals over the token axis, or W_U[:, 0..p-1] as d signals over the class axis. */
export function keySignals(params: Record<string, Float32Array>, dModel: number, p: number, source: KeyFrequencySource): Float64Array {
  const out = new Float64Array(dModel * p);
  if (source === 'embedding') {
    const WE = params['embed.W_E'];
    for (let t = 0; t < p; t++) for (let c = 0; c < dModel; c++) out[c * p + t] = WE[t * dModel + c];
  } else {
    const WU = params['unembed.W_U'];
    const classes = WU.length / dModel;
    for (let c = 0; c < dModel; c++) for (let t = 0; t < p; t++) out[c * p + t] = WU[c * classes + t];
  }
  return out;
}

/**
 * An orthonormal basis (Gram-Schmidt, float64) of the directions cos(w_k s_r) and sin(w_k s_r) over the rows
 * r, for the key frequencies; directions that vanish (sin at the Nyquist frequency) or are dependent are dropped.
 */
export function keyDirections(answers: Int32Array, p: number, keys: number[]): Float64Array[] {
  // A checkpoint's keys usually equal the previous checkpoint's, and the answers are the run's grid: reuse.
  if (lastDirections && lastDirections.answers === answers && lastDirections.p === p && lastDirections.keys.join() === keys.join()) return lastDirections.basis;
  const { cos, sin } = unitCircle(p);
  const basis: Float64Array[] = [];
  const n = answers.length;
  const sumOfSquares = (v: Float64Array) => {
    let a = 0;
    for (let i = 0; i < n; i++) a += v[i] * v[i];
    return a;
  };
  for (const k of keys) {
    for (const table of [cos, sin]) {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = table[(k * answers[i]) % p];
      const norm0 = Math.sqrt(sumOfSquares(v));
      // twice, for numerical orthogonality
      for (let pass = 0; pass < 2; pass++)
        for (const u of basis) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += u[i] * v[i];
          for (let i = 0; i < n; i++) v[i] -= dot * u[i];
        }
      const norm = Math.sqrt(sumOfSquares(v));
      if (norm <= 1e-9 * Math.max(norm0, 1)) continue;
      for (let i = 0; i < n; i++) v[i] /= norm;
      basis.push(v);
    }
  }
  lastDirections = { answers, p, keys: [...keys], basis };
  return basis;
}

/** The last result of keyDirections (its arrays are never written after it returns). */
let lastDirections: { answers: Int32Array; p: number; keys: number[]; basis: Float64Array[] } | undefined;

/**
 * Every logit column L[:, c] split about its mean m_c: L[:, c] = m_c + P_c + R_c, with P_c the projection of
 * L[:, c] - m_c onto `directions` (orthonormal) and R_c the rest. Returns the excluded logits m_c + R_c and the
 * restricted logits m_c + P_c. Row-major passes: the coefficients <u_d, L[:, c] - m_c> first, then both parts.
 * Every direction is a function of the row's answer (keyDirections builds it from cos/sin of the answer, and
 * Gram-Schmidt combines rows alike), so the projection of a row is that of its answer: it is computed once per
 * answer (the same operations in the same order as per row, hence the same bits).
 */
function splitLogits(logits: Float32Array, classes: number, directions: Float64Array[], answers: Int32Array, p: number): { excluded: Float32Array; restricted: Float32Array } {
  const rows = logits.length / classes;
  const dirs = directions.length;
  const means = new Float64Array(classes);
  for (let r = 0; r < rows; r++) for (let c = 0; c < classes; c++) means[c] += logits[r * classes + c];
  for (let c = 0; c < classes; c++) means[c] /= rows;
  const centred = new Float64Array(classes);
  const coef = new Float64Array(dirs * classes);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < classes; c++) centred[c] = logits[r * classes + c] - means[c];
    for (let d = 0; d < dirs; d++) {
      const u = directions[d][r];
      for (let c = 0; c < classes; c++) coef[d * classes + c] += u * centred[c];
    }
  }
  const excluded = new Float32Array(logits.length);
  const restricted = new Float32Array(logits.length);
  // projections[s * classes + c], filled at the first row of answer s.
  const projections = new Float64Array(p * classes);
  const filled = new Uint8Array(p);
  for (let r = 0; r < rows; r++) {
    const s = answers[r];
    const projection = projections.subarray(s * classes, (s + 1) * classes);
    if (!filled[s]) {
      filled[s] = 1;
      for (let d = 0; d < dirs; d++) {
        const u = directions[d][r];
        for (let c = 0; c < classes; c++) projection[c] += coef[d * classes + c] * u;
      }
    }
    for (let c = 0; c < classes; c++) {
      const i = r * classes + c;
      excluded[i] = means[c] + (logits[i] - means[c]) - projection[c];
      restricted[i] = means[c] + projection[c];
    }
  }
  return { excluded, restricted };
}

export interface ProgressMeasures {
  keyFrequencies: number[];
  /** Cross-entropy of the logits without the key directions, on the training rows. */
  excludedLoss: number;
  /** Cross-entropy of the key-direction part of the logits plus the column means, on the full grid. */
  restrictedLoss: number;
}

/**
 * Both measures from full-grid logits ([grid, classes]) and the grid rows' answers; `trainRows` index the grid.
 * The grid must be the full one: the directions are defined over all p^2 pairs.
 */
export function progressMeasuresFromLogits(
  logits: Float32Array,
  classes: number,
  answers: Int32Array,
  p: number,
  keys: number[],
  trainRows: ArrayLike<number>,
): ProgressMeasures {
  if (logits.length !== answers.length * classes) throw new RangeError(`logits hold ${logits.length} values, expected ${answers.length} x ${classes}`);
  const directions = keyDirections(answers, p, keys);
  const all = Int32Array.from({ length: answers.length }, (_, i) => i);
  const { excluded, restricted } = splitLogits(logits, classes, directions, answers, p);
  return {
    keyFrequencies: keys,
    excludedLoss: subsetLossAccuracy(excluded, classes, answers, trainRows).loss,
    restrictedLoss: subsetLossAccuracy(restricted, classes, answers, all).loss,
  };
}

/**
 * The excluded loss per frequency (progress-measures claims.md §2.6): E_k = CE on the training rows of the logits
 * without frequency k's sum directions, for every k of `frequencies`; their maximum over k = 1..(p-1)/2 is the
 * model-independent E_max, with no look-ahead. Full-grid logits [grid, classes], as progressMeasuresFromLogits.
 */
export function excludedLossByFrequency(
  logits: Float32Array,
  classes: number,
  answers: Int32Array,
  p: number,
  trainRows: ArrayLike<number>,
  frequencies: readonly number[],
): Map<number, number> {
  if (logits.length !== answers.length * classes) throw new RangeError(`logits hold ${logits.length} values, expected ${answers.length} x ${classes}`);
  const out = new Map<number, number>();
  for (const k of frequencies) {
    const { excluded } = splitLogits(logits, classes, keyDirections(answers, p, [k]), answers, p);
    out.set(k, subsetLossAccuracy(excluded, classes, answers, trainRows).loss);
  }
  return out;
}

export interface ProgressMeasureOptions {
  keyCount?: number;
  keySource?: KeyFrequencySource;
  /** The engine's full-grid logits, when already evaluated (skips one evaluation). */
  logits?: Float32Array;
  /** The engine's parameters, when already read (skips copying the whole training state). */
  params?: Record<string, Float32Array>;
}

/** Nanda's excluded and restricted losses of `engine` on the full grid of a Z_p task (labels = answers). */
export async function progressMeasures(
  engine: AsyncEngine,
  grid: { tokens: Int32Array; labels: Int32Array },
  p: number,
  trainRows: ArrayLike<number>,
  options: ProgressMeasureOptions = {},
): Promise<ProgressMeasures> {
  const config = engine.config;
  const signals = keySignals(options.params ?? (await engine.getState()).params, config.d_model, p, options.keySource ?? 'embedding');
  const keys = keyFrequencies(signals, config.d_model, p, options.keyCount ?? DEFAULT_KEY_FREQUENCIES);
  const logits = options.logits ?? (await engine.evaluate({ tokens: grid.tokens, labels: grid.labels, logits: true })).logits;
  if (!logits) throw new Error('the engine returned no logits');
  return progressMeasuresFromLogits(logits, config.classes, grid.labels, p, keys, trainRows);
}
