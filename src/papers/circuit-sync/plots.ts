/**
 * This paper's report plots (claims.md), as data and vega-lite specs (src/paper/paper.ts `Plot`; the report
 * renders them, report/plotRender.ts). Event labels live in legends, never on the plot area, so they cannot
 * overlap. Pure: data in, specs out; events are read under the canonical options.
 * - FSD of every main run aligned at its grokking step, the band of swept thresholds shaded (C01-C03);
 * - positive leads and the sign test's p against the sync threshold, one line per rule (the sweep of C01, C02);
 * - FSD at grokking per main configuration against the paper's ~0.97;
 * - per main configuration: FSD and accuracies vs step, sync and grokking marked;
 * - Delta_t vs 1/lambda with the fitted C_p/lambda per prime (C06), draws jittered;
 * - total parameter norm at grokking by lambda (C07), jittered;
 * - per S_n seed: FSD_gen against the Z_{n!} Fourier control (C12).
 */
import type { Plot, PlotEvidence, PlotValue } from '../../paper/paper.js';
import { fsdAltKey } from '../../schema/sites.js';
import { fitInverseLambda } from '../../stats/inverseLambda.js';
import { ClaimContext } from './claimContext.js';
import { PAPER_FSD_AT_GROK } from './claims/mainLeads.js';
import { CANONICAL_OPTIONS, SWEEP_THRESHOLDS } from './options.js';
import { mainKey, roleKey, type RunRole } from './roles.js';
import type { CircuitRunSet } from './runSet.js';
import type { RunEvents } from './runEvents.js';
import { metricOptions } from './metricOptions.js';

type Row = Record<string, PlotValue>;
const WIDTH = 560;
const HEIGHT = 260;
const SYNC = 0.8;
const GROK = 0.95;

const q = (field: string, title: string, extra: Record<string, unknown> = {}) => ({ field, type: 'quantitative', title, ...extra });
const n = (field: string, title: string | null, extra: Record<string, unknown> = {}) => ({ field, type: 'nominal', title, ...extra });
/** Primes in numeric order, one categorical colour each. */
const PRIME_COLOR = { field: 'prime', type: 'ordinal', title: 'prime', scale: { scheme: 'category10' } };

/** Vertical event rules (sync, grokking) with their labels in a legend of their own. */
function eventRules(events: { step: number; label: string }[]): Record<string, unknown> {
  return {
    data: { values: events },
    mark: { type: 'rule', strokeWidth: 1.5 },
    encoding: { x: { field: 'step', type: 'quantitative' }, strokeDash: n('label', 'events', { legend: { orient: 'bottom', columns: 1 } }) },
  };
}

/** Horizontal reference lines (thresholds) with their labels in a legend, faded in the order given (an explicit sort: Vega-Lite warns of opacity on an unsorted nominal field). */
function levelRules(levels: { y: number; label: string }[], title = 'thresholds'): Record<string, unknown> {
  return {
    data: { values: levels },
    mark: { type: 'rule', color: '#777777', strokeDash: [4, 4] },
    encoding: { y: { field: 'y', type: 'quantitative' }, opacity: n('label', title, { sort: levels.map((l) => l.label), legend: { orient: 'bottom', columns: 1 }, scale: { range: [0.9, 0.5, 0.3] } }) },
  };
}

function eventList(ev: RunEvents, syncLabel: string): { step: number; label: string }[] {
  const out: { step: number; label: string }[] = [];
  if (ev.sync !== null) out.push({ step: ev.sync, label: `${syncLabel} at ${ev.sync}` });
  if (ev.grok !== null) out.push({ step: ev.grok, label: `grokking at ${ev.grok}` });
  return out;
}

/** Series against the training step, with event rules and threshold lines whose labels sit in legends. */
function stepPlot(o: {
  file: string;
  title: string;
  caption: string;
  rows: Row[];
  yTitle: string;
  color: Record<string, unknown>;
  events: { step: number; label: string }[];
  levels: { y: number; label: string }[];
}): Plot {
  return {
    file: o.file,
    title: o.title,
    caption: o.caption,
    rows: o.rows,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: q('step', 'step'), y: q('value', o.yTitle, { scale: { domain: [0, 1] } }), color: o.color } },
        eventRules(o.events),
        levelRules(o.levels),
      ],
      resolve: { legend: { strokeDash: 'independent', opacity: 'independent' } },
    },
  };
}

