/**
 * The Gini coefficient of a non-negative vector (Hurley & Rickard 2009, the sparsity measure Nanda et al. 2023
 * cite in their §5.1; shared/spec/papers/progress-measures/claims.md §2.7). For c >= 0 sorted ascending,
 *
 *   G(c) = 1 - 2 * sum_{i=1..N} (c_(i) / |c|_1) * (N - i + 1/2) / N,
 *
 * which is 0 for a constant vector and 1 - 1/N for a vector with one non-zero entry. Pure; float64.
 */
export function gini(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new RangeError('the Gini coefficient of an empty vector is undefined');
  const sorted = Float64Array.from(values).sort();
  if (sorted[0] < 0 || Number.isNaN(sorted[0])) throw new RangeError(`the Gini coefficient needs non-negative values, got ${sorted[0]}`);
  let total = 0;
  for (const x of sorted) total += x;
  if (total === 0) return 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) weighted += (sorted[i] / total) * ((n - (i + 1) + 0.5) / n);
  return 1 - 2 * weighted;
}
