/**
 * Real orthogonal irreducible representations for FSD_gen (shared/spec/metrics.md, "FSD_gen"):
 * - S_n by Young's orthogonal form, one irrep per partition of n, on the standard Young tableaux of its shape;
 * - Z_p by its real irreps: the trivial one, the 2-dimensional rotations by w_k s (k = 1..ceil(p/2) - 1) and,
 *   for even p, the sign s -> (-1)^s; FSD_gen over these equals FSD (tested).
 * Group elements and composition are those of src/tasks/symmetric.ts ((g.h)(i) = g(h(i))) and of Z_p (s + t).
 */
import { SymmetricGroup } from '../tasks/symmetric.js';

export interface Irrep {
  /** The partition (e.g. "311") for S_n, "trivial" / "rot k" / "sign" for Z_p. */
  name: string;
  dim: number;
  /** rho(g) for every element g in the group's order, row-major: matrices[g * dim^2 + r * dim + c]. */
  matrices: Float64Array;
}

/** The partitions of n, largest first in reverse lexicographic order (5, 41, 32, 311, 221, 2111, 11111). */
export function partitions(n: number): number[][] {
  const out: number[][] = [];
  const extend = (rest: number, max: number, prefix: number[]) => {
    if (rest === 0) {
      out.push(prefix);
      return;
    }
    for (let part = Math.min(rest, max); part >= 1; part--) extend(rest - part, part, [...prefix, part]);
  };
  extend(n, n, []);
  return out;
}

/** A standard Young tableau as the row and column of each letter 0..n-1. */
interface Tableau {
  row: number[];
  col: number[];
}

/** The standard Young tableaux of `shape`: letters 0..n-1 placed in order, rows and columns increasing. */
export function standardTableaux(shape: number[]): Tableau[] {
  const n = shape.reduce((a, b) => a + b, 0);
  const out: Tableau[] = [];
  const lengths = new Array<number>(shape.length).fill(0);
  const row: number[] = [];
  const col: number[] = [];
  const place = (letter: number) => {
    if (letter === n) {
      out.push({ row: [...row], col: [...col] });
      return;
    }
    for (let r = 0; r < shape.length; r++) {
      // a box can take the next letter if its row has room and the row above is longer
      if (lengths[r] < shape[r] && (r === 0 || lengths[r - 1] > lengths[r])) {
        row.push(r);
        col.push(lengths[r]);
        lengths[r]++;
        place(letter + 1);
        lengths[r]--;
        row.pop();
        col.pop();
      }
    }
  };
  place(0);
  return out;
}

/**
 * Young's orthogonal form of the adjacent transposition s_i (swapping i and i+1): with the axial distance
 * d = content(i+1) - content(i), content = column - row, rho(s_i) e_T = (1/d) e_T + sqrt(1 - 1/d^2) e_{s_i T}
 * (s_i T, the tableau with i and i+1 exchanged, is standard whenever |d| > 1; |d| = 1 gives +-e_T).
 */
function adjacentTranspositionMatrix(tableaux: Tableau[], i: number): Float64Array {
  const dim = tableaux.length;
  const key = (t: Tableau) => t.row.join(',') + '|' + t.col.join(',');
  const index = new Map(tableaux.map((t, k) => [key(t), k]));
  const m = new Float64Array(dim * dim);
  tableaux.forEach((t, k) => {
    const d = t.col[i + 1] - t.row[i + 1] - (t.col[i] - t.row[i]);
    m[k * dim + k] = 1 / d;
    if (Math.abs(d) > 1) {
      const swapped: Tableau = { row: [...t.row], col: [...t.col] };
      [swapped.row[i], swapped.row[i + 1]] = [t.row[i + 1], t.row[i]];
      [swapped.col[i], swapped.col[i + 1]] = [t.col[i + 1], t.col[i]];
      const other = index.get(key(swapped));
      if (other === undefined) throw new Error('internal: s_i T is not a standard tableau');
      m[other * dim + k] = Math.sqrt(1 - 1 / (d * d));
    }
  });
  return m;
}

function multiply(a: Float64Array, b: Float64Array, dim: number, out: Float64Array, offset: number): void {
  for (let r = 0; r < dim; r++)
    for (let c = 0; c < dim; c++) {
      let sum = 0;
      for (let k = 0; k < dim; k++) sum += a[r * dim + k] * b[k * dim + c];
      out[offset + r * dim + c] = sum;
    }
}

/** The irreps of S_n, one per partition in the order of `partitions(n)` (the first is the trivial one). */
export function symmetricIrreps(group: SymmetricGroup): Irrep[] {
  const { n, order } = group;
  // The adjacent transpositions as group elements, to walk the Cayley graph from the identity.
  const generators = Array.from({ length: n - 1 }, (_, i) => {
    const perm = Array.from({ length: n }, (_, x) => x);
    [perm[i], perm[i + 1]] = [i + 1, i];
    return group.indexOf(perm);
  });
  return partitions(n).map((shape) => {
    const tableaux = standardTableaux(shape);
    const dim = tableaux.length;
    const gens = generators.map((_, i) => adjacentTranspositionMatrix(tableaux, i));
    const matrices = new Float64Array(order * dim * dim);
    const done = new Uint8Array(order);
    for (let k = 0; k < dim; k++) matrices[k * dim + k] = 1; // index 0 is the identity
    done[0] = 1;
    // rho(g . s_i) = rho(g) rho(s_i), breadth first from the identity.
    const queue = [0];
    while (queue.length > 0) {
      const g = queue.shift()!;
      generators.forEach((s, i) => {
        const h = group.multiply(g, s);
        if (done[h]) return;
        multiply(matrices.subarray(g * dim * dim, (g + 1) * dim * dim), gens[i], dim, matrices, h * dim * dim);
        done[h] = 1;
        queue.push(h);
      });
    }
    return { name: shape.join(''), dim, matrices };
  });
}

/** The real irreps of Z_p: trivial, rotations k = 1..ceil(p/2) - 1 and (even p) the sign, in frequency order. */
export function cyclicRealIrreps(p: number): Irrep[] {
  const irreps: Irrep[] = [{ name: 'trivial', dim: 1, matrices: new Float64Array(p).fill(1) }];
  for (let k = 1; 2 * k < p; k++) {
    const matrices = new Float64Array(p * 4);
    for (let s = 0; s < p; s++) {
      const angle = (2 * Math.PI * ((k * s) % p)) / p;
      matrices.set([Math.cos(angle), -Math.sin(angle), Math.sin(angle), Math.cos(angle)], s * 4);
    }
    irreps.push({ name: `rot ${k}`, dim: 2, matrices });
  }
  if (p % 2 === 0) irreps.push({ name: 'sign', dim: 1, matrices: Float64Array.from({ length: p }, (_, s) => (s % 2 === 0 ? 1 : -1)) });
  return irreps;
}

/** Whether an irrep is the trivial one (1-dimensional, rho(g) = 1 for every g). */
export function isTrivial(irrep: Irrep): boolean {
  return irrep.dim === 1 && irrep.matrices.every((v) => v === 1);
}

/** The character chi(g) = trace rho(g) of every element. */
export function character(irrep: Irrep): Float64Array {
  const { dim } = irrep;
  const order = irrep.matrices.length / (dim * dim);
  const chi = new Float64Array(order);
  for (let g = 0; g < order; g++) for (let k = 0; k < dim; k++) chi[g] += irrep.matrices[g * dim * dim + k * dim + k];
  return chi;
}
