/**
 * Nanda et al.'s sum directions on the logits of a Z_p addition grid (shared/spec/papers/progress-measures/
 * claims.md §2.3, §2.5, §2.6), computed through the answer. u_k(r) = cos(w_k s_r) sqrt(2)/p and
 * v_k(r) = sin(w_k s_r) sqrt(2)/p, s_r = (a + b) mod p, are unit vectors over the p^2 grid rows; every answer s
 * labels p rows, so the projection of a logit column onto them needs only the column's sums by answer:
 *
 *   m_c = mean_r L[r, c],   S[s, c] = sum_{r: s_r = s} (L[r, c] - m_c),
 *   a_k[c] = <u_k, L[:, c] - m_c> = (sqrt(2)/p) sum_s cos(w_k s) S[s, c]   (b_k: sin),
 *   P_K(L)[r, c] = sum_{k in K} u_k(r) a_k[c] + v_k(r) b_k[c]              (a function of s_r only).
 *
 * Then the restricted logits P_K(L) + m depend on the answer alone, so the restricted loss over all p^2 rows is
 * the mean over answers of one row's cross-entropy; the excluded logits L - P_K(L) need L on the rows they are
 * read on (the training rows). The same numbers as progressMeasures.ts's splitLogits (which projects every row),
 * for every frequency at the cost of one pass over the logits. Float64 throughout; pure.
 */

/** Every frequency's projection coefficients of a [rows, classes] logit block (rows: the full grid). */
export interface SumDirectionCoefficients {
  p: number;
  classes: number;
  /** m_c, the grid mean of each logit column. */
  means: Float64Array;
  /** a_k[c] at (k - 1) * classes + c, k = 1..(p-1)/2. */
  cos: Float64Array;
  /** b_k[c], likewise. */
  sin: Float64Array;
}

/** The coefficients of `logits` ([p^2, classes], full grid, `answers` its rows' (a + b) mod p). */
export function sumDirectionCoefficients(logits: ArrayLike<number>, classes: number, answers: Int32Array, p: number): SumDirectionCoefficients {
  const rows = answers.length;
  if (rows !== p * p) throw new RangeError(`the sum directions are defined over the full grid of ${p * p} rows, got ${rows}`);
  if (logits.length !== rows * classes) throw new RangeError(`logits hold ${logits.length} values, expected ${rows} x ${classes}`);
  const means = new Float64Array(classes);
  const bySum = new Float64Array(p * classes);
  for (let r = 0; r < rows; r++) {
    const s = answers[r] * classes;
    for (let c = 0; c < classes; c++) {
      const x = logits[r * classes + c];
      means[c] += x;
      bySum[s + c] += x;
    }
  }
  for (let c = 0; c < classes; c++) means[c] /= rows;
  // Each answer labels p rows: sum over them of (L - m) is S[s, c] = sum L - p m_c.
  for (let s = 0; s < p; s++) for (let c = 0; c < classes; c++) bySum[s * classes + c] -= p * means[c];
  const K = (p - 1) / 2;
  const cos = new Float64Array(K * classes);
  const sin = new Float64Array(K * classes);
  const scale = Math.SQRT2 / p;
  for (let k = 1; k <= K; k++) {
    const off = (k - 1) * classes;
    for (let s = 0; s < p; s++) {
      const angle = (2 * Math.PI * k * s) / p;
      const u = Math.cos(angle) * scale;
      const v = Math.sin(angle) * scale;
      for (let c = 0; c < classes; c++) {
        cos[off + c] += u * bySum[s * classes + c];
        sin[off + c] += v * bySum[s * classes + c];
      }
    }
  }
  return { p, classes, means, cos, sin };
}

/** P_K(L) for the rows of answer s (every row of that answer has it), into `out` [classes]. */
function projectionAt(co: SumDirectionCoefficients, keys: readonly number[], s: number, out: Float64Array): void {
  out.fill(0);
  const scale = Math.SQRT2 / co.p;
  for (const k of keys) {
    const angle = (2 * Math.PI * k * s) / co.p;
    const u = Math.cos(angle) * scale;
    const v = Math.sin(angle) * scale;
    const off = (k - 1) * co.classes;
    for (let c = 0; c < co.classes; c++) out[c] += u * co.cos[off + c] + v * co.sin[off + c];
  }
}

