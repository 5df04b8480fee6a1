/**
 * Progress-measures' report plots (src/paper/paper.ts `Plot`): data and vega-lite specs, pure. Phase lines and
 * their labels live in legends, never on the plot area. Series are read under the canonical options.
 * - per main seed, a Figure-7 analogue: the excluded loss (with E_max and the train loss), the restricted loss
 *   against the test loss, the Gini coefficients of W_E and W_L, and the sum of squared weights, with the phase
 *   lines t_mem, t_circ and t_clean;
 * - FSD of the MLP hidden per main seed with t_circ and t_grok marked (the cross-check with arXiv 2606.12966);
 * - t_grok against the training fraction (N11) and per prime case (N12).
 */
import type { Plot, PlotValue } from '../../paper/paper.js';
import { ProgressContext } from './context.js';
import { CANONICAL } from './options.js';
import { primeCases } from './profiles.js';
import type { Phases } from './runAnalysis.js';
import type { ProgressRunSet } from './runSet.js';

type Row = Record<string, PlotValue>;
const WIDTH = 520;
const PANEL_HEIGHT = 150;

const q = (field: string, title: string, extra: Record<string, unknown> = {}) => ({ field, type: 'quantitative', title, ...extra });
const n = (field: string, title: string | null, extra: Record<string, unknown> = {}) => ({ field, type: 'nominal', title, ...extra });

function phaseLines(ph: Phases): { step: number; label: string }[] {
  const lines = [
    { step: ph.tMem, label: `t_mem ${ph.tMem}` },
    { step: ph.tCirc, label: `t_circ ${ph.tCirc}` },
    { step: ph.tClean, label: `t_clean ${ph.tClean}` },
  ];
  return lines.filter((l): l is { step: number; label: string } => l.step !== null);
}

/** One panel of a stacked figure: the rows of `panel`, on a log or linear axis, with the phase rules. */
function panel(name: string, yTitle: string, log: boolean, phases: { step: number; label: string }[]): Record<string, unknown> {
  return {
    width: WIDTH,
    height: PANEL_HEIGHT,
    title: name,
    layer: [
      {
        transform: [{ filter: { field: 'panel', equal: name } }, ...(log ? [{ filter: 'datum.value > 0' }] : [])],
        mark: { type: 'line', strokeWidth: 1.3 },
        encoding: { x: q('step', 'epoch'), y: q('value', yTitle, log ? { scale: { type: 'log' } } : {}), color: n('series', null, { legend: { orient: 'right' } }) },
      },
      { data: { values: phases }, mark: { type: 'rule', strokeWidth: 1 }, encoding: { x: q('step', 'epoch'), strokeDash: n('label', 'phases', { legend: { orient: 'right' } }) } },
    ],
  };
}

/** The Figure-7 analogue of one main run. */
function figure7(ctx: ProgressContext, key: string): Plot {
  const s = ctx.series(key);
  const ph = ctx.phases(key);
  const rows: Row[] = [];
  const add = (panelName: string, series: string, values: readonly (number | null)[]) =>
    values.forEach((v, i) => {
      if (v !== null && Number.isFinite(v)) rows.push({ panel: panelName, series, step: s.steps[i], value: v });
    });
  add('excluded loss', 'E (key frequencies)', s.excluded);
  add('excluded loss', 'E_max (no look-ahead)', s.excludedMax);
  add('excluded loss', 'train loss', s.trainLoss);
  add('restricted vs test loss', 'restricted (all pairs)', s.restricted);
  add('restricted vs test loss', 'test', s.testLoss);
  add('Gini of Fourier norms', 'W_E', s.giniWe);
  add('Gini of Fourier norms', 'W_L', s.giniWl);
  add('sum of squared weights', 'SSW', s.ssw);
  const lines = phaseLines(ph);
  const file = `figure7-${key.replace(/\//g, '-')}`;
  return {
    file,
    title: `Progress measures, ${key} (Figure 7 analogue)`,
    caption: `${key}: E and R with ${s.keyRule} {${s.keys.join(', ')}}; E_max needs no K; phase lines t_mem/t_circ/t_clean of claims.md §2.8 (canonical options). Data: plots/${file}.csv.`,
    rows,
    spec: {
      vconcat: [
        panel('excluded loss', 'loss (nats)', true, lines),
        panel('restricted vs test loss', 'loss (nats)', true, lines),
        panel('Gini of Fourier norms', 'Gini', false, lines),
        panel('sum of squared weights', 'SSW', false, lines),
      ],
      resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
    },
  };
}

