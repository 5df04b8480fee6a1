/**
 * N02 memorisation-ends-at-1.4k (claims.md §3): on every seed memorisation ends around epoch 1,400; the later
 * boundaries vary. Both t_mem estimates of §2.8 per main seed: the test-loss peak, and where the excluded loss
 * stops declining (its argmin; it reads K).
 */
import { verdict } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import { memBoundary } from '../runAnalysis.js';
import { stepCell, type Claim } from './claim.js';
import { count, epochs, mainKeys, ofSeeds, seedOf } from './helpers.js';

/** The band, in the paper's epochs: both estimates in this window on every seed, spread over seeds at most MAX_SPREAD. */
export const MEM_WINDOW = [1000, 2000] as const;
export const MAX_SPREAD = 600;
/** `direction only`: the options' t_mem in this window on >= 4/5 of the seeds. */
export const LOOSE_WINDOW = [500, 3000] as const;

const spread = (xs: readonly (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === xs.length && v.length > 0 ? Math.max(...v) - Math.min(...v) : null;
};

export const N02: Claim = {
  id: 'N02',
  name: 'memorisation-ends-at-1.4k',
  statement: 'on every seed memorisation ends around epoch 1,400; circuit formation and cleanup vary',
  paper: '"all of the models complete memorization by around 1400 epochs, circuit formation and cleanup occur at different times" (App. C.2.1)',
  band: `both t_mem estimates (test-loss peak; argmin of E) in [${MEM_WINDOW[0]}, ${MEM_WINDOW[1]}] on every seed, each spread over seeds <= ${MAX_SPREAD} (paper epochs x the profile's scale)`,
  direction: `t_mem in [${LOOSE_WINDOW[0]}, ${LOOSE_WINDOW[1]}] on >= 4/5 of the seeds`,
  experiments: ['main'],
  readsKeys: true,
  evaluate(ctx) {
    const keys = mainKeys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => {
      const s = ctx.series(key);
      const phases = ctx.phases(key);
      return { key, peak: memBoundary(s, 'test-peak'), argmin: memBoundary(s, 'excluded-argmin'), ...phases };
    });
    const n = rows.length;
    const [lo, hi] = MEM_WINDOW.map((e) => epochs(ctx, e));
    const inWindow = (t: number | null) => t !== null && t >= lo && t <= hi;
    const both = count(rows, (r) => inWindow(r.peak) && inWindow(r.argmin));
    const spreads = { peak: spread(rows.map((r) => r.peak)), argmin: spread(rows.map((r) => r.argmin)), clean: spread(rows.map((r) => r.tClean)), circ: spread(rows.map((r) => r.tCirc)) };
    const narrow = spreads.peak !== null && spreads.argmin !== null && spreads.peak <= epochs(ctx, MAX_SPREAD) && spreads.argmin <= epochs(ctx, MAX_SPREAD);
    const [llo, lhi] = LOOSE_WINDOW.map((e) => epochs(ctx, e));
    const loose = count(rows, (r) => r.tMem !== null && r.tMem >= llo && r.tMem <= lhi);
    const cell = (x: number | null) => (x === null ? 'n/a' : String(x));
    return {
      verdict: verdict({ reproduced: both === n && narrow, direction: loose >= ProgressContext.share(n, 4) }),
      reason: `${ofSeeds(both, n)} with both estimates in the window; spread over seeds: peak ${cell(spreads.peak)}, argmin of E ${cell(spreads.argmin)}`,
      figure: `t_mem (test-loss peak) ${rows.map((r) => stepCell(r.peak)).join('/')}; argmin of E ${rows.map((r) => stepCell(r.argmin)).join('/')}; t_clean spread ${cell(spreads.clean)}`,
      data: { seeds: rows.map((r) => ({ run: r.key, test_peak: r.peak, excluded_argmin: r.argmin, t_circ: r.tCirc, t_clean: r.tClean })), spreads, both_in_window: both, of: n },
      headline: { both_in_window: both, of: n },
      tables: [
        {
          title: `Per seed (E with ${ctx.series(keys[0]).keyRule})`,
          columns: ['seed', 't_mem (test peak)', 't_mem (argmin E)', 't_circ', 't_clean'],
          rows: rows.map((r) => [seedOf(r.key), stepCell(r.peak), stepCell(r.argmin), stepCell(r.tCirc), stepCell(r.tClean)]),
        },
      ],
      runIds: ctx.ids(keys),
      notes: [`the paper says circuit formation and cleanup vary by seed: t_circ spread ${cell(spreads.circ)}, t_clean spread ${cell(spreads.clean)}`],
      configurations: n,
    };
  },
};
