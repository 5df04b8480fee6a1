/**
 * The weight-decay law Delta_t = C / lambda (shared/spec/metrics.md, "Statistics"): least squares through the
 * origin on x = 1/lambda, C = sum(x*y) / sum(x^2); R^2 = 1 - SS_res / SS_tot with SS_tot about the mean of y.
 * The report gives the fit on seed-averaged Delta_t and the range of the per-draw fits.
 */
import { mean, rSquared } from 'simple-statistics';

export interface InverseLambdaFit {
  /** C in Delta_t = C / lambda. */
  c: number;
  /** 1 - SS_res/SS_tot (simple-statistics `rSquared`); -Infinity when every Delta_t is equal and the fit is not exact. */
  rSquared: number;
  points: number;
}

export function fitInverseLambda(lambdas: readonly number[], deltas: readonly number[]): InverseLambdaFit {
  if (lambdas.length !== deltas.length) throw new RangeError(`${lambdas.length} lambdas for ${deltas.length} values of Delta_t`);
  if (lambdas.length < 2) throw new RangeError(`the fit needs at least 2 points, got ${lambdas.length}`);
  if (lambdas.some((l) => !(l > 0) || !Number.isFinite(l))) throw new RangeError('every lambda must be positive and finite');
  if (deltas.some((d) => !Number.isFinite(d))) throw new RangeError('every Delta_t must be finite');
  let sxy = 0, sxx = 0;
  const data: [number, number][] = lambdas.map((l, i) => [1 / l, deltas[i]]);
  for (const [x, y] of data) {
    sxy += x * y;
    sxx += x * x;
  }
  const c = sxy / sxx;
  return { c, rSquared: rSquared(data, (x: number) => c * x), points: data.length };
}

export interface Draw {
  lambda: number;
  /** Which draw (seed / batch-order seed) the value belongs to. */
  draw: string | number;
  deltaT: number;
}

export interface InverseLambdaAnalysis {
  /** The fit on the mean Delta_t of each lambda. */
  averaged: InverseLambdaFit;
  /** Mean Delta_t per lambda, ascending lambda. */
  means: { lambda: number; deltaT: number; draws: number }[];
  /** One fit per draw with at least 2 lambdas, in order of first appearance. */
  perDraw: { draw: string | number; fit: InverseLambdaFit }[];
  /** [min, max] of the per-draw C and R^2 (null when no draw has 2 lambdas). */
  cRange: [number, number] | null;
  rSquaredRange: [number, number] | null;
}

/** The seed-averaged fit and the per-draw fits of one prime's fork experiment. */
export function analyseInverseLambda(draws: readonly Draw[]): InverseLambdaAnalysis {
  const byLambda = new Map<number, number[]>();
  const byDraw = new Map<string | number, Draw[]>();
  for (const d of draws) {
    byLambda.set(d.lambda, [...(byLambda.get(d.lambda) ?? []), d.deltaT]);
    byDraw.set(d.draw, [...(byDraw.get(d.draw) ?? []), d]);
  }
  const means = [...byLambda.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([lambda, values]) => ({ lambda, deltaT: mean(values), draws: values.length }));
  const averaged = fitInverseLambda(
    means.map((m) => m.lambda),
    means.map((m) => m.deltaT),
  );
  const perDraw = [...byDraw.entries()]
    .filter(([, ds]) => new Set(ds.map((d) => d.lambda)).size >= 2)
    .map(([draw, ds]) => ({ draw, fit: fitInverseLambda(ds.map((d) => d.lambda), ds.map((d) => d.deltaT)) }));
  const range = (xs: number[]): [number, number] | null => (xs.length ? [Math.min(...xs), Math.max(...xs)] : null);
  return {
    averaged,
    means,
    perDraw,
    cRange: range(perDraw.map((d) => d.fit.c)),
    rSquaredRange: range(perDraw.map((d) => d.fit.rSquared)),
  };
}
