import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../random/rng.js';
import { makeTask } from '../tasks/task.js';
import { answerResponse, removeMean } from './answerResponse.js';
import { fourierFsd, fsdFromCounts, fsdTopMFromCounts, multiplicativeFsd, silentMask } from './fsd.js';
import { discreteLogTable } from './discreteLog.js';
import { cyclicBasis, unitPowers } from './spectralBasis.js';
import { syntheticAdditionUnits } from './testing/syntheticUnits.js';

/** |sum_s x_s exp(-2 pi i k s / p)|^2 by the textbook formula, for comparison. */
function naivePower(x: ArrayLike<number>, k: number): number {
  const p = x.length;
  let re = 0, im = 0;
  for (let s = 0; s < p; s++) {
    re += x[s] * Math.cos((2 * Math.PI * k * s) / p);
    im -= x[s] * Math.sin((2 * Math.PI * k * s) / p);
  }
  return re * re + im * im;
}

function randomActivations(rows: number, units: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: rows * units }, () => rng.normal());
}

/** Copies unit columns of a [rows, units] matrix in a new order. */
function selectUnits(a: Float64Array, units: number, order: number[]): Float64Array {
  const rows = a.length / units;
  const out = new Float64Array(rows * order.length);
  for (let r = 0; r < rows; r++) order.forEach((j, i) => (out[r * order.length + i] = a[r * units + j]));
  return out;
}

const primes = [5, 7, 11, 13, 17, 19, 23];
const modulus = fc.constantFrom(...primes, 8, 12, 16);

/** Random synthetic problems: p, per-unit dominant frequencies (with margins) and a seed. */
const synthetic = modulus.chain((p) =>
  fc.record({
    p: fc.constant(p),
    dominant: fc.array(fc.integer({ min: 1, max: Math.floor(p / 2) }), { minLength: 1, maxLength: 12 }),
    seed: fc.nat(),
  }),
);

describe('answerResponse (metrics.md FSD step 1)', () => {
  it('averages each unit over the rows of each answer and records the counts', () => {
    // 5 rows, 2 units, answers in Z_3; answer 2 has no row.
    const acts = Float64Array.from([1, 10, 3, 20, 5, 30, 7, 40, 9, 50]);
    const labels = Int32Array.from([0, 1, 0, 1, 1]);
    const r = answerResponse(acts, 2, labels, 3);
    expect(Array.from(r.counts)).toEqual([2, 3, 0]);
    expect(r.minCount).toBe(0);
    // unit 0: answer 0 -> (1+5)/2 = 3, answer 1 -> (3+7+9)/3 = 19/3, answer 2 -> mean of those = (3 + 19/3)/2
    expect(r.phi[0]).toBe(3);
    expect(r.phi[1]).toBeCloseTo(19 / 3, 14);
    expect(r.phi[2]).toBeCloseTo((3 + 19 / 3) / 2, 14);
    // unit 1: 20, (20+40+50)/3
    expect(r.phi[3]).toBe(20);
    expect(r.phi[4]).toBeCloseTo(110 / 3, 13);
  });

  it('has exactly p rows per answer on the full grid for add, sub and mul (except mul by 0)', () => {
    const p = 7;
    for (const kind of ['mod_add', 'mod_sub'] as const) {
      const task = makeTask(kind, p);
      const r = answerResponse(new Float64Array(task.gridSize), 1, task.labels, p);
      expect(Array.from(r.counts)).toEqual(new Array(p).fill(p));
    }
    const mul = makeTask('mod_mul', p);
    const r = answerResponse(new Float64Array(mul.gridSize), 1, mul.labels, p);
    expect(r.counts[0]).toBe(2 * p - 1);
    expect(r.minCount).toBe(p - 1);
  });

  it('rejects labels outside 0..classes-1 and mismatched shapes', () => {
    expect(() => answerResponse(new Float64Array(4), 2, Int32Array.from([0, 3]), 3)).toThrow(/outside/);
    expect(() => answerResponse(new Float64Array(5), 2, Int32Array.from([0, 1]), 3)).toThrow(/expected rows/);
    expect(() => answerResponse(Float64Array.from([0, 1, NaN, 2]), 2, Int32Array.from([0, 1]), 3)).toThrow(/unit 0 are not finite/);
  });

  it('removeMean leaves each unit with zero mean', () => {
    const phi = Float64Array.from([1, 2, 3, 10, 10, 40]);
    const c = removeMean(phi, 2, 3);
    expect(Array.from(c)).toEqual([-1, 0, 1, -10, -10, 20]);
  });
});

