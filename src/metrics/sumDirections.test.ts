/**
 * The sum directions through the answer (sumDirections.ts) against the row-by-row projection of
 * progressMeasures.ts (splitLogits): the same restricted and excluded losses, on any logits and key set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { excludedLossByFrequency, progressMeasuresFromLogits } from './progressMeasures.js';
import { subsetLossAccuracy } from './subsetLoss.js';
import { answerColumns, excludedLoss, excludedLossPerFrequency, restrictedLoss, sumDirectionCoefficients } from './sumDirections.js';

const grid = (p: number) => Int32Array.from({ length: p * p }, (_, r) => (Math.floor(r / p) + (r % p)) % p);

describe('sum directions through the answer', () => {
  it('give the restricted and excluded losses of the row-by-row projection, for any logits and keys', () => {
    fc.assert(
      fc.property(fc.constantFrom(5, 7, 11), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 3 }), (p, seed, keyCount) => {
        let x = seed;
        const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 6 - 3;
        const answers = grid(p);
        const logits = Float32Array.from({ length: p * p * p }, random);
        const keys = [...new Set(Array.from({ length: keyCount }, (_, i) => 1 + ((seed + 3 * i) % ((p - 1) / 2))))].sort((a, b) => a - b);
        const train = Int32Array.from({ length: Math.floor(0.3 * p * p) }, (_, i) => (i * 13) % (p * p));
        const reference = progressMeasuresFromLogits(logits, p, answers, p, keys, train);
        const co = sumDirectionCoefficients(logits, p, answers, p);
        expect(restrictedLoss(co, keys).loss).toBeCloseTo(reference.restrictedLoss, 5);
        expect(excludedLoss(co, keys, logits, answers, train)).toBeCloseTo(reference.excludedLoss, 5);
        const perK = excludedLossPerFrequency(co, logits, answers, train);
        const byK = excludedLossByFrequency(logits, p, answers, p, train, Array.from({ length: (p - 1) / 2 }, (_, i) => i + 1));
        for (const [k, e] of byK) expect(perK[k - 1]).toBeCloseTo(e, 5);
      }),
      { numRuns: 40 },
    );
  });

  it("read the answer through frequency 3: keeping only it keeps the loss, the accuracy is 1, and dropping the separator's column leaves the rest", () => {
    const p = 11;
    const answers = grid(p);
    const logits = new Float32Array(p * p * (p + 1));
    for (let r = 0; r < p * p; r++) {
      for (let c = 0; c < p; c++) logits[r * (p + 1) + c] = 8 * Math.cos((2 * Math.PI * 3 * (answers[r] - c)) / p);
      logits[r * (p + 1) + p] = -50;
    }
    const answerLogits = answerColumns(logits, p + 1, p);
    expect(answerLogits.length).toBe(p * p * p);
    expect(answerLogits[p]).toBe(logits[p + 1]);
    const co = sumDirectionCoefficients(answerLogits, p, answers, p);
    expect(restrictedLoss(co, [3]).accuracy).toBe(1);
    const all = Int32Array.from({ length: p * p }, (_, r) => r);
    expect(restrictedLoss(co, [3]).loss).toBeCloseTo(subsetLossAccuracy(answerLogits, p, answers, all).loss, 5);
    expect(restrictedLoss(co, [2]).loss).toBeCloseTo(Math.log(p), 5);
  });
});

describe('the restricted loss on a subset of rows', () => {
  it('is the mean of its rows\' restricted cross-entropy, and on every row the all-pairs loss', () => {
    const p = 7;
    const answers = grid(p);
    const logits = Float32Array.from({ length: p * p * p }, (_, i) => Math.sin(i * 0.37) * 3);
    const co = sumDirectionCoefficients(logits, p, answers, p);
    const all = Int32Array.from({ length: p * p }, (_, r) => r);
    expect(restrictedLoss(co, [2], { answers, rows: all }).loss).toBeCloseTo(restrictedLoss(co, [2]).loss, 12);
    const some = Int32Array.from([0, 8, 9, 30]);
    const byAnswer = [...some].map((r) => answers[r]);
    const alone = byAnswer.map((s) => restrictedLoss(co, [2], { answers, rows: Int32Array.from([answers.indexOf(s)]) }).loss);
    expect(restrictedLoss(co, [2], { answers, rows: some }).loss).toBeCloseTo(alone.reduce((a, b) => a + b, 0) / alone.length, 12);
  });
});
