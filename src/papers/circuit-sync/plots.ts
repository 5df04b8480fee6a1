/**
 * This paper's SVG plots in the report (claims.md; drawn with renderChart):
 * - per main configuration: FSD and validation accuracy vs step, sync and grokking marked;
 * - Delta_t vs 1/lambda with the fitted C_p/lambda per prime (C06);
 * - total parameter norm at grokking by lambda (C07);
 * - per S_n seed: FSD_gen against the Z_{n!} Fourier control (C12).
 * Pure: data in, SVG strings out; events are read under the canonical options.
 */
import { ClaimContext } from './claimContext.js';
import { CANONICAL_OPTIONS } from './options.js';
import { mainKey, roleKey, type RunRole } from './roles.js';
import type { Plot } from '../../paper/paper.js';
import type { CircuitRunSet } from './runSet.js';
import type { RunEvents } from './runEvents.js';
import { fitInverseLambda } from '../../stats/inverseLambda.js';
import { renderChart, type Marker, type Series } from '../../report/svg.js';


function eventMarkers(ev: RunEvents, syncLabel = 'sync'): Marker[] {
  const out: Marker[] = [];
  if (ev.sync !== null) out.push({ x: ev.sync, label: `${syncLabel} ${ev.sync}`, color: '#1f77b4' });
  if (ev.grok !== null) out.push({ x: ev.grok, label: `grok ${ev.grok}`, color: '#d62728' });
  return out;
}

/** FSD and validation accuracy of one Z_p run, with its sync and grokking steps. */
export function trajectoryPlot(ctx: ClaimContext, key: string, file: string): Plot {
  const run = ctx.run(key);
  const ev = ctx.events(key);
  const title = `${key}: FSD and validation accuracy`;
  const series: Series[] = [
    { name: 'FSD', points: run.records.map((r) => [r.step, r.fsd]) },
    { name: 'val acc', points: run.records.map((r) => [r.step, r.val_acc]), color: '#d62728' },
    { name: 'train acc', points: run.records.map((r) => [r.step, r.train_acc]), style: 'dashed', color: '#999999' },
  ];
  const svg = renderChart({
    title,
    xLabel: 'step',
    yLabel: 'FSD / accuracy',
    series,
    markers: eventMarkers(ev),
    yRange: [0, 1],
    hLines: [{ y: 0.8, label: 'sync 0.80' }, { y: 0.95, label: 'grok 0.95' }],
  });
  return { file, title, svg };
}

export interface DeltaTPoint {
  p: number;
  lambda: number;
  deltaT: number;
}

export interface PrimeCurve {
  p: number;
  c: number;
  /** Seed-averaged Delta_t per lambda. */
  means: { lambda: number; deltaT: number }[];
}

/** Delta_t against 1/lambda: every grokked draw as a dot, the seed means as a line, the fit C_p/lambda dashed. */
export function deltaTPlot(points: DeltaTPoint[], curves: PrimeCurve[], file = 'delta-t-vs-inverse-lambda.svg'): Plot {
  const title = 'Delta_t vs 1/lambda, fitted C_p / lambda per prime (C06)';
  const series: Series[] = [];
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  curves.forEach((curve, i) => {
    const color = palette[i % palette.length];
    const xs = curve.means.map((m) => 1 / m.lambda);
    const xMax = Math.max(...xs, 1);
    series.push({ name: `p=${curve.p} draws`, points: points.filter((q) => q.p === curve.p).map((q) => [1 / q.lambda, q.deltaT]), style: 'points', color });
    series.push({ name: `p=${curve.p} fit C=${Math.round(curve.c)}`, points: [[0, 0], [xMax, curve.c * xMax]], style: 'dashed', color });
  });
  const svg = renderChart({ title, xLabel: '1 / lambda', yLabel: 'Delta_t (steps after the fork)', series, xRange: [0, 1.05] });
  return { file, title, svg };
}

export interface NormPoint {
  p: number;
  lambda: number;
  norm: number;
}

/** Total parameter norm at grokking by lambda, one colour per prime (C07). */
export function normAtGrokPlot(points: NormPoint[], file = 'norm-at-grokking.svg'): Plot {
  const title = 'Total parameter norm at grokking by lambda (C07)';
  const primes = [...new Set(points.map((q) => q.p))].sort((a, b) => a - b);
  const series: Series[] = primes.map((p) => ({ name: `p=${p}`, points: points.filter((q) => q.p === p).map((q) => [q.lambda, q.norm]), style: 'points' }));
  const lambdas = points.map((q) => q.lambda);
  const svg = renderChart({
    title,
    xLabel: 'lambda (weight decay of the branch)',
    yLabel: 'norm at grokking',
    series,
    xRange: [0, Math.max(1, ...lambdas) + 1],
    yRange: [0, Math.max(1, ...points.map((q) => q.norm)) * 1.15],
  });
  return { file, title, svg };
}

