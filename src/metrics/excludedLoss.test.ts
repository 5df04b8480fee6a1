/**
 * Nanda et al.'s excluded loss per frequency (progress-measures claims.md §2.6) on logits whose make-up is known:
 * logits that read the answer through frequency 3 lose it when frequency 3 is excluded (chance), and are
 * untouched when any other frequency is; E_max is the loss at frequency 3.
 */
import { describe, expect, it } from 'vitest';
import { excludedLossByFrequency } from './progressMeasures.js';
import { subsetLossAccuracy } from './subsetLoss.js';

describe('excluded loss by frequency', () => {
  const p = 11;
  const answers = Int32Array.from({ length: p * p }, (_, r) => (Math.floor(r / p) + (r % p)) % p);
  // logit[r, c] = 8 cos(w_3 (s_r - c)): the answer s_r read through frequency 3 only.
  const logits = new Float32Array(p * p * p);
  for (let r = 0; r < p * p; r++) for (let c = 0; c < p; c++) logits[r * p + c] = 8 * Math.cos((2 * Math.PI * 3 * (answers[r] - c)) / p);
  const train = Int32Array.from({ length: 40 }, (_, i) => (i * 7) % (p * p));
  const all = [1, 2, 3, 4, 5];
  const byK = excludedLossByFrequency(logits, p, answers, p, train, all);

  it("rises to chance (log p) when the frequency the logits use is excluded, and is the logits' own loss otherwise", () => {
    const own = subsetLossAccuracy(logits, p, answers, train).loss;
    expect(own).toBeLessThan(0.5);
    expect(byK.get(3)!).toBeCloseTo(Math.log(p), 5);
    for (const k of [1, 2, 4, 5]) expect(byK.get(k)!, `E_${k}`).toBeCloseTo(own, 5);
  });

  it('E_max over every frequency is E at the frequency in use', () => {
    expect(Math.max(...byK.values())).toBe(byK.get(3));
  });
});
