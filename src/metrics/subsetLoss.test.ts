import { describe, expect, it } from 'vitest';
import { subsetLossAccuracy } from './subsetLoss.js';

describe('subsetLossAccuracy', () => {
  it('matches a hand computation and uses only the chosen rows', () => {
    // Row 0: logits [0, ln 3] label 1 -> p = 3/4, loss = ln(4/3), correct. Row 1: [2, 0] label 1 -> wrong.
    const logits = new Float32Array([0, Math.log(3), 2, 0, 5, 5]);
    const labels = new Int32Array([1, 1, 1]);
    const r = subsetLossAccuracy(logits, 2, labels, [0, 1]);
    expect(r.loss).toBeCloseTo((Math.log(4 / 3) + Math.log(1 + Math.exp(2))) / 2, 6);
    expect(r.accuracy).toBe(0.5);
    // A tie goes to the first index, so row 2 (label 1) is wrong.
    expect(subsetLossAccuracy(logits, 2, labels, [2]).accuracy).toBe(0);
    expect(subsetLossAccuracy(logits, 2, labels, [0]).accuracy).toBe(1);
    expect(Number.isNaN(subsetLossAccuracy(logits, 2, labels, []).loss)).toBe(true);
  });
});
