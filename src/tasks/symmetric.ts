/**
 * The symmetric group S_n (shared/spec/model.md, "Tasks"): elements are the permutations of {0..n-1} in
 * lexicographic order of their one-line notation (index 0 = identity); composition (g.h)(i) = g(h(i)).
 */
export type Permutation = number[];

/** All permutations of {0..n-1}, lexicographic. */
export function permutations(n: number): Permutation[] {
  const out: Permutation[] = [];
  const current: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const extend = () => {
    if (current.length === n) {
      out.push([...current]);
      return;
    }
    for (let v = 0; v < n; v++) {
      if (used[v]) continue;
      used[v] = true;
      current.push(v);
      extend();
      current.pop();
      used[v] = false;
    }
  };
  extend();
  return out;
}

/** (g.h)(i) = g(h(i)). */
export function compose(g: Permutation, h: Permutation): Permutation {
  return h.map((hi) => g[hi]);
}

export function inverse(g: Permutation): Permutation {
  const inv = new Array<number>(g.length);
  g.forEach((gi, i) => (inv[gi] = i));
  return inv;
}

export class SymmetricGroup {
  readonly elements: Permutation[];
  readonly order: number;
  /** table[g * order + h] = index of g.h */
  readonly table: Int32Array;
  private readonly indexOfKey: Map<string, number>;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1 || n > 7) throw new RangeError(`S_n needs 1 <= n <= 7, got ${n}`);
    this.elements = permutations(n);
    this.order = this.elements.length;
    this.indexOfKey = new Map(this.elements.map((g, i) => [g.join(','), i]));
    this.table = new Int32Array(this.order * this.order);
    for (let g = 0; g < this.order; g++)
      for (let h = 0; h < this.order; h++) this.table[g * this.order + h] = this.indexOf(compose(this.elements[g], this.elements[h]));
  }

  indexOf(g: Permutation): number {
    const idx = this.indexOfKey.get(g.join(','));
    if (idx === undefined) throw new Error(`not a permutation of ${this.n}: [${g}]`);
    return idx;
  }

  multiply(g: number, h: number): number {
    return this.table[g * this.order + h];
  }
}