describe('Z_p power spectrum (metrics.md FSD step 2)', () => {
  it('equals |DFT|^2 for every frequency, odd and even p', () => {
    for (const p of [2, 3, 4, 5, 12, 13, 97]) {
      const rng = new Rng(p);
      const x = Float64Array.from({ length: p }, () => rng.normal());
      const basis = cyclicBasis(p);
      const power = unitPowers(x, 1, basis);
      expect(power.length).toBe(Math.floor(p / 2));
      for (let k = 1; k <= Math.floor(p / 2); k++) {
        const expected = naivePower(x, k);
        expect(Math.abs(power[k - 1] - expected)).toBeLessThan(1e-10 * (1 + expected));
      }
    }
  });

  it('of a pure cosine at frequency k puts all the energy in bin k', () => {
    const p = 11;
    const x = Float64Array.from({ length: p }, (_, s) => Math.cos((2 * Math.PI * 3 * s) / p + 0.4));
    const power = unitPowers(x, 1, cyclicBasis(p));
    // |F(3)|^2 = (p/2)^2 for a unit-amplitude cosine.
    expect(power[2]).toBeCloseTo((p / 2) ** 2, 10);
    for (const k of [1, 2, 4, 5]) expect(power[k - 1]).toBeLessThan(1e-20);
  });
});

