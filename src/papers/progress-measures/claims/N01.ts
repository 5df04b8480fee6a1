/**
 * N01 grokking-timing (claims.md §3): a one-layer model memorises fast and generalises after about 10k epochs,
 * on every seed. Per main seed: t_mem99 (train accuracy >= 0.99) and t_grok (test accuracy >= 0.95), 113-way.
 */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import { stepCell, type Claim } from './claim.js';
import { count, epochs, mainKeys, ofSeeds, seedOf } from './helpers.js';

/** The band, in the paper's epochs: memorised by this, grokked within this window. */
export const MAX_MEMORISED = 1500;
export const GROK_WINDOW = [5000, 16000] as const;
/** `direction only`: grokking at least this many times later than memorisation. */
export const MIN_DELAY_RATIO = 4;

export const N01: Claim = {
  id: 'N01',
  name: 'grokking-timing',
  statement: 'a one-layer model memorises fast and generalises after about 10k epochs, on every seed',
  paper: '"After around 10,000 epochs, the network generalizes and test accuracy increases to near 100%" (§3; Fig. 2, 5 seeds)',
  band: `every seed: t_mem99 <= ${MAX_MEMORISED} and t_grok in [${GROK_WINDOW[0]}, ${GROK_WINDOW[1]}] (paper epochs; times the profile's epoch scale)`,
  direction: `>= 4/5 of the seeds grok within the run, with t_grok >= ${MIN_DELAY_RATIO} x t_mem99`,
  experiments: ['main'],
  readsKeys: false,
  evaluate(ctx) {
    const keys = mainKeys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => ({ key, ...ctx.phases(key) }));
    const [lo, hi] = GROK_WINDOW.map((e) => epochs(ctx, e));
    const inBand = count(rows, (r) => r.tMem99 !== null && r.tMem99 <= epochs(ctx, MAX_MEMORISED) && r.tGrok !== null && r.tGrok >= lo && r.tGrok <= hi);
    const delayed = count(rows, (r) => r.tGrok !== null && r.tMem99 !== null && r.tGrok >= MIN_DELAY_RATIO * r.tMem99);
    const n = rows.length;
    if (n === 0) return notEvaluable('no main run');
    const grokked = rows.filter((r) => r.tGrok !== null).map((r) => r.tGrok!);
    return {
      verdict: verdict({ reproduced: inBand === n, direction: delayed >= ProgressContext.share(n, 4) }),
      reason: `${ofSeeds(inBand, n)} in the band; ${ofSeeds(delayed, n)} grok at least ${MIN_DELAY_RATIO}x after memorising`,
      figure: `t_grok ${grokked.length ? `${Math.min(...grokked)}-${Math.max(...grokked)}` : 'never'} (${ofSeeds(grokked.length, n)} grok); t_mem99 ${rows.map((r) => stepCell(r.tMem99)).join('/')}`,
      data: { seeds: rows.map((r) => ({ run: r.key, t_mem99: r.tMem99, t_grok: r.tGrok })), in_band: inBand, delayed, of: n },
      headline: { in_band: inBand, of: n },
      tables: [{ title: 'Per seed', columns: ['seed', 't_mem99', 't_50', 't_grok'], rows: rows.map((r) => [seedOf(r.key), stepCell(r.tMem99), stepCell(r.t50), stepCell(r.tGrok)]) }],
      runIds: ctx.ids(keys),
      notes: [],
      configurations: n,
    };
  },
};
