/**
 * Median Fourier rank (shared/spec/metrics.md, "Median Fourier rank"): a unit's rank is the fewest
 * frequencies, largest powers first, whose power makes up >= 90% of its non-DC energy sum_k P_j(k).
 */
import { median } from 'simple-statistics';

export const DEFAULT_RANK_FRACTION = 0.9;

/** The rank of one unit from its per-bin powers. */
export function unitFourierRank(power: ArrayLike<number>, fraction = DEFAULT_RANK_FRACTION): number {
  let energy = 0;
  for (let b = 0; b < power.length; b++) energy += power[b];
  const sorted = Array.from(power).sort((a, b) => b - a);
  const target = fraction * energy;
  let cumulative = 0;
  for (let r = 0; r < sorted.length; r++) {
    cumulative += sorted[r];
    if (cumulative >= target) return r + 1;
  }
  // Only reachable through rounding when fraction is 1: all frequencies are needed.
  return sorted.length;
}

export interface FourierRankSummary {
  /** Per unit: its rank, or 0 for a unit left out (silent). */
  ranks: Int32Array;
  /** Median over the counted units; null when none is counted ("no signal"). */
  medianRank: number | null;
  /** Fraction of counted units of rank 1; 0 when none is counted. */
  rank1Fraction: number;
}

/**
 * Ranks of the units with `counted[j]` set, from unit-major powers [units, bins].
 * The median of an even number of ranks is the mean of the middle two (simple-statistics `median`).
 */
export function fourierRanks(power: Float64Array, units: number, counted: ArrayLike<boolean | number>, fraction = DEFAULT_RANK_FRACTION): FourierRankSummary {
  const bins = power.length / units;
  const ranks = new Int32Array(units);
  const kept: number[] = [];
  for (let j = 0; j < units; j++) {
    if (!counted[j]) continue;
    ranks[j] = unitFourierRank(power.subarray(j * bins, (j + 1) * bins), fraction);
    kept.push(ranks[j]);
  }
  if (kept.length === 0) return { ranks, medianRank: null, rank1Fraction: 0 };
  return { ranks, medianRank: median(kept), rank1Fraction: kept.filter((r) => r === 1).length / kept.length };
}
