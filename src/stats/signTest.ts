/**
 * The exact two-sided sign test (shared/spec/metrics.md, "Statistics"):
 * p = min(1, 2 * P(X <= min(k, n - k))) with X ~ Binomial(n, 1/2). 9 of 9 gives 2 / 2^9 = 0.0039.
 */
import { binomialDistribution } from 'simple-statistics';

function checkCounts(successes: number, trials: number): void {
  if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`trials must be a non-negative integer, got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials)
    throw new RangeError(`successes must be an integer in 0..${trials}, got ${successes}`);
}

/** P(X = x) for x = 0.. under Binomial(n, 1/2); simple-statistics' table may stop short of the top cells. */
function binomialCells(trials: number): number[] {
  const cells = binomialDistribution(trials, 0.5);
  if (!cells) throw new RangeError(`the binomial distribution of ${trials} trials is out of simple-statistics' range`);
  return cells;
}

/** Two-sided p-value of k successes in n trials under p = 1/2. */
export function signTest(successes: number, trials: number): number {
  checkCounts(successes, trials);
  if (trials === 0) return 1;
  const cells = binomialCells(trials);
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

/**
 * The power of the exact two-sided sign test at level `alpha` with n trials when each is positive with
 * probability `rate`: the probability of a count k that is significant (signTest(k, n) <= alpha) with more
 * positive than negative (the direction the claims test). Exact: the sum of Binomial(n, rate) over those k.
 */
export function signTestPower(trials: number, rate: number, alpha: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must lie in [0, 1], got ${rate}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie in (0, 1), got ${alpha}`);
  let power = 0;
  for (let k = 0; k <= trials; k++) if (2 * k > trials && signTest(k, trials) <= alpha) power += binomialPmf(trials, k, rate);
  return power;
}

/** P(X = k) for X ~ Binomial(n, q), in logs (n up to a few hundred without overflow). */
function binomialPmf(n: number, k: number, q: number): number {
  if (q === 0) return k === 0 ? 1 : 0;
  if (q === 1) return k === n ? 1 : 0;
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log(n - k + i) - Math.log(i);
  return Math.exp(logChoose + k * Math.log(q) + (n - k) * Math.log(1 - q));
}

/**
 * The one-sided exact sign test (metrics.md "Statistics"; issue 27): P(X >= k) with X ~ Binomial(n, 1/2), the
 * probability of at least `successes` of `trials` by chance. 9 of 9 gives 1 / 2^9 = 0.00195.
 */
export function oneSidedSignTest(successes: number, trials: number): number {
  checkCounts(successes, trials);
  if (successes === 0) return 1;
  const cells = binomialCells(trials);
  // Summed over cells at or below n / 2 only: simple-statistics' table can stop short of the upper ones. For k above
  // the middle, P(X >= k) = P(X <= n - k) by symmetry; else 1 - P(X <= k - 1).
  let sum = 0;
  const small = trials - successes < successes;
  const last = small ? trials - successes : successes - 1;
  for (let x = 0; x <= last; x++) sum += cells[x] ?? 0;
  return Math.min(1, Math.max(0, small ? sum : 1 - sum));
}