describe('FSD (metrics.md FSD steps 3-7)', () => {
  it('matches a hand-computed value: 2 units at k = 1, 1 at k = 2, p = 5 (K = 2) gives (2/3 - 1/2)/(1/2) = 1/3', () => {
    const { activations, labels } = syntheticAdditionUnits(5, [1, 2, 1], 3);
    const r = fourierFsd(activations, 3, labels, 5);
    expect(Array.from(r.dominant)).toEqual([0, 1, 0]);
    expect(Array.from(r.counts)).toEqual([2, 1]);
    expect(r.fsd).toBeCloseTo(1 / 3, 15);
    expect(r.topFrequency).toBe(1);
    expect(r.participation[0]).toBeCloseTo(2 / 3, 15);
  });

  it('finds the planted dominant frequency of every unit', () => {
    fc.assert(
      fc.property(synthetic, ({ p, dominant, seed }) => {
        const { activations, labels } = syntheticAdditionUnits(p, dominant, seed);
        const r = fourierFsd(activations, dominant.length, labels, p);
        expect(Array.from(r.dominant, (b) => b + 1)).toEqual(dominant);
      }),
      { numRuns: 60 },
    );
  });

  it('is 1 when every unit has the same dominant frequency', () => {
    fc.assert(
      fc.property(modulus, fc.integer({ min: 1, max: 12 }), fc.nat(), fc.nat(), (p, units, kSeed, seed) => {
        const k = 1 + (kSeed % Math.floor(p / 2));
        const { activations, labels } = syntheticAdditionUnits(p, new Array(units).fill(k), seed);
        const r = fourierFsd(activations, units, labels, p);
        expect(r.fsd).toBe(1);
        expect(r.topFrequency).toBe(k);
      }),
      { numRuns: 40 },
    );
  });

  it('is 0 when the units spread evenly over the K frequencies', () => {
    const p = 11;
    const { activations, labels } = syntheticAdditionUnits(p, [1, 2, 3, 4, 5, 5, 4, 3, 2, 1], 9);
    expect(fourierFsd(activations, 10, labels, p).fsd).toBe(0);
  });

  it('lies in [0, 1] for random activations, any subset of the grid and any m', () => {
    fc.assert(
      fc.property(modulus, fc.integer({ min: 1, max: 20 }), fc.nat(), fc.double({ min: 0.05, max: 1, noNaN: true }), (p, units, seed, keep) => {
        const task = makeTask('mod_add', p);
        const rng = new Rng(seed);
        const rows = Array.from({ length: task.gridSize }, (_, i) => i).filter(() => rng.uniform() < keep);
        const acts = randomActivations(rows.length, units, seed);
        const labels = Int32Array.from(rows, (i) => task.labels[i]);
        const r = fourierFsd(acts, units, labels, p);
        expect(r.fsd).toBeGreaterThanOrEqual(0);
        expect(r.fsd).toBeLessThanOrEqual(1);
        for (let m = 1; m < Math.floor(p / 2); m++) {
          const f = fsdTopMFromCounts(r.counts, r.countedUnits, m);
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThanOrEqual(1 + 1e-15);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is invariant to permuting the units', () => {
    fc.assert(
      fc.property(synthetic, fc.nat(), ({ p, dominant, seed }, permSeed) => {
        const units = dominant.length;
        const { activations, labels } = syntheticAdditionUnits(p, dominant, seed);
        const order = Array.from(new Rng(permSeed).permutation(units));
        const a = fourierFsd(activations, units, labels, p);
        const b = fourierFsd(selectUnits(activations, units, order), units, labels, p);
        expect(b.fsd).toBe(a.fsd);
        expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
      }),
      { numRuns: 40 },
    );
  });

  it('is invariant to scaling a unit by a positive or negative factor and to adding a constant', () => {
    fc.assert(
      fc.property(
        synthetic,
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.boolean(),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.nat(),
        ({ p, dominant, seed }, factor, negative, shift, which) => {
          const units = dominant.length;
          const { activations, labels } = syntheticAdditionUnits(p, dominant, seed);
          const j = which % units;
          const changed = Float64Array.from(activations, (v, i) => (i % units === j ? (negative ? -factor : factor) * v + shift : v));
          const a = fourierFsd(activations, units, labels, p);
          const b = fourierFsd(changed, units, labels, p);
          expect(b.fsd).toBe(a.fsd);
          expect(Array.from(b.dominant)).toEqual(Array.from(a.dominant));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is invariant to a cyclic shift of the answer labels s -> s + t', () => {
    fc.assert(
      fc.property(synthetic, fc.nat(), ({ p, dominant, seed }, t) => {
        const units = dominant.length;
        const { activations, labels } = syntheticAdditionUnits(p, dominant, seed);
        const shifted = Int32Array.from(labels, (s) => (s + t) % p);
        const a = fourierFsd(activations, units, labels, p);
        const b = fourierFsd(activations, units, shifted, p);
        expect(b.fsd).toBe(a.fsd);
        expect(Array.from(b.dominant)).toEqual(Array.from(a.dominant));
      }),
      { numRuns: 40 },
    );
  });

  it('is invariant to the relabelling s -> u*s mod p, which maps frequency k to +-u^-1 k', () => {
    const unitsOf = (p: number) => Array.from({ length: p - 1 }, (_, i) => i + 1).filter((u) => gcd(u, p) === 1);
    fc.assert(
      fc.property(synthetic, fc.nat(), ({ p, dominant, seed }, pick) => {
        const units = dominant.length;
        const choices = unitsOf(p);
        const u = choices[pick % choices.length];
        const uInv = choices.find((v) => (u * v) % p === 1)!;
        const { activations, labels } = syntheticAdditionUnits(p, dominant, seed);
        const relabelled = Int32Array.from(labels, (s) => (u * s) % p);
        const a = fourierFsd(activations, units, labels, p);
        const b = fourierFsd(activations, units, relabelled, p);
        expect(b.fsd).toBe(a.fsd);
        const fold = (k: number) => Math.min(k % p, p - (k % p));
        expect(Array.from(b.dominant, (d) => d + 1)).toEqual(Array.from(a.dominant, (d) => fold((uInv * (d + 1)) % p)));
      }),
      { numRuns: 40 },
    );
  });
});

describe('silent units (metrics.md FSD step 3)', () => {
  it('marks units below 1e-9 of the largest energy, or exactly 0, as silent', () => {
    expect(Array.from(silentMask(Float64Array.from([1, 1e-10, 2e-9, 0])))).toEqual([0, 1, 0, 1]);
    expect(Array.from(silentMask(Float64Array.from([0, 0])))).toEqual([1, 1]);
    expect(Array.from(silentMask(Float64Array.from([1, 1e-7]), 1e-6))).toEqual([0, 1]);
  });

  it('leaves constant units out (canonical) and counts them with option include', () => {
    const p = 7;
    const { activations, labels } = syntheticAdditionUnits(p, [2, 2, 3, 2, 1], 4, [3, 4]);
    const r = fourierFsd(activations, 5, labels, p);
    expect(r.silentUnits).toBe(2);
    expect(r.countedUnits).toBe(3);
    expect(Array.from(r.dominant)).toEqual([1, 1, 2, -1, -1]);
    // par(2) = 2/3, K = 3: (2/3 - 1/3) / (2/3) = 1/2
    expect(r.fsd).toBeCloseTo(0.5, 15);
    const inc = fourierFsd(activations, 5, labels, p, { silentUnits: 'include' });
    expect(inc.countedUnits).toBe(5);
    expect(inc.silentUnits).toBe(2);
  });

  it('gives FSD 0 and "no signal" when every unit is silent', () => {
    const p = 7;
    const acts = new Float64Array(p * p * 3).fill(2.5);
    for (const silentUnits of ['exclude', 'include'] as const) {
      const r = fourierFsd(acts, 3, makeTask('mod_add', p).labels, p, { silentUnits });
      expect(r.noSignal).toBe(true);
      expect(r.fsd).toBe(0);
      expect(r.topFrequency).toBeNull();
      expect(Array.from(r.participation)).toEqual([0, 0, 0]);
    }
  });
});

describe('FSD from a histogram (metrics.md steps 6-7)', () => {
  it('computes FSD and FSD_m by the formulas', () => {
    const counts = Int32Array.from([5, 1, 3, 1]);
    expect(fsdFromCounts(counts, 10)).toBeCloseTo((0.5 - 0.25) / 0.75, 15);
    expect(fsdTopMFromCounts(counts, 10, 2)).toBeCloseTo((0.8 - 0.5) / 0.5, 15);
    expect(fsdTopMFromCounts(counts, 10, 3)).toBeCloseTo((0.9 - 0.75) / 0.25, 14);
    expect(fsdFromCounts(new Int32Array(4), 0)).toBe(0);
    expect(() => fsdTopMFromCounts(counts, 10, 4)).toThrow(/FSD_m/);
  });
});

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

describe('FSD in the multiplicative basis (metrics.md fsd.basis = multiplicative)', () => {
  /** Units that respond to cos(2 pi k log_g(c) / (p-1)) of the product c = a*b: a multiplicative circuit. */
  function multiplicativeUnits(p: number, ks: number[]): { acts: Float64Array; labels: Int32Array; units: number } {
    const task = makeTask('mod_mul', p);
    const log = discreteLogTable(p);
    const units = ks.length;
    const acts = new Float64Array(task.labels.length * units);
    task.labels.forEach((c, i) => ks.forEach((k, j) => (acts[i * units + j] = c === 0 ? 5 : Math.cos((2 * Math.PI * k * log[c]) / (p - 1) + j))));
    return { acts, labels: task.labels, units };
  }

  it('is 1 for a circuit that shares one frequency of Z_{p-1}, where additive FSD sees little', () => {
    const p = 13;
    const { acts, labels, units } = multiplicativeUnits(p, [2, 2, 2, 2, 2, 2, 2, 2]);
    expect(multiplicativeFsd(acts, units, labels, p).fsd).toBe(1);
    expect(multiplicativeFsd(acts, units, labels, p).topFrequency).toBe(2);
    expect(fourierFsd(acts, units, labels, p).fsd).toBeLessThan(1);
  });

  it('leaves out the rows with answer 0 (they have no logarithm)', () => {
    const p = 7;
    const { acts, labels, units } = multiplicativeUnits(p, [1, 1, 1]);
    const poisoned = acts.slice();
    labels.forEach((c, i) => {
      if (c === 0) for (let j = 0; j < units; j++) poisoned[i * units + j] = 1e6 * (j + 1) * (i % 3);
    });
    expect(multiplicativeFsd(poisoned, units, labels, p)).toEqual(multiplicativeFsd(acts, units, labels, p));
  });
});
