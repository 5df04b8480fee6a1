/**
 * The exact two-sided sign test (shared/spec/metrics.md, "Statistics"):
 * p = min(1, 2 * P(X <= min(k, n - k))) with X ~ Binomial(n, 1/2). 9 of 9 gives 2 / 2^9 = 0.0039.
 */
import { binomialDistribution } from 'simple-statistics';

/** Two-sided p-value of k successes in n trials under p = 1/2. */
export function signTest(successes: number, trials: number): number {
  if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`trials must be a non-negative integer, got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials)
    throw new RangeError(`successes must be an integer in 0..${trials}, got ${successes}`);
  if (trials === 0) return 1;
  const cells = binomialDistribution(trials, 0.5);
  if (!cells) throw new RangeError(`the binomial distribution of ${trials} trials is out of simple-statistics' range`);
  const tail = Math.min(successes, trials - successes);
  let cumulative = 0;
  // simple-statistics stops the table once it sums to 1 - epsilon; cells past it are 0 to that precision.
  for (let x = 0; x <= tail; x++) cumulative += cells[x] ?? 0;
  return Math.min(1, 2 * cumulative);
}

export interface SignTestResult {
  positive: number;
  negative: number;
  /** Values equal to 0 carry no sign and are dropped, as usual for the sign test. */
  zeros: number;
  pValue: number;
}

/** The sign test of a list of signed values (e.g. leads): are positive and negative equally likely? */
export function signTestOfValues(values: readonly number[]): SignTestResult {
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('sign test values must be finite');
  const positive = values.filter((v) => v > 0).length;
  const negative = values.filter((v) => v < 0).length;
  return { positive, negative, zeros: values.length - positive - negative, pValue: signTest(positive, positive + negative) };
}