/** FSD and the accuracies of one Z_p run, with its sync and grokking steps. */
export function trajectoryPlot(ctx: ClaimContext, key: string, file: string): Plot {
  const run = ctx.run(key);
  const series = ['FSD', 'validation accuracy', 'training accuracy'];
  return stepPlot({
    file,
    title: `${key}: FSD and accuracy`,
    caption: `records of run ${run.id}; sync = first checkpoint with FSD >= ${SYNC.toFixed(2)}, grokking = first with validation accuracy >= ${GROK}`,
    rows: run.records.flatMap((r) => [
      { step: r.step, series: series[0], value: r.fsd },
      { step: r.step, series: series[1], value: r.val_acc },
      { step: r.step, series: series[2], value: r.train_acc },
    ]),
    yTitle: 'FSD / accuracy',
    color: n('series', null, { scale: { domain: series, range: ['#1f77b4', '#d62728', '#aaaaaa'] }, legend: { orient: 'bottom' } }),
    events: eventList(ctx.events(key), 'FSD sync'),
    levels: [{ y: SYNC, label: `sync threshold ${SYNC.toFixed(2)}` }, { y: GROK, label: `grokking: validation accuracy ${GROK}` }],
  });
}

/** FSD of every main run against step - its grokking step, the sweep's threshold range shaded. */
export function alignedFsdPlot(ctx: ClaimContext, keys: string[]): Plot | null {
  const rows: Row[] = [];
  for (const key of keys) {
    const ev = ctx.events(key);
    if (ev.grok === null) continue;
    for (const r of ctx.run(key).records) rows.push({ run: key, steps_from_grokking: r.step - ev.grok, fsd: r.fsd });
  }
  if (rows.length === 0) return null;
  const lo = SWEEP_THRESHOLDS[0], hi = SWEEP_THRESHOLDS.at(-1)!;
  return {
    file: 'fsd-aligned-at-grokking',
    title: 'FSD of every main configuration, aligned at its grokking step',
    caption: `x = step - grokking step (validation accuracy >= ${GROK}); shaded: the swept sync thresholds ${lo.toFixed(2)}-${hi.toFixed(2)}; dashed: the canonical ${SYNC.toFixed(2)} and the paper's ~${PAPER_FSD_AT_GROK} at grokking`,
    rows,
    spec: {
      width: WIDTH,
      height: HEIGHT + 40,
      layer: [
        { data: { values: [{ lo, hi }] }, mark: { type: 'rect', color: '#1f77b4', opacity: 0.08 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        {
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: { x: q('steps_from_grokking', 'steps from grokking'), y: q('fsd', 'FSD', { scale: { domain: [0, 1] } }), color: n('run', 'run', { legend: { orient: 'right' } }) },
        },
        { data: { values: [{ x: 0 }] }, mark: { type: 'rule', color: '#d62728' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
        levelRules([{ y: SYNC, label: `canonical sync threshold ${SYNC.toFixed(2)}` }, { y: PAPER_FSD_AT_GROK, label: `the paper's FSD at grokking ~${PAPER_FSD_AT_GROK}` }], 'reference'),
      ],
      resolve: { legend: { opacity: 'independent' } },
    },
  };
}

/**
 * Positive leads (C01) and the sign test's p (C02) against the sync threshold: one line per rule and resolution,
 * on one set of configurations (the sweep's `paper` set, or `replicates`).
 */
export function leadsVsThresholdPlot(evidence: PlotEvidence, set = 'paper'): Plot | null {
  const c01 = evidence.sweep.get('C01')?.filter((e) => e.set === set), c02 = evidence.sweep.get('C02')?.filter((e) => e.set === set);
  if (!c01?.length || !c02?.length) return null;
  const rows: Row[] = [];
  const byKey = new Map(c02.map((e) => [`${e.rule}|${e.resolution}`, e]));
  for (const e of c01) {
    const p = byKey.get(`${e.rule}|${e.resolution}`)?.figure.p_value;
    const positive = e.figure.positive, of = e.figure.of;
    if (typeof positive !== 'number' || typeof of !== 'number') continue;
    const base = { resolution: `@${e.resolution}`, positive, of, sign_p: typeof p === 'number' ? p : null, verdict: e.verdict };
    // A threshold-free rule (plateau) is a flat line across the sweep.
    const thresholds = e.threshold === null ? SWEEP_THRESHOLDS : [e.threshold];
    for (const t of thresholds) rows.push({ rule: e.threshold === null ? `${e.family} (no threshold)` : e.family, threshold: t, ...base });
  }
  if (rows.length === 0) return null;
  const total = Math.max(...rows.map((r) => r.of as number));
  const common = {
    x: q('threshold', 'sync threshold', { scale: { domain: [SWEEP_THRESHOLDS[0], SWEEP_THRESHOLDS.at(-1)!] } }),
    color: n('rule', 'sync rule', { legend: { orient: 'bottom', columns: 2 } }),
    // A point shape per resolution as well as a dash: a line with points draws its legend symbol as the point, so
    // dashes alone gave @100 and @500 the same legend mark (issue 26); the shapes carry the one legend.
    strokeDash: n('resolution', 'resolution', { legend: null }),
    shape: n('resolution', 'resolution', { legend: { orient: 'bottom' } }),
  };
  return {
    file: set === 'paper' ? 'leads-vs-threshold' : `leads-vs-threshold-${set}`,
    title: `FSD leads grokking in how many ${set === 'paper' ? 'main' : set} configurations (${total}), by sync threshold`,
    caption: `from the sweep of C01 on the ${set} set (positive leads of ${total}) and C02 (exact two-sided sign test); dashed line: the C02 band p <= 0.01; never-synced configurations count as not leading`,
    rows,
    spec: {
      vconcat: [
        {
          width: WIDTH,
          height: 200,
          mark: { type: 'line', point: true },
          encoding: { ...common, y: q('positive', `positive leads (of ${total})`, { scale: { domain: [0, total] } }) },
        },
        {
          width: WIDTH,
          height: 200,
          layer: [
            { mark: { type: 'line', point: true }, encoding: { ...common, y: q('sign_p', 'sign test p', { scale: { type: 'log' } }) } },
            { data: { values: [{ y: 0.01 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#777777' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          ],
        },
      ],
    },
  };
}

/** FSD at grokking (and its maximum) per main configuration, against the paper's ~0.97 and the permutation null. */
export function fsdAtGrokPlot(ctx: ClaimContext, keys: string[]): Plot | null {
  const rows: Row[] = [];
  for (const key of keys) {
    const ev = ctx.events(key);
    if (ev.grok === null) continue;
    const records = ctx.run(key).records;
    const atGrok = records.find((r) => r.step === ev.grok);
    const tested = records.filter((r) => r.permutation !== null && r.step <= ev.grok!).at(-1);
    rows.push({ run: key, measure: 'FSD at grokking', value: atGrok?.fsd ?? null });
    rows.push({ run: key, measure: 'max FSD over the run', value: Math.max(...records.map((r) => r.fsd).filter(Number.isFinite)) });
    if (tested?.permutation) rows.push({ run: key, measure: 'permutation null q95 before grokking', value: tested.permutation.null_q95 });
    rows.push({ run: key, measure: 'FSD at step 0', value: records.find((r) => r.step === 0)?.fsd ?? null });
  }
  if (rows.length === 0) return null;
  return {
    file: 'fsd-at-grokking',
    title: "FSD at grokking per main configuration, against the paper's ~0.97",
    caption: `FSD at the grokking checkpoint, its maximum over the run, at step 0, and the permutation null's 95th percentile at the last tested checkpoint before grokking; dashed: the paper's ~${PAPER_FSD_AT_GROK} and the canonical threshold ${SYNC.toFixed(2)}`,
    rows,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: { x: n('run', 'main configuration', { sort: null, axis: { labelAngle: -30 } }), y: q('value', 'FSD', { scale: { domain: [0, 1] } }), color: n('measure', null, { legend: { orient: 'bottom', columns: 2 } }), shape: n('measure', null) },
        },
        levelRules([{ y: PAPER_FSD_AT_GROK, label: `the paper's FSD at grokking ~${PAPER_FSD_AT_GROK}` }, { y: SYNC, label: `canonical sync threshold ${SYNC.toFixed(2)}` }], 'reference'),
      ],
      resolve: { legend: { opacity: 'independent' } },
    },
  };
}

export interface DeltaTPoint {
  p: number;
  lambda: number;
  deltaT: number;
  /** The draw (fork parent) the branch belongs to, for jitter. */
  draw?: string;
}

export interface PrimeCurve {
  p: number;
  c: number;
  /** Seed-averaged Delta_t per lambda. */
  means: { lambda: number; deltaT: number }[];
}

/** A small horizontal offset per draw so that branches at the same lambda do not hide each other. */
function jitter<T extends { draw?: string }>(points: T[], spread: number): number[] {
  const draws = [...new Set(points.map((p) => p.draw ?? ''))].sort();
  const mid = (draws.length - 1) / 2;
  return points.map((p) => (draws.indexOf(p.draw ?? '') - mid) * spread);
}

/** Delta_t against 1/lambda: every grokked draw as a dot (jittered), the fit C_p/lambda as a dashed line. */
export function deltaTPlot(points: DeltaTPoint[], curves: PrimeCurve[], file = 'delta-t-vs-inverse-lambda'): Plot {
  const offsets = jitter(points, 0.012);
  const rows: Row[] = points.map((q, i) => ({ kind: 'draw', prime: q.p, p: `p=${q.p}`, lambda: q.lambda, inverse_lambda: 1 / q.lambda + offsets[i], delta_t: q.deltaT, draw: q.draw ?? null }));
  for (const curve of curves) {
    const xMax = Math.max(...curve.means.map((m) => 1 / m.lambda), 1);
    for (const x of [0, xMax]) rows.push({ kind: 'fit', prime: curve.p, p: `p=${curve.p}`, lambda: null, inverse_lambda: x, delta_t: curve.c * x, draw: `C=${Math.round(curve.c)}` });
  }
  return {
    file,
    title: 'Delta_t vs 1/lambda, fitted C_p / lambda per prime (C06)',
    caption: `Delta_t = grokking step - fork step of each grokked fork branch (dots, jittered by draw); dashed: least squares through the origin on the seed means (${curves.map((c) => `p=${c.p}: C=${Math.round(c.c)}`).join(', ')})`,
    rows,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { transform: [{ filter: "datum.kind === 'draw'" }], mark: { type: 'point', filled: true, opacity: 0.8 }, encoding: { x: q('inverse_lambda', '1 / lambda'), y: q('delta_t', 'Delta_t (steps after the fork)'), color: PRIME_COLOR } },
        { transform: [{ filter: "datum.kind === 'fit'" }], mark: { type: 'line', strokeDash: [6, 4] }, encoding: { x: q('inverse_lambda', '1 / lambda'), y: q('delta_t', 'Delta_t (steps after the fork)'), color: PRIME_COLOR, detail: n('p', null) } },
      ],
    },
  };
}

export interface NormPoint {
  p: number;
  lambda: number;
  norm: number;
  draw?: string;
}

/** Total parameter norm at grokking by lambda, one colour per prime, jittered (C07). */
export function normAtGrokPlot(points: NormPoint[], file = 'norm-at-grokking'): Plot {
  const offsets = jitter(points, 0.06);
  return {
    file,
    title: 'Total parameter norm at grokking by lambda (C07)',
    caption: 'every grokked fork branch of fork97 and forks; points at one lambda are spread by draw',
    rows: points.map((q, i) => ({ prime: q.p, lambda: q.lambda, lambda_jittered: q.lambda + offsets[i], norm: q.norm, draw: q.draw ?? null })),
    spec: {
      width: WIDTH,
      height: HEIGHT,
      mark: { type: 'point', filled: true, opacity: 0.8 },
      encoding: { x: q('lambda_jittered', 'lambda (weight decay of the branch)'), y: q('norm', 'norm at grokking', { scale: { zero: true } }), color: PRIME_COLOR },
    },
  };
}

/** FSD_gen and the Z_{n!} Fourier control of one S_n run, with validation accuracy (C12). */
export function groupPlot(ctx: ClaimContext, key: string, file: string): Plot {
  const run = ctx.run(key);
  const control = ctx.events(key, { series: 'control' });
  const controlKey = fsdAltKey(metricOptions(run.config).fsd_site, 'grid');
  const controlName = `Z_${run.config.model.classes} control (FSD)`;
  const own = metricOptions(run.config).sync_threshold;
  const events = eventList(ctx.events(key, { series: 'fsd_gen' }), 'FSD_gen sync');
  if (control.sync !== null) events.push({ step: control.sync, label: `control sync at ${control.sync}` });
  return stepPlot({
    file,
    title: `${key}: FSD_gen vs the Z_${run.config.model.classes} control`,
    caption: `records of run ${run.id}; FSD_gen syncs at ${own.toFixed(2)}, the control at ${SYNC.toFixed(2)}`,
    rows: run.records.flatMap((r) => [
      { step: r.step, series: 'FSD_gen', value: r.fsd_gen },
      { step: r.step, series: controlName, value: r.fsd_alt[controlKey]?.fsd ?? null },
      { step: r.step, series: 'validation accuracy', value: r.val_acc },
    ]),
    yTitle: 'FSD_gen / FSD / accuracy',
    color: n('series', null, { legend: { orient: 'bottom' } }),
    events,
    levels: [{ y: own, label: `FSD_gen sync ${own.toFixed(2)}` }, { y: SYNC, label: `control sync ${SYNC.toFixed(2)}` }],
  });
}

const slug = (key: string) => key.replace(/\//g, '-');

/** Every plot the run set supports (runs that are not complete are skipped). */
export function buildPlots(set: CircuitRunSet, evidence: PlotEvidence = { sweep: new Map() }): Plot[] {
  const ctx = new ClaimContext(set, CANONICAL_OPTIONS);
  const usable = (k: string) => set.runs.get(k)?.state === 'complete';
  const plots: Plot[] = [];
  const mainKeys = set.profile.spec.main.runs.map((r) => mainKey(r.p, r.seed)).filter(usable);
  for (const p of [alignedFsdPlot(ctx, mainKeys), leadsVsThresholdPlot(evidence), leadsVsThresholdPlot(evidence, 'replicates'), fsdAtGrokPlot(ctx, mainKeys)]) if (p) plots.push(p);
  for (const key of mainKeys) plots.push(trajectoryPlot(ctx, key, `fsd-${slug(key)}`));
  // Fork branches: Delta_t and norm at grokking.
  const branchRuns = [...set.runs.values()].filter((r) => (r.role.experiment === 'forks' || r.role.experiment === 'fork97') && r.state === 'complete');
  const deltas: DeltaTPoint[] = [];
  const norms: NormPoint[] = [];
  for (const run of branchRuns) {
    const role = run.role as Extract<RunRole, { experiment: 'forks' | 'fork97' }>;
    const ev = ctx.events(run.key);
    if (ev.grok === null) continue;
    const draw = role.experiment === 'forks' ? `d${role.draw}` : 'fork97';
    const norm = run.records.find((r) => r.step === ev.grok)?.norm;
    if (norm !== undefined) norms.push({ p: role.p, lambda: role.lambda, norm, draw });
    if (role.experiment === 'forks') deltas.push({ p: role.p, lambda: role.lambda, deltaT: ev.grok - (run.config.fork?.step ?? 0), draw });
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
    if (usable(key)) plots.push(groupPlot(ctx, key, `fsd-gen-${slug(key)}`));
  }
  return plots;
}
