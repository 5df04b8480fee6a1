/**
 * C13's evidence: the FSD properties of metrics.md ("Properties every implementation must have") checked on
 * seeded generated activations by calling the metric itself (not vitest), so `verify` reports them as a
 * claim. Inputs are built without exact ties: each unit's response is a sum of cosines whose dominant
 * amplitude exceeds every other by a margin, plus small noise, so every dominant frequency is unambiguous and
 * each transformation must leave FSD bit-identical (FSD is a function of integer counts).
 */
import { fourierFsd } from '../../metrics/fsd.js';
import { Rng } from '../../random/rng.js';

export interface PropertyCheck {
  name: string;
  trials: number;
  failures: number;
  /** The first failing case, described. */
  example?: string;
}

const PRIMES = [5, 7, 11, 13, 17, 19, 23, 29];

interface Case {
  p: number;
  units: number;
  labels: Int32Array;
  activations: Float64Array;
}

const fsdOf = (fsd: FsdFunction, c: Case) => fsd(c.activations, c.units, c.labels, c.p);

/** A generated case: `rowsPerAnswer` rows per answer s; unit j responds mostly at its dominant frequency. */
function generateCase(rng: Rng, options: { sameDominant?: boolean } = {}): Case {
  const p = PRIMES[rng.int(PRIMES.length)];
  const K = Math.floor(p / 2);
  const units = 2 + rng.int(30);
  const rowsPerAnswer = 1 + rng.int(3);
  const rows = p * rowsPerAnswer;
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) labels[r] = r % p;
  // A few shared favourite frequencies so the histograms are uneven (FSD away from 0).
  const favourites = [1 + rng.int(K), 1 + rng.int(K)];
  const common = 1 + rng.int(K);
  const activations = new Float64Array(rows * units);
  for (let j = 0; j < units; j++) {
    const dominant = options.sameDominant ? common : rng.uniform() < 0.6 ? favourites[rng.int(2)] : 1 + rng.int(K);
    const amp = new Float64Array(K + 1);
    const phase = new Float64Array(K + 1);
    for (let k = 1; k <= K; k++) {
      amp[k] = k === dominant ? 1 : 0.7 * rng.uniform();
      phase[k] = 2 * Math.PI * rng.uniform();
    }
    const offset = 3 * rng.normal();
    for (let r = 0; r < rows; r++) {
      let v = offset;
      for (let k = 1; k <= K; k++) v += amp[k] * Math.cos((2 * Math.PI * k * labels[r]) / p + phase[k]);
      activations[r * units + j] = v + 0.01 * rng.normal();
    }
  }
  return { p, units, labels, activations };
}

/** The FSD under test: activations [rows, units], the answer of each row, the modulus. */
export type FsdFunction = (activations: Float64Array, units: number, labels: Int32Array, p: number) => number;

export const metricFsd: FsdFunction = (activations, units, labels, p) => fourierFsd(activations, units, labels, p).fsd;

function mapUnits(c: Case, f: (value: number, unit: number) => number): Case {
  const out = new Float64Array(c.activations.length);
  for (let i = 0; i < out.length; i++) out[i] = f(c.activations[i], i % c.units);
  return { ...c, activations: out };
}

function permuteUnits(c: Case, perm: Int32Array): Case {
  const out = new Float64Array(c.activations.length);
  const rows = c.labels.length;
  for (let r = 0; r < rows; r++) for (let j = 0; j < c.units; j++) out[r * c.units + j] = c.activations[r * c.units + perm[j]];
  return { ...c, activations: out };
}

function relabel(c: Case, f: (s: number) => number): Case {
  return { ...c, labels: Int32Array.from(c.labels, f) };
}

type Property = (rng: Rng, fsd: FsdFunction) => { ok: boolean; describe: string };

const PROPERTIES: Record<string, Property> = {
  'FSD in [0, 1] on random activations': (rng, fsd) => {
    const c = generateCase(rng);
    const noise = mapUnits(c, () => rng.normal());
    const v = fsdOf(fsd, noise), w = fsdOf(fsd, c);
    return { ok: v >= 0 && v <= 1 && w >= 0 && w <= 1, describe: `p=${c.p} units=${c.units}: FSD ${v}, ${w}` };
  },
  'FSD = 1 when every unit has the same dominant frequency': (rng, fsd) => {
    const c = generateCase(rng, { sameDominant: true });
    const v = fsdOf(fsd, c);
    return { ok: v === 1, describe: `p=${c.p} units=${c.units}: FSD ${v}` };
  },
  'invariant to permuting the units': (rng, fsd) => {
    const c = generateCase(rng);
    const perm = rng.permutation(c.units);
    const a = fsdOf(fsd, c), b = fsdOf(fsd, permuteUnits(c, perm));
    return { ok: a === b, describe: `p=${c.p} units=${c.units}: ${a} vs ${b}` };
  },
  'invariant to scaling a unit by a positive or negative factor': (rng, fsd) => {
    const c = generateCase(rng);
    const factors = Array.from({ length: c.units }, () => (rng.uniform() < 0.5 ? -1 : 1) * (0.1 + 9.9 * rng.uniform()));
    const a = fsdOf(fsd, c), b = fsdOf(fsd, mapUnits(c, (v, j) => v * factors[j]));
    return { ok: a === b, describe: `p=${c.p} units=${c.units}: ${a} vs ${b}` };
  },
  'invariant to adding a constant to a unit': (rng, fsd) => {
    const c = generateCase(rng);
    const shifts = Array.from({ length: c.units }, () => 100 * rng.normal());
    const a = fsdOf(fsd, c), b = fsdOf(fsd, mapUnits(c, (v, j) => v + shifts[j]));
    return { ok: a === b, describe: `p=${c.p} units=${c.units}: ${a} vs ${b}` };
  },
  'invariant to a cyclic shift of the answers s -> s + t': (rng, fsd) => {
    const c = generateCase(rng);
    const t = 1 + rng.int(c.p - 1);
    const a = fsdOf(fsd, c), b = fsdOf(fsd, relabel(c, (s) => (s + t) % c.p));
    return { ok: a === b, describe: `p=${c.p} t=${t}: ${a} vs ${b}` };
  },
  'invariant to relabelling s -> u*s mod p (u a unit of Z_p)': (rng, fsd) => {
    const c = generateCase(rng);
    const u = 2 + rng.int(c.p - 2);
    const a = fsdOf(fsd, c), b = fsdOf(fsd, relabel(c, (s) => (u * s) % c.p));
    return { ok: a === b, describe: `p=${c.p} u=${u}: ${a} vs ${b}` };
  },
};

export const FSD_PROPERTY_NAMES = Object.keys(PROPERTIES);

/** Runs every property on `trials` seeded cases each, against `fsd` (default: the metric). Deterministic for a seed. */
export function checkFsdProperties(seed = 13, trials = 40, fsd: FsdFunction = metricFsd): PropertyCheck[] {
  return Object.entries(PROPERTIES).map(([name, property], index) => {
    const rng = new Rng(seed * 1000 + index);
    let failures = 0;
    let example: string | undefined;
    for (let t = 0; t < trials; t++) {
      const { ok, describe } = property(rng, fsd);
      if (!ok) {
        failures++;
        example ??= describe;
      }
    }
    return { name, trials, failures, ...(example === undefined ? {} : { example }) };
  });
}