/** FSD_gen and the Z_{n!} Fourier control of one S_n run, with validation accuracy (C12). */
export function groupPlot(ctx: ClaimContext, key: string, file: string): Plot {
  const run = ctx.run(key);
  const gen = ctx.events(key, { series: 'fsd_gen' });
  const control = ctx.events(key, { series: 'control' });
  const controlKey = `${run.config.metrics.fsd_site}@grid`;
  const title = `${key}: FSD_gen vs the Z_${run.config.model.classes} control`;
  const markers = eventMarkers(gen, 'FSD_gen sync');
  if (control.sync !== null) markers.push({ x: control.sync, label: `control sync ${control.sync}`, color: '#2ca02c' });
  const svg = renderChart({
    title,
    xLabel: 'step',
    yLabel: 'FSD_gen / FSD / accuracy',
    series: [
      { name: 'FSD_gen', points: run.records.filter((r) => r.fsd_gen !== null).map((r) => [r.step, r.fsd_gen!]) },
      { name: `Z_${run.config.model.classes} control`, points: run.records.map((r) => [r.step, r.fsd_alt[controlKey]?.fsd ?? NaN]), color: '#2ca02c' },
      { name: 'val acc', points: run.records.map((r) => [r.step, r.val_acc]), color: '#d62728' },
    ],
    markers,
    yRange: [0, 1],
    hLines: [{ y: 0.5, label: 'FSD_gen sync 0.50' }, { y: 0.8, label: 'control sync 0.80' }],
  });
  return { file, title, svg };
}

const slug = (key: string) => key.replace(/\//g, '-');

/** Every plot the run set supports (runs that are not complete are skipped). */
export function buildPlots(set: CircuitRunSet): Plot[] {
  const ctx = new ClaimContext(set, CANONICAL_OPTIONS);
  const usable = (k: string) => set.runs.get(k)?.state === 'complete';
  const plots: Plot[] = [];
  for (const r of set.profile.spec.main.runs) {
    const key = mainKey(r.p, r.seed);
    if (usable(key)) plots.push(trajectoryPlot(ctx, key, `fsd-${slug(key)}.svg`));
  }
  // Fork branches: Delta_t and norm at grokking.
  const branchKeys = [...set.runs.values()].filter((r) => (r.role.experiment === 'forks' || r.role.experiment === 'fork97') && r.state === 'complete');
  const deltas: DeltaTPoint[] = [];
  const norms: NormPoint[] = [];
  for (const run of branchKeys) {
    const role = run.role as Extract<RunRole, { experiment: 'forks' | 'fork97' }>;
    const ev = ctx.events(run.key);
    if (ev.grok === null) continue;
    const norm = run.records.find((r) => r.step === ev.grok)?.norm;
    if (norm !== undefined) norms.push({ p: role.p, lambda: role.lambda, norm });
    if (role.experiment === 'forks') deltas.push({ p: role.p, lambda: role.lambda, deltaT: ev.grok - (run.config.fork?.step ?? 0) });
  }
  if (deltas.length) {
    const curves: PrimeCurve[] = [];
    for (const p of [...new Set(deltas.map((d) => d.p))].sort((a, b) => a - b)) {
      const mine = deltas.filter((d) => d.p === p);
      const lambdas = [...new Set(mine.map((d) => d.lambda))].sort((a, b) => a - b);
      const means = lambdas.map((lambda) => {
        const ds = mine.filter((d) => d.lambda === lambda).map((d) => d.deltaT);
        return { lambda, deltaT: ds.reduce((a, b) => a + b, 0) / ds.length };
      });
      if (means.length < 2) continue;
      curves.push({ p, c: fitInverseLambda(means.map((m) => m.lambda), means.map((m) => m.deltaT)).c, means });
    }
    plots.push(deltaTPlot(deltas, curves));
  }
  if (norms.length) plots.push(normAtGrokPlot(norms));
  for (const seed of set.profile.spec.s5.seeds) {
    const key = roleKey({ experiment: 's5', n: set.profile.spec.s5.n, seed });
    if (usable(key)) plots.push(groupPlot(ctx, key, `fsd-gen-${slug(key)}.svg`));
  }
  return plots;
}
