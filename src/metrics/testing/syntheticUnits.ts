/**
 * Synthetic activations with a known Fourier structure, for the tests of the FSD machinery.
 * Unit j responds to the answer s as sum_k amp_jk cos(w_k s + theta_jk) (w_k = 2 pi k / p), with its
 * dominant frequency's amplitude well above the others so that no argmax is a near-tie, plus nuisance
 * terms g_j(a) + h_j(b) that depend on one operand only (over the full grid they only shift phi_j by a
 * constant) and an affine change a_j * x + c_j.
 */
import { Rng } from '../../random/rng.js';

export interface SyntheticUnits {
  /** [p*p, units] row-major over the full grid, row a*p + b. */
  activations: Float64Array;
  /** (a + b) mod p per grid row. */
  labels: Int32Array;
  /** The dominant frequency (1..K) of each unit. */
  dominant: number[];
}

/**
 * `dominant[j]` is unit j's dominant frequency; its power exceeds every other frequency's by a factor of at
 * least (2 / 1)^2 = 4 before the nuisance terms, which only move the DC. `silent` units (indices) are constant over the grid instead.
 */
export function syntheticAdditionUnits(p: number, dominant: number[], seed: number, silent: number[] = []): SyntheticUnits {
  const rng = new Rng(seed);
  const units = dominant.length;
  const K = Math.floor(p / 2);
  const response = new Float64Array(units * p);
  const scale = new Float64Array(units);
  const offset = new Float64Array(units);
  const operandA = new Float64Array(units * p);
  const operandB = new Float64Array(units * p);
  for (let j = 0; j < units; j++) {
    scale[j] = (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + 2 * rng.uniform());
    offset[j] = 4 * rng.uniform() - 2;
    if (silent.includes(j)) continue;
    for (let k = 1; k <= K; k++) {
      const nyquist = 2 * k === p;
      // |F(k)| = amp * p / 2 for 0 < k < p/2 but amp * p at the Nyquist frequency (a real cosine of period
      // 2): halve its amplitude so that the power margins hold there too; its phase must be 0 or pi.
      const amp = (k === dominant[j] ? 2 + rng.uniform() : rng.uniform()) * (nyquist ? 0.5 : 1);
      const theta = 2 * Math.PI * rng.uniform();
      const phase = nyquist ? (theta < Math.PI ? 0 : Math.PI) : theta;
      for (let s = 0; s < p; s++) response[j * p + s] += amp * Math.cos((2 * Math.PI * k * s) / p + phase);
    }
    for (let x = 0; x < p; x++) {
      operandA[j * p + x] = rng.normal();
      operandB[j * p + x] = rng.normal();
    }
  }
  const activations = new Float64Array(p * p * units);
  const labels = new Int32Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const row = a * p + b;
      const s = (a + b) % p;
      labels[row] = s;
      for (let j = 0; j < units; j++) {
        const x = response[j * p + s] + operandA[j * p + a] + operandB[j * p + b];
        activations[row * units + j] = scale[j] * x + offset[j];
      }
    }
  }
  return { activations, labels, dominant };
}
