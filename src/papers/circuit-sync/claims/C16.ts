/**
 * C16 two-phase: two phases in the reference run (claims.md): memorisation early, then the total parameter
 * norm falls and the median Fourier rank reaches 1 before grokking. Band: rank 1 strictly before the grokking
 * checkpoint, and norm(grok) < (1 - MIN_NORM_FALL) * norm(memorisation). Direction: the norm falls and the
 * median rank at grokking is below its value at memorisation.
 */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { atResolution, fsdSeries } from '../runEvents.js';
import type { Claim } from './claim.js';

/** The band: the norm falls by more than this fraction from memorisation to grokking. */
export const MIN_NORM_FALL = 0.5;

export const C16: Claim = {
  id: 'C16',
  name: 'two-phase',
  statement: 'memorisation by ~1000 steps, then the norm falls and the median Fourier rank reaches 1 before grokking',
  paper: 'p97 s42: norm 76.7 -> 22.9, rank 6 -> 1',
  band: `median rank 1 strictly before grokking and the norm falls > ${Math.round(100 * MIN_NORM_FALL)}% from memorisation to grokking`,
  direction: 'the norm falls and the median rank at grokking is below its value at memorisation',
  experiments: ['main'],
  evaluate(ctx) {
    const key = ctx.referenceKey;
    const unavailable = ctx.notEvaluableFor([key]);
    if (unavailable) return unavailable;
    const run = ctx.run(key);
    const ev = ctx.events(key);
    if (ev.memorisation === null || ev.grok === null)
      return notEvaluable(`${key}: ${ev.memorisation === null ? 'never memorised' : 'never grokked'} (last checkpoint ${ev.lastStep})`, [run.id]);
    const records = atResolution(run.records, ctx.options, ctx.profile.coarseStep);
    const ranks = fsdSeries(records, run.config, ctx.options).medianRank;
    const at = (step: number) => records.findIndex((r) => r.step === step);
    const iMem = at(ev.memorisation), iGrok = at(ev.grok);
    const normMem = records[iMem].norm, normGrok = records[iGrok].norm;
    const rankMem = ranks[iMem], rankGrok = ranks[iGrok];
    let rank1Step: number | null = null;
    for (let i = 0; i < records.length; i++)
      if (ranks[i] !== null && ranks[i]! <= 1) {
        rank1Step = records[i].step;
        break;
      }
    const rank1Before = rank1Step !== null && rank1Step < ev.grok;
    const fall = 1 - normGrok / normMem;
    const rankFalls = rankMem !== null && rankGrok !== null && rankGrok < rankMem;
    const r = (x: number | null) => (x === null ? 'n/a' : String(x));
    return {
      verdict: verdict({ reproduced: rank1Before && fall > MIN_NORM_FALL, direction: fall > 0 && (rankFalls || rank1Before) }),
      reason: `one run: memorised at ${ev.memorisation}, norm ${normMem.toFixed(1)} -> ${normGrok.toFixed(1)} (${Math.round(100 * fall)}% fall), median rank ${r(rankMem)} -> ${r(rankGrok)}, rank 1 ${rank1Step === null ? 'never' : `at ${rank1Step}`}, grokked at ${ev.grok}`,
      figure: `norm ${normMem.toFixed(1)} -> ${normGrok.toFixed(1)}, rank ${r(rankMem)} -> ${r(rankGrok)}; memorised at ${ev.memorisation}, rank 1 ${rank1Step === null ? 'never' : `at ${rank1Step}`}, grok ${ev.grok}`,
      data: {
        memorisation: ev.memorisation,
        grok: ev.grok,
        norm_at_memorisation: normMem,
        norm_at_grok: normGrok,
        norm_fall: fall,
        median_rank_at_memorisation: rankMem,
        median_rank_at_grok: rankGrok,
        rank1_step: rank1Step,
      },
      runIds: [run.id],
      notes: ctx.eventNotes([key]),
    };
  },
};
