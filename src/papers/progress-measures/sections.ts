/**
 * Progress-measures' own report sections (src/paper/paper.ts `ReportSection`), generated from the runs and the
 * canonical verdicts:
 * - the phase boundaries and key frequencies of every main seed, beside the paper's;
 * - the look-ahead: which verdicts that read K hold only with the final model's frequencies;
 * - the cross-check with arXiv 2606.12966: does FSD of the MLP hidden sync before grokking on these runs, at
 *   which thresholds, and where does its sync step fall against t_circ.
 */
import type { ClaimOutcome, Verdict } from '../../paper/claim.js';
import type { ReportSection } from '../../paper/paper.js';
import { CLAIMS, evaluateClaims } from './claims/index.js';
import { stepCell } from './claims/claim.js';
import { ProgressContext } from './context.js';
import { memBoundary, storedFinalKeys } from './runAnalysis.js';
import { CANONICAL, NO_LOOK_AHEAD } from './options.js';
import type { ProgressRunSet } from './runSet.js';

/** The paper's main run (claims.md §2.8, §2.4): its phase lines and key frequencies. */
export const PAPER_PHASES = { tMem: 1400, tCirc: 9400, tClean: 14000 } as const;
export const PAPER_KEYS = [14, 35, 41, 42, 52] as const;
/** The FSD thresholds the cross-check reads (arXiv 2606.12966's canonical 0.80 among them). */
export const FSD_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9] as const;

const STRENGTH: Record<Verdict, number> = { reproduced: 3, 'direction only': 2, inconclusive: 1, 'not reproduced': 0, 'not evaluable': -1 };

function phaseSection(ctx: ProgressContext, keys: readonly string[]): ReportSection {
  const rows = keys.map((key) => {
    const s = ctx.series(key);
    const ph = ctx.phases(key);
    const fk = storedFinalKeys(ctx.run(key).measurements);
    const k = (rule: 'neuron-argmax' | 'neuron-argmax:min1%' | 'wl-nontrivial') => (fk ? `{${fk.keys[rule].join(', ')}}` : 'n/a');
    return [key, stepCell(ph.tMem), stepCell(memBoundary(s, 'excluded-argmin')), stepCell(ph.tCirc), stepCell(ph.tClean), stepCell(ph.t50), stepCell(ph.tGrok), k('neuron-argmax'), k('neuron-argmax:min1%'), k('wl-nontrivial')];
  });
  return {
    title: 'Phase boundaries and key frequencies',
    paragraphs: [
      'Per main seed, the phase boundaries of claims.md §2.8 under the canonical options (t_mem: the test-loss peak in [0, 5000], and the alternative, the argmin of the excluded loss; t_circ: 90% of the rise of log E; t_clean: test loss <= 1e-3 from there on) and the final model\'s key frequencies under each rule (§2.4). ' +
        `The paper's main run, for comparison: ${PAPER_PHASES.tMem} / ${PAPER_PHASES.tCirc} / ${PAPER_PHASES.tClean} and {${PAPER_KEYS.join(', ')}}; ours are other seeds (their init was not seeded), so the frequencies should differ and their count not.`,
    ],
    tables: [
      {
        title: 'Main runs',
        columns: ['run', 't_mem (test peak)', 't_mem (argmin E)', 't_circ', 't_clean', 't_50', 't_grok', 'K rule 1', 'K rule 1, >= 1% of neurons', 'K rule 2'],
        rows: [...rows, ['the paper (its seed)', PAPER_PHASES.tMem, '-', PAPER_PHASES.tCirc, PAPER_PHASES.tClean, '-', '-', `{${PAPER_KEYS.join(', ')}}`, '-', '-']],
      },
    ],
    plots: keys.map((key) => `figure7-${key.replace(/\//g, '-')}`),
  };
}

