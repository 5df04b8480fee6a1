/**
 * FSD summaries (shared/spec/metrics.md, "FSD", "Median Fourier rank" and "Permutation test for FSD"): the
 * per-site fields a checkpoint record stores (FSD with its top frequency and that frequency's participation,
 * the median Fourier rank and rank-1 fraction, the silent units), and one FSD with its null test's p-value,
 * mean and 95th percentile, as `grokcheck fsd` prints it.
 */
import type { Activations } from './answerResponse.js';
import { fourierFsd, fsdTopMFromLargest, type FourierFsd, type FsdOptions } from './fsd.js';
import { gaussianNull, permutationNull, summariseNull, type NullKind, type NullOptions } from './fsdNull.js';
import { DEFAULT_RANK_FRACTION, fourierRanks } from './fourierRank.js';

/** The summary of one FSD (no null test): the per-site fields of a checkpoint record. */
export interface FsdSummary {
  fsd: number;
  /** The top frequency k, null when there is no signal. */
  top_frequency: number | null;
  /** par(top frequency); 0 when there is no signal. */
  participation: number;
  /** Median Fourier rank over counted units; null when there is no signal. */
  median_rank: number | null;
  rank1_fraction: number;
  silent_units: number;
  /** Smallest number of rows behind one answer (metrics.md `fsd.inputs`: subsets can leave answers thin). */
  min_answer_count: number;
  /**
   * The TOP_COUNTS largest dominant-frequency counts (descending), the counted units and the bins: enough to
   * re-derive FSD_m for m <= TOP_COUNTS from a record (metrics.md step 7; `fsdTopMOfSummary`).
   */
  top_counts: number[];
  counted_units: number;
  bins: number;
}

/** How many of the largest dominant-frequency counts a record keeps (FSD_2 .. FSD_4 re-derivable). */
export const TOP_COUNTS = 4;

/** Exactly the JSON fields the CLI prints. */
export interface FsdWithNullTestJson {
  fsd: number;
  top_frequency: number | null;
  participation: number;
  median_rank: number | null;
  rank1_fraction: number;
  p_value: number;
  null_mean: number;
  null_q95: number;
  silent_units: number;
}

export interface FsdWithNullTest {
  json: FsdWithNullTestJson;
  /** par(k) for k = 1..K (index k - 1). */
  histogram: number[];
  /** Every unit is silent: FSD = 0 and the record says "no signal". */
  noSignal: boolean;
  minAnswerCount: number;
  nullKind: NullKind;
  replicates: number;
}

export interface FsdWithNullTestOptions extends FsdOptions, NullOptions {
  /** The share of non-DC energy that defines a unit's Fourier rank (metrics.md: 0.9). */
  rankFraction?: number;
}

export function summariseFourierFsd(result: FourierFsd, rankFraction = DEFAULT_RANK_FRACTION): FsdSummary {
  const counted = Array.from(result.dominant, (d) => d >= 0);
  const ranks = fourierRanks(result.power, result.dominant.length, counted, rankFraction);
  return {
    fsd: result.fsd,
    top_frequency: result.topFrequency,
    participation: result.topBin === null ? 0 : result.participation[result.topBin],
    median_rank: ranks.medianRank,
    rank1_fraction: ranks.rank1Fraction,
    silent_units: result.silentUnits,
    min_answer_count: result.response.minCount,
    top_counts: Array.from(result.counts)
      .sort((a, b) => b - a)
      .slice(0, TOP_COUNTS),
    counted_units: result.countedUnits,
    bins: result.counts.length,
  };
}

/**
 * FSD_m (metrics.md step 7) re-derived from a stored summary; null when the record predates `top_counts` or
 * m exceeds what it keeps. Equals fsdTopMFromCounts on the full histogram (fsdSummary.test.ts).
 */
export function fsdTopMOfSummary(
  summary: { top_counts?: readonly number[]; counted_units?: number; bins?: number },
  m: number,
): number | null {
  const { top_counts: top, counted_units: counted, bins } = summary;
  if (top === undefined || counted === undefined || bins === undefined || m > top.length) return null;
  return fsdTopMFromLargest(top, counted, bins, m);
}

/**
 * FSD of Z_p activations ([rows, units] row-major, `labels` the answers in 0..p-1) with its null test
 * (canonical: the permutation null with 1000 replicates; `kind: 'gaussian'` for the Gaussian one).
 */
export function fsdWithNullTest(activations: Activations, units: number, labels: Int32Array, p: number, options: FsdWithNullTestOptions = {}): FsdWithNullTest {
  const result = fourierFsd(activations, units, labels, p, options);
  const summary = summariseFourierFsd(result, options.rankFraction);
  const kind = options.kind ?? 'permutation';
  const distribution =
    kind === 'permutation'
      ? permutationNull(result.centred, Array.from(result.dominant, (d) => d >= 0), result.basis, options)
      : gaussianNull(units, result.response.counts, result.basis, options);
  const test = summariseNull(result.fsd, distribution.values);
  return {
    json: {
      fsd: summary.fsd,
      top_frequency: summary.top_frequency,
      participation: summary.participation,
      median_rank: summary.median_rank,
      rank1_fraction: summary.rank1_fraction,
      p_value: test.p_value,
      null_mean: test.null_mean,
      null_q95: test.null_q95,
      silent_units: summary.silent_units,
    },
    histogram: Array.from(result.participation),
    noSignal: result.noSignal,
    minAnswerCount: summary.min_answer_count,
    nullKind: kind,
    replicates: test.replicates,
  };
}
