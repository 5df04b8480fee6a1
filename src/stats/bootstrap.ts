/**
 * Seeded percentile bootstrap of a mean (shared/spec/metrics.md, "Statistics": B = 100000 resamples; the
 * prime-clustered variant averages within each cluster, then resamples clusters).
 * The interval is [q((1 - level)/2), q((1 + level)/2)] of the resampled means, q being simple-statistics'
 * `quantileSorted` (linear interpolation, R type 7 / numpy's default).
 */
import { linearRegression, mean, quantileSorted } from 'simple-statistics';
import { Rng } from '../random/rng.js';

export interface BootstrapOptions {
  /** B (metrics.md: 100000). */
  resamples?: number;
  seed?: number;
  /** Coverage of the interval (0.95). */
  level?: number;
}

export const DEFAULT_BOOTSTRAP_RESAMPLES = 100_000;
export const DEFAULT_BOOTSTRAP_SEED = 0;

export interface ConfidenceInterval {
  /** The statistic on the data: the mean (config level) or the mean of the cluster means. */
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  resamples: number;
}

/** Percentile interval of the mean of `values`, resampling them with replacement. */
export function bootstrapMeanCi(values: readonly number[], options: BootstrapOptions = {}): ConfidenceInterval {
  if (values.length === 0) throw new RangeError('the bootstrap needs at least one value');
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('bootstrap values must be finite');
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must lie in (0, 1), got ${level}`);
  const rng = new Rng(options.seed ?? DEFAULT_BOOTSTRAP_SEED);
  const n = values.length;
  const data = Float64Array.from(values);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[rng.int(n)];
    means[b] = sum / n;
  }
  means.sort();
  const sorted = means as unknown as number[];
  return {
    estimate: mean([...values]),
    lower: quantileSorted(sorted, (1 - level) / 2),
    upper: quantileSorted(sorted, (1 + level) / 2),
    level,
    resamples,
  };
}

/** The mean of each cluster, clusters in order of first appearance. */
export function clusterMeans(values: readonly number[], clusters: readonly (string | number)[]): number[] {
  if (values.length !== clusters.length) throw new RangeError(`${values.length} values for ${clusters.length} cluster labels`);
  const groups = new Map<string | number, number[]>();
  values.forEach((v, i) => groups.set(clusters[i], [...(groups.get(clusters[i]) ?? []), v]));
  return [...groups.values()].map((g) => mean(g));
}

/** Cluster bootstrap: average within each cluster (e.g. prime), then resample the cluster means. */
export function clusterBootstrapMeanCi(
  values: readonly number[],
  clusters: readonly (string | number)[],
  options: BootstrapOptions = {},
): ConfidenceInterval {
  return bootstrapMeanCi(clusterMeans(values, clusters), options);
}

/**
 * Whether a percentile bootstrap over `k` values (e.g. cluster means) can give a `level` interval at all. The
 * smallest possible resampled mean is the smallest value, drawn k times: probability k^-k. When that is at
 * least (1 - level)/2, the lower quantile is the smallest value itself (and the upper one the largest): the
 * "interval" is the range of the data, not a confidence interval. 3 values cannot carry a 95% interval
 * (3^-3 = 0.037 >= 0.025); 4 can, barely (4^-4 = 0.004).
 */
export function carriesInterval(k: number, level = 0.95): boolean {
  return k >= 2 && k ** -k < (1 - level) / 2;
}

export interface SlopeInterval extends ConfidenceInterval {
  /** Resamples whose x values were all equal (no slope), left out of the quantiles. */
  degenerate: number;
}

/**
 * Percentile bootstrap of the least-squares slope of y on x (simple-statistics `linearRegression`), resampling
 * (x, y) pairs with replacement; a resample with a single distinct x has no slope and is left out (counted).
 */
export function bootstrapSlopeCi(x: readonly number[], y: readonly number[], options: BootstrapOptions = {}): SlopeInterval {
  if (x.length !== y.length) throw new RangeError(`${x.length} x values for ${y.length} y values`);
  if (new Set(x).size < 2) throw new RangeError('a slope needs at least two distinct x values');
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const level = options.level ?? 0.95;
  const rng = new Rng(options.seed ?? DEFAULT_BOOTSTRAP_SEED);
  const n = x.length;
  const slopes: number[] = [];
  let degenerate = 0;
  for (let b = 0; b < resamples; b++) {
    let sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let i = 0; i < n; i++) {
      const j = rng.int(n);
      sx += x[j];
      sy += y[j];
      sxx += x[j] * x[j];
      sxy += x[j] * y[j];
    }
    const den = n * sxx - sx * sx;
    if (Math.abs(den) <= 1e-12 * Math.max(1, n * sxx)) {
      degenerate++;
      continue;
    }
    slopes.push((n * sxy - sx * sy) / den);
  }
  slopes.sort((a, b) => a - b);
  const estimate = linearRegression(x.map((xi, i) => [xi, y[i]])).m;
  return { estimate, lower: quantileSorted(slopes, (1 - level) / 2), upper: quantileSorted(slopes, (1 + level) / 2), level, resamples, degenerate };
}
