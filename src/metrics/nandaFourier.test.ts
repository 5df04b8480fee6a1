/**
 * Nanda et al.'s Fourier tools (progress-measures claims.md §2) on signals whose answer is known: the basis is
 * orthonormal, norms keep the energy (Parseval), a pure cos(w_k (a + b)) neuron has frequency k and fraction 1,
 * and W_L carries the MLP's hidden to the logits as the model does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fourierComponentNorms,
  frequencyNorms,
  keysAboveFraction,
  nandaBasis,
  neuronFrequencies,
  neuronLogitMap,
  residualOutsideKeys,
} from './nandaFourier.js';

const P = 13;
const w = (k: number) => (2 * Math.PI * k) / P;

/** A [p*p, units] grid of neurons, neuron u = f_u(a, b). */
function grid(fs: ((a: number, b: number) => number)[]): Float64Array {
  const out = new Float64Array(P * P * fs.length);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) fs.forEach((f, u) => (out[(a * P + b) * fs.length + u] = f(a, b)));
  return out;
}

describe("Nanda et al.'s Fourier tools", () => {
  it('F is orthonormal: row 0 constant, rows 2k-1 and 2k the cos and sin of frequency k', () => {
    const F = nandaBasis(P);
    for (let i = 0; i < P; i++)
      for (let j = 0; j < P; j++) {
        let dot = 0;
        for (let x = 0; x < P; x++) dot += F[i * P + x] * F[j * P + x];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    expect(F[0]).toBeCloseTo(1 / Math.sqrt(P), 14);
    expect(F[(2 * 3 - 1) * P + 1] / F[(2 * 3 - 1) * P]).toBeCloseTo(Math.cos(w(3)), 12);
    expect(() => nandaBasis(12)).toThrow(/odd p/);
  });

  it('component norms keep the energy, and a cos(w_k x) column lives in row 2k-1 alone', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: P * 3, maxLength: P * 3 }), (values) => {
        const norms = fourierComponentNorms(values, P, 3);
        const energy = values.reduce((s, x) => s + x * x, 0);
        expect(norms.reduce((s, l) => s + l * l, 0)).toBeCloseTo(energy, 8);
      }),
    );
    const X = Float64Array.from({ length: P }, (_, x) => Math.cos(w(4) * x));
    const norms = fourierComponentNorms(X, P, 1);
    const byK = frequencyNorms(norms);
    expect(byK).toHaveLength((P - 1) / 2);
    expect(byK[3]).toBeCloseTo(Math.sqrt(P / 2), 10);
    expect(byK.filter((n, i) => i !== 3).every((n) => n < 1e-10)).toBe(true);
    expect(keysAboveFraction(byK)).toEqual([4]);
    expect(residualOutsideKeys(norms, [4])).toBeLessThan(1e-20);
    expect(residualOutsideKeys(norms, [2])).toBeCloseTo(1, 12);
  });

  it('a quarter of the largest norm is the cut of wl-nontrivial and we-quarter', () => {
    expect(keysAboveFraction([1, 0.25, 0.2499, 0, 0.5])).toEqual([1, 2, 5]);
    expect(keysAboveFraction([0, 0])).toEqual([]);
  });

  it('neuron-argmax: each neuron gets the frequency it is made of, with the fraction it explains', () => {
    const hidden = grid([
      (a, b) => Math.cos(w(3) * (a + b)),
      (a, b) => 1 + Math.sin(w(5) * (a + b)),
      (a) => Math.cos(w(2) * a),
      (a, b) => 2 * Math.cos(w(6) * (a + b)) + 0.5 * Math.cos(w(1) * a),
      () => 7,
    ]);
    const { frequency, fraction, keys } = neuronFrequencies(hidden, P, 5);
    expect(Array.from(frequency)).toEqual([3, 5, 2, 6, 0]);
    expect(fraction[0]).toBeCloseTo(1, 10);
    expect(fraction[1]).toBeCloseTo(1, 10);
    expect(fraction[2]).toBeCloseTo(1, 10);
    expect(fraction[3]).toBeCloseTo(4 / 4.25, 10); // energies 2^2 : 0.5^2 over the grid
    expect(keys).toEqual([2, 3, 5, 6]);
    // min-share: a frequency only one neuron in five picks stays under a 25% share.
    expect(neuronFrequencies(hidden, P, 5, 0.25).keys).toEqual([]);
    expect(neuronFrequencies(grid([(a, b) => Math.cos(w(3) * (a + b)), (a, b) => Math.sin(w(3) * (a - b)), (a) => Math.cos(w(4) * a)]), P, 3, 0.5).keys).toEqual([3]);
  });

  it('W_L carries an MLP hidden to the logits as the model does: (h W_out) W_U = W_L h, separator column dropped', () => {
    const dModel = 4;
    const dMlp = 6;
    const classes = P + 1;
    const rnd = (n: number, seed: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 97.13 + i * 12.9898) * 1.7);
    const WU = rnd(dModel * classes, 1);
    const Wout = rnd(dMlp * dModel, 2);
    const h = rnd(dMlp, 3);
    const WL = neuronLogitMap(WU, Wout, P, dModel, dMlp, classes);
    const resid = Array.from({ length: dModel }, (_, m) => h.reduce((s, hj, j) => s + hj * Wout[j * dModel + m], 0));
    for (let c = 0; c < P; c++) {
      const viaModel = resid.reduce((s, x, m) => s + x * WU[m * classes + c], 0);
      const viaWL = h.reduce((s, hj, j) => s + WL[c * dMlp + j] * hj, 0);
      expect(viaWL).toBeCloseTo(viaModel, 10);
    }
  });
});