/** Cross-entropy (natural log) and whether the argmax (ties to the first) is `label`, of one logit row. */
function rowLoss(row: ArrayLike<number>, label: number): { loss: number; correct: boolean } {
  let max = -Infinity;
  let argmax = 0;
  for (let c = 0; c < row.length; c++)
    if (row[c] > max) {
      max = row[c];
      argmax = c;
    }
  let sum = 0;
  for (let c = 0; c < row.length; c++) sum += Math.exp(row[c] - max);
  return { loss: Math.log(sum) + max - row[label], correct: argmax === label };
}

/** The restricted logits' cross-entropy and correctness for each answer s (every row of answer s has them). */
export function restrictedByAnswer(co: SumDirectionCoefficients, keys: readonly number[]): { loss: Float64Array; correct: Uint8Array } {
  const row = new Float64Array(co.classes);
  const loss = new Float64Array(co.p);
  const correct = new Uint8Array(co.p);
  for (let s = 0; s < co.p; s++) {
    projectionAt(co, keys, s, row);
    for (let c = 0; c < co.classes; c++) row[c] += co.means[c];
    const r = rowLoss(row, s);
    loss[s] = r.loss;
    correct[s] = r.correct ? 1 : 0;
  }
  return { loss, correct };
}

/**
 * The restricted loss and accuracy (claims.md §2.5): CE over all p^2 rows of P_K(L) + m, with the checkpoint's
 * own m; or over `rows` of the grid (the train or test rows: their restricted loss is stored too).
 */
export function restrictedLoss(co: SumDirectionCoefficients, keys: readonly number[], rows?: { answers: Int32Array; rows: ArrayLike<number> }): { loss: number; accuracy: number } {
  const byAnswer = restrictedByAnswer(co, keys);
  if (!rows) {
    // Every answer labels p rows of the full grid: the mean over all rows is the mean over answers.
    return { loss: byAnswer.loss.reduce((a, b) => a + b, 0) / co.p, accuracy: byAnswer.correct.reduce((a, b) => a + b, 0) / co.p };
  }
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < rows.rows.length; i++) {
    const s = rows.answers[rows.rows[i]];
    loss += byAnswer.loss[s];
    correct += byAnswer.correct[s];
  }
  return { loss: loss / rows.rows.length, accuracy: correct / rows.rows.length };
}

/**
 * The excluded loss (claims.md §2.6): CE over `rows` (the training rows) of L - P_K(L), no mean correction.
 * `logits` and `answers` are the full grid's, as for the coefficients.
 */
export function excludedLoss(co: SumDirectionCoefficients, keys: readonly number[], logits: ArrayLike<number>, answers: Int32Array, rows: ArrayLike<number>): number {
  const projections = new Float64Array(co.p * co.classes);
  const row = new Float64Array(co.classes);
  for (let s = 0; s < co.p; s++) {
    projectionAt(co, keys, s, row);
    projections.set(row, s * co.classes);
  }
  let loss = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const s = answers[r];
    for (let c = 0; c < co.classes; c++) row[c] = logits[r * co.classes + c] - projections[s * co.classes + c];
    loss += rowLoss(row, s).loss;
  }
  return loss / rows.length;
}

/** E_k for every k = 1..(p-1)/2 (index k - 1): the per-frequency excluded losses whose maximum is E_max (§2.6). */
export function excludedLossPerFrequency(co: SumDirectionCoefficients, logits: ArrayLike<number>, answers: Int32Array, rows: ArrayLike<number>): Float64Array {
  const K = (co.p - 1) / 2;
  const out = new Float64Array(K);
  for (let k = 1; k <= K; k++) out[k - 1] = excludedLoss(co, [k], logits, answers, rows);
  return out;
}

/** The first `p` of `classes` columns of [rows, classes] logits: their analysis drops the separator's (claims.md §2.2). */
export function answerColumns(logits: Float32Array, classes: number, p: number): Float32Array {
  if (classes === p) return logits;
  const rows = logits.length / classes;
  const out = new Float32Array(rows * p);
  for (let r = 0; r < rows; r++) out.set(logits.subarray(r * classes, r * classes + p), r * p);
  return out;
}
