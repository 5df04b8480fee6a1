/**
 * FSD_gen for any finite group (shared/spec/metrics.md, "FSD_gen"): phi_j(c) is the unit's mean activation
 * over the pairs whose answer is c; for each non-trivial irrep rho of dimension d,
 * P_j(rho) = (d / |G|) * ||sum_c phi_j(c) rho(c)||_F^2; a unit's top irrep maximises P_j(rho) / d^2;
 * par(rho) and FSD_gen = (max par - c) / (1 - c) with c = 1 / (number of non-trivial irreps), silent units as
 * in FSD. The null is i.i.d. Gaussian activations of the same shape (gaussianNull over groupBasis); the
 * "Z_n control" is plain FSD with the answer index read as an element of Z_|G| (fourierFsd).
 */
import type { Activations } from './answerResponse.js';
import { fsdOverBasis, type BasisFsd, type FsdOptions } from './fsd.js';
import { isTrivial, type Irrep } from './irreps.js';
import type { SpectralBasis } from './spectralBasis.js';

/**
 * The basis whose bins are the non-trivial irreps: one column per matrix entry (r, c) of each, holding
 * rho(g)[r, c] at row g, so that a bin's coefficients are the entries of sum_g phi(g) rho(g);
 * powerWeight = d / |G| and rankDivisor = d^2. Bin labels are indices into `irreps`.
 */
export function groupBasis(irreps: Irrep[]): SpectralBasis {
  if (irreps.length === 0) throw new RangeError('a group needs at least one irrep');
  const order = irreps[0].matrices.length / irreps[0].dim ** 2;
  const kept = irreps.map((irrep, index) => ({ irrep, index })).filter(({ irrep }) => !isTrivial(irrep));
  for (const irrep of irreps)
    if (irrep.matrices.length !== order * irrep.dim ** 2) throw new RangeError(`irrep ${irrep.name} does not have ${order} matrices`);
  const columns = kept.reduce((n, { irrep }) => n + irrep.dim ** 2, 0);
  const table = new Float64Array(order * columns);
  const binOffset = new Int32Array(kept.length + 1);
  let col = 0;
  kept.forEach(({ irrep }, b) => {
    const dd = irrep.dim ** 2;
    for (let g = 0; g < order; g++) for (let e = 0; e < dd; e++) table[g * columns + col + e] = irrep.matrices[g * dd + e];
    col += dd;
    binOffset[b + 1] = col;
  });
  return {
    size: order,
    columns,
    table,
    binOffset,
    binColumns: Int32Array.from({ length: columns }, (_, c) => c),
    powerWeight: Float64Array.from(kept, ({ irrep }) => irrep.dim / order),
    rankDivisor: Float64Array.from(kept, ({ irrep }) => irrep.dim ** 2),
    binLabels: kept.map(({ index }) => index),
  };
}

export interface GroupFsd extends BasisFsd {
  /** The top irrep (index into the irreps given), null when there is no signal. */
  topIrrep: number | null;
}

/**
 * FSD_gen of `activations` [rows, units] whose rows have the answers `labels` (element indices of the group
 * whose irreps are given; any subset of the grid).
 */
export function groupFsd(activations: Activations, units: number, labels: Int32Array, irreps: Irrep[], options: FsdOptions = {}): GroupFsd {
  const result = fsdOverBasis(activations, units, labels, groupBasis(irreps), options);
  return { ...result, topIrrep: result.topLabel };
}
