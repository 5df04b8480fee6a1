/** Coefficient of variation (shared/spec/metrics.md, "Statistics"): sample standard deviation / mean. */
import { coefficientOfVariation as sampleCv } from 'simple-statistics';

/** s / mean with the n - 1 (sample) standard deviation; needs at least 2 values and a non-zero mean. */
export function coefficientOfVariation(values: readonly number[]): number {
  if (values.length < 2) throw new RangeError(`the coefficient of variation needs at least 2 values, got ${values.length}`);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('coefficient of variation values must be finite');
  return sampleCv([...values]);
}
