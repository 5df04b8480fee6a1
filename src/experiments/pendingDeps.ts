/**
 * TEMPORARY scaffold: stand-ins for src/metrics event detection and src/stats routines that a colleague is
 * writing now. Deleted as soon as those land; nothing outside src/experiments imports this.
 */
import { binomialDistribution, mean, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { Rng } from '../tasks/rng.js';

export interface EventPoint {
  step: number;
  trainAcc: number;
  valAcc: number;
  trainLoss: number;
  valLoss: number;
  fsd: number;
  baselineLoss: number | null;
}

export interface DetectedEvents {
  memorisation: number | null;
  sync: number | null;
  baselineSync: number | null;
  grok: number | null;
  destabilised: number | null;
  spikes: number[];
}

export function detectEvents(points: EventPoint[], syncRule: string, grokRule: string): DetectedEvents {
  const first = (pred: (p: EventPoint, i: number) => boolean) => {
    const i = points.findIndex(pred);
    return i < 0 ? null : points[i].step;
  };
  const grokThr = grokRule === 'val>=0.99' ? 0.99 : 0.95;
  const grok = first((p) => p.valAcc >= grokThr);
  let sync: number | null = null;
  const [kind, arg] = syncRule.split(':');
  if (kind === 'threshold') sync = first((p) => p.fsd >= Number(arg));
  else if (kind === 'sustained') {
    const n = Number(arg);
    sync = first((_, i) => i + n <= points.length && points.slice(i, i + n).every((q) => q.fsd >= 0.8));
  } else if (kind === 'plateau') {
    const tol = Number(arg);
    if (grok !== null && points.length >= 5) {
      const level = mean(points.slice(-5).map((p) => p.fsd));
      sync = first((_, i) => points.slice(i).every((q) => Math.abs(q.fsd - level) <= tol));
    }
  }
  const spikes: number[] = [];
  for (let i = 1; i < points.length; i++) if (points[i].trainAcc < points[i - 1].trainAcc - 0.2) spikes.push(points[i].step);
  let destabilised: number | null = null;
  if (grok !== null) {
    const gi = points.findIndex((p) => p.step === grok);
    let run = 0;
    for (let i = gi + 1; i < points.length; i++) {
      const p = points[i];
      if (!Number.isFinite(p.trainLoss) || !Number.isFinite(p.valLoss)) {
        destabilised = p.step;
        break;
      }
      run = p.valAcc < 0.5 ? run + 1 : 0;
      if (run >= 3) {
        destabilised = points[i - 2].step;
        break;
      }
    }
  }
  return {
    memorisation: first((p) => p.trainAcc >= 0.99),
    sync,
    baselineSync: first((p) => p.baselineLoss !== null && p.baselineLoss < 0.5),
    grok,
    destabilised,
    spikes,
  };
}

export function signTest(k: number, n: number): number {
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  let tail = 0;
  for (let i = 0; i <= m; i++) tail += binomialDistribution(n, 0.5)![i] ?? 0;
  return Math.min(1, 2 * tail);
}

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

export function bootstrapMeanCi(values: number[], seed = 0, B = 20000): Interval {
  const rng = new Rng(seed);
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[rng.int(values.length)];
    means[b] = s / values.length;
  }
  const sorted = Array.from(means).sort((a, c) => a - c);
  return { mean: mean(values), lo: quantileSorted(sorted, 0.025), hi: quantileSorted(sorted, 0.975) };
}

export function clusteredBootstrapCi(values: number[], clusters: (number | string)[], seed = 0, B = 20000): Interval {
  const groups = new Map<number | string, number[]>();
  values.forEach((v, i) => groups.set(clusters[i], [...(groups.get(clusters[i]) ?? []), v]));
  return bootstrapMeanCi([...groups.values()].map((g) => mean(g)), seed, B);
}

export interface InverseFit {
  c: number;
  r2: number;
}

export function fitInverseLambda(lambdas: number[], deltas: number[]): InverseFit {
  const x = lambdas.map((l) => 1 / l);
  let sxy = 0, sxx = 0;
  x.forEach((xi, i) => {
    sxy += xi * deltas[i];
    sxx += xi * xi;
  });
  const c = sxy / sxx;
  const my = mean(deltas);
  let ssr = 0, sst = 0;
  x.forEach((xi, i) => {
    ssr += (deltas[i] - c * xi) ** 2;
    sst += (deltas[i] - my) ** 2;
  });
  return { c, r2: 1 - ssr / sst };
}

export function coefficientOfVariation(values: number[]): number {
  return sampleStandardDeviation(values) / mean(values);
}