/** FSD of every main run's MLP hidden, with each run's t_circ and t_grok (the cross-check section). */
function fsdCrossCheck(ctx: ProgressContext, keys: readonly string[]): Plot {
  const rows: Row[] = [];
  const marks: { step: number; label: string; run: string }[] = [];
  for (const key of keys) {
    const s = ctx.series(key);
    s.steps.forEach((step, i) => rows.push({ run: key, step, value: s.fsd[i] }));
    const ph = ctx.phases(key);
    if (ph.tCirc !== null) marks.push({ run: key, step: ph.tCirc, label: 't_circ' });
    if (ph.tGrok !== null) marks.push({ run: key, step: ph.tGrok, label: 't_grok' });
  }
  return {
    file: 'fsd-cross-check',
    title: "FSD (arXiv 2606.12966's metric) of the MLP hidden on Nanda et al.'s runs",
    caption: 'FSD of block0.mlp.post on the full grid at every checkpoint of each main run; the rules mark each run\'s t_circ and t_grok (canonical options). Data: plots/fsd-cross-check.csv.',
    rows,
    spec: {
      width: WIDTH,
      height: 260,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.3 }, encoding: { x: q('step', 'epoch'), y: q('value', 'FSD', { scale: { domain: [0, 1] } }), color: n('run', 'run') } },
        { data: { values: marks }, mark: { type: 'rule', strokeWidth: 1 }, encoding: { x: q('step', 'epoch'), color: n('run', 'run'), strokeDash: n('label', 'event') } },
      ],
    },
  };
}

/** t_grok by training fraction (N11): runs that never grok sit at the run's end, marked. */
function fractionPlot(ctx: ProgressContext, keys: readonly string[]): Plot {
  const rows: Row[] = keys.map((key) => {
    const t = ctx.phases(key).tGrok;
    return { run: key, frac: ctx.run(key).role.trainFrac, t_grok: t ?? ctx.series(key).steps.at(-1)!, grokked: t !== null };
  });
  return {
    file: 'data-fraction',
    title: 'Time to grok against the training fraction (N11)',
    caption: 'First checkpoint with 113-way test accuracy >= 0.95 per frac run; a run that never grokked is drawn at its last step, hollow. Data: plots/data-fraction.csv.',
    rows,
    spec: {
      width: WIDTH,
      height: 260,
      mark: { type: 'point', size: 70 },
      encoding: { x: q('frac', 'training fraction'), y: q('t_grok', 't_grok (epochs)', { scale: { type: 'symlog' } }), shape: n('grokked', 'grokked') },
    },
  };
}

/** t_grok per prime case and seed (N12), main's seeds beside them. */
function primesPlot(ctx: ProgressContext): Plot {
  const spec = ctx.profile;
  const seeds = new Set(spec.primes.seeds);
  const cases = [{ label: `main p${spec.main.p} lambda ${spec.main.weightDecay}`, keys: ctx.keysOf('main', (r) => seeds.has(r.role.seed)) }, ...primeCases(spec).map((c) => ({ label: `p${c.p} lambda ${c.weightDecay}`, keys: ctx.keysOf('primes', (r) => r.role.p === c.p && r.role.weightDecay === c.weightDecay) }))];
  const rows: Row[] = cases.flatMap((c) =>
    c.keys.map((key) => {
      const t = ctx.phases(key).tGrok;
      return { case: c.label, run: key, t_grok: t ?? ctx.series(key).steps.at(-1)!, grokked: t !== null };
    }),
  );
  return {
    file: 'other-primes',
    title: 'Time to grok per prime and weight decay (N12)',
    caption: 'First checkpoint with 113-way test accuracy >= 0.95 per run; never grokked: drawn at its last step, hollow. Data: plots/other-primes.csv.',
    rows,
    spec: {
      width: WIDTH,
      height: 220,
      mark: { type: 'point', size: 70 },
      encoding: { y: n('case', null, { sort: cases.map((c) => c.label) }), x: q('t_grok', 't_grok (epochs)'), shape: n('grokked', 'grokked') },
    },
  };
}

/** Every plot the set's complete runs allow (a plot whose runs are not all readable is left out). */
export function progressPlots(set: ProgressRunSet): Plot[] {
  const ctx = new ProgressContext(set, CANONICAL);
  const readable = (keys: readonly string[]) => keys.length > 0 && ctx.notEvaluableFor(keys) === null;
  const main = ctx.keysOf('main').filter((k) => readable([k]));
  const plots: Plot[] = main.map((key) => figure7(ctx, key));
  if (main.length) plots.push(fsdCrossCheck(ctx, main));
  const frac = ctx.keysOf('frac');
  if (readable(frac)) plots.push(fractionPlot(ctx, frac));
  if (readable([...ctx.keysOf('primes'), ...ctx.keysOf('main')])) plots.push(primesPlot(ctx));
  return plots;
}