function lookAheadSection(set: ProgressRunSet, outcomes: ReadonlyMap<string, ClaimOutcome>): ReportSection {
  const reading = CLAIMS.filter((c) => c.readsKeys).map((c) => c.id);
  const honest = evaluateClaims(set, { ...CANONICAL, keys: NO_LOOK_AHEAD }, reading);
  const rows = reading.map((id) => {
    const withIt = outcomes.get(id)?.verdict ?? 'not evaluable';
    const without = honest.get(id)!.verdict;
    return { id, withIt, without, only: STRENGTH[withIt] > STRENGTH[without] && STRENGTH[without] >= 0 };
  });
  const only = rows.filter((r) => r.only).map((r) => r.id);
  return {
    title: 'Look-ahead',
    paragraphs: [
      'Their figures fix the key frequencies K from the final model and reuse them at every earlier checkpoint (claims.md §2.4), so a measure at epoch 3k already knows which frequencies will win. ' +
        "Every verdict that reads K is given with rule 1 of the final model (canonical, as their figures) and again with rule 1' (each checkpoint's own neurons, no look-ahead; measured every `neuron_keys_every` steps).",
      only.length ? `**Verdicts that hold only with look-ahead: ${only.join(', ')}.**` : 'No verdict holds only with look-ahead: each is as strong without it.',
    ],
    tables: [{ title: 'Verdicts that read K', columns: ['claim', 'final K (look-ahead)', "rule 1' (none)", 'only with look-ahead'], rows: rows.map((r) => [r.id, r.withIt, r.without, r.only ? 'yes' : 'no']) }],
    plots: [],
  };
}

function fsdSection(ctx: ProgressContext, keys: readonly string[]): ReportSection {
  const perRun = keys.map((key) => {
    const s = ctx.series(key);
    const ph = ctx.phases(key);
    const sync = FSD_THRESHOLDS.map((t) => {
      const i = s.fsd.findIndex((v) => v >= t);
      return i < 0 ? null : s.steps[i];
    });
    return { key, ph, sync, maxFsd: Math.max(...s.fsd) };
  });
  const before = FSD_THRESHOLDS.map((_, j) => perRun.filter((r) => r.sync[j] !== null && r.ph.tGrok !== null && r.sync[j]! < r.ph.tGrok).length);
  const canonical = FSD_THRESHOLDS.indexOf(0.8);
  const relative = perRun.map((r) => (r.sync[canonical] !== null && r.ph.tCirc !== null ? r.sync[canonical]! - r.ph.tCirc : null));
  const n = perRun.length;
  return {
    title: "Cross-check: FSD (arXiv 2606.12966's metric) on these runs",
    paragraphs: [
      "arXiv 2606.12966 reads grokking's precursor from FSD, the chance-corrected share of units whose dominant Fourier frequency is the most common one (its metrics.md), so a circuit spread over several key frequencies keeps it low; its sync step is the first checkpoint with FSD >= 0.80. Here FSD is measured on the MLP hidden of Nanda et al.'s 1-layer ReLU model at every checkpoint.",
      `FSD syncs before grokking on ${FSD_THRESHOLDS.map((t, j) => `${before[j]}/${n} seeds at ${t.toFixed(2)}`).join(', ')}. ` +
        `Against t_circ (the end of circuit formation), the 0.80 sync step is ${relative.map((d) => (d === null ? 'n/a' : `${d > 0 ? '+' : ''}${d}`)).join(' / ')} epochs (positive: after t_circ).`,
    ],
    tables: [
      {
        title: 'First checkpoint with FSD at or above each threshold, per main seed',
        columns: ['run', ...FSD_THRESHOLDS.map((t) => `FSD >= ${t.toFixed(2)}`), 'max FSD', 't_circ', 't_grok'],
        rows: perRun.map((r) => [r.key, ...r.sync.map(stepCell), r.maxFsd.toFixed(3), stepCell(r.ph.tCirc), stepCell(r.ph.tGrok)]),
      },
    ],
    plots: ['fsd-cross-check'],
  };
}

/** The sections, over the main runs that can be read (none: no sections). */
export function progressSections(set: ProgressRunSet, outcomes: ReadonlyMap<string, ClaimOutcome>): ReportSection[] {
  const ctx = new ProgressContext(set, CANONICAL);
  const keys = ctx.keysOf('main').filter((k) => ctx.notEvaluableFor([k]) === null);
  if (keys.length === 0) return [];
  return [phaseSection(ctx, keys), lookAheadSection(set, outcomes), fsdSection(ctx, keys)];
}
