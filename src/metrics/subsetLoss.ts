/**
 * Cross-entropy and accuracy of full-grid logits on a subset of grid rows (train or validation), so one grid
 * evaluation per checkpoint serves both sets. Accumulated in float64; argmax ties go to the first index, as
 * in the engines.
 */
export interface LossAccuracy {
  loss: number;
  accuracy: number;
}

export function subsetLossAccuracy(
  logits: Float32Array,
  classes: number,
  labels: Int32Array,
  rows: ArrayLike<number>,
): LossAccuracy {
  if (rows.length === 0) return { loss: NaN, accuracy: NaN };
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const off = r * classes;
    let max = -Infinity, argmax = 0;
    for (let c = 0; c < classes; c++) {
      const v = logits[off + c];
      if (v > max) {
        max = v;
        argmax = c;
      }
    }
    let sumExp = 0;
    for (let c = 0; c < classes; c++) sumExp += Math.exp(logits[off + c] - max);
    lossSum += Math.log(sumExp) + max - logits[off + labels[r]];
    if (argmax === labels[r]) correct++;
  }
  return { loss: lossSum / rows.length, accuracy: correct / rows.length };
}
