/**
 * What the verdict report shows, as the verify pipeline hands it over: each claim's outcome at both
 * resolutions, the verdicts that move under the paper's documented choices, and the provenance of the runs.
 * The report writer only renders these; src/verify/ computes them.
 */
import type { ClaimDefinition, ClaimOutcome, FigureData, Verdict } from '../paper/claim.js';

/** One point of a claim's evidence sweep (src/verify/sweep.ts computes them). */
export interface SweepEntry {
  /** The configurations read: the canonical set (the paper's design) or another the profile offers (replicates). */
  set: string;
  /** How many configurations the figure rests on, where the claim pools them; null otherwise. */
  configurations: number | null;
  /** The rule, e.g. `threshold:0.60`, `sustained:3@0.60`, `plateau:0.05`. */
  rule: string;
  family: string;
  threshold: number | null;
  /** Checkpoint spacing the events were read at (the runs' eval_every, or the paper's coarse grid). */
  resolution: number;
  verdict: Verdict;
  /** The claim's figure in words and its headline numbers. */
  figure: FigureData;
}

export interface SweepSummary {
  /** One line per set, family and resolution: `threshold @100: reproduced for thresholds <= 0.60, ...`. */
  lines: { set: string; configurations: number | null; family: string; resolution: number; text: string }[];
  /** Of the canonical set's sweep points, how many give the canonical verdict (`points` of them). */
  agreeing: number;
  points: number;
  /** The canonical family's thresholds (at the fine resolution) around `canonicalThreshold` with the canonical verdict. */
  holds: { lo: number; hi: number } | null;
  /**
   * Near misses (issue 26): the canonical family's neighbouring thresholds, one sweep step either side of the
   * canonical one at the fine resolution, whose verdict differs: the verdict turns on less than one step.
   */
  nearMiss?: { threshold: number; verdict: Verdict }[];
  /**
   * `rule-robust` when every point of the sweep gives the canonical verdict, else `rule-dependent` (not to be
   * confused with the baseline's robust/fragile, which is about a rounding-only perturbation of the runs).
   */
  mark: 'rule-robust' | 'rule-dependent';
}

export interface ClaimResult {
  definition: ClaimDefinition;
  /** Canonical analysis at our resolution: the verdict. */
  fine: ClaimOutcome;
  /** Canonical analysis on the paper's coarse grid. */
  coarse: ClaimOutcome;
  /** For the claims the paper sweeps: the verdict at every sweep point, and the ranges it holds over. */
  sweep?: { entries: SweepEntry[]; summary: SweepSummary };
  /** Robust or fragile under the profile's rounding-only perturbation (verify/robustness.ts). */
  robustness?: Robustness;
}

export interface VerdictChange {
  claim: string;
  canonical: Verdict;
  alternative: Verdict;
  /** Our figure under the alternative. */
  figure: string;
  reason: string;
  /** The same alternative on the perturbed re-run (verify/pipeline.ts); absent where none was evaluated. */
  rounding?: Robustness;
}

export interface SensitivityRow {
  /** e.g. `sync.rule=plateau:0.05`. */
  variant: string;
  changes: VerdictChange[];
  /** Every claim whose figure moves under the variant: its figure there (verdict changed or not). */
  figures: Record<string, string>;
  /** Per claim, its verdict under the variant marked by the same variant on the perturbed re-run (when there is one). */
  rounding?: Record<string, Robustness>;
}

/** Per claim, its rounding marks over the alternatives in words: `robust under 14 of 15; fragile under X (there Y)`. */
export function alternativesRoundingByClaim(rows: SensitivityRow[]): Map<string, string> {
  const out = new Map<string, string>();
  const ids = [...new Set(rows.flatMap((row) => Object.keys(row.rounding ?? {})))];
  for (const id of ids) {
    const marks = rows.flatMap((row) => (row.rounding?.[id] ? [{ variant: row.variant, mark: row.rounding[id] }] : []));
    const robust = marks.filter((m) => m.mark.mark === 'robust').length;
    const fragile = marks.filter((m) => m.mark.mark === 'fragile').map((m) => `${m.variant} (there ${m.mark.perturbed_verdict})`);
    const untested = marks.filter((m) => m.mark.mark === 'untested').length;
    out.set(id, [`robust under ${robust} of ${marks.length}`, ...(fragile.length ? [`fragile under ${fragile.join(', ')}`] : []), ...(untested ? [`untested under ${untested}`] : [])].join('; '));
  }
  return out;
}

/** Per claim, the variants under which its verdict changes. */
export function changesByClaim(rows: SensitivityRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of rows)
    for (const c of row.changes) out.set(c.claim, [...(out.get(c.claim) ?? []), `${row.variant} -> ${c.alternative}${c.rounding ? ` (rounding: ${roundingWords(c.rounding)})` : ''}`]);
  return out;
}

/** A rounding mark in words: `robust`, `fragile, there direction only`, `untested, <why>`. */
export function roundingWords(r: Robustness): string {
  if (r.mark === 'robust') return 'robust';
  if (r.mark === 'fragile') return `fragile, there ${r.perturbed_verdict}`;
  return `untested, ${r.note}`;
}

export interface Environment {
  git: { commit: string | null; dirty: boolean | null };
  node: string;
  packages: Record<string, string>;
  machine: { cpu: string; cores: number; memory_gib: number; os: string };
}

export interface ExperimentProvenance {
  experiment: string;
  runs: number;
  complete: number;
  /** Seeds (init/split/batch, and batch-order seeds of fork draws) used by the experiment's runs. */
  seeds: number[];
  /** Training wall time summed over its runs, in seconds (a run shared by two experiments counts in both). */
  wall_s: number;
}

export interface Provenance extends Environment {
  /** Distinct engine descriptions of the runs (e.g. "native (C++ N-API, 1 thread)"). */
  engines: string[];
  experiments: ExperimentProvenance[];
  /** Training wall time over distinct runs. */
  total_wall_s: number;
  /** Who trained the runs: distinct runs per (commit, CPU, engine) of their training calls, first and last date. */
  trainers: TrainerProvenance[];
  /** Distinct runs whose records do not say who trained them (trained before that was kept). */
  untraced_runs: number;
}

export interface TrainerProvenance {
  commit: string | null;
  dirty: boolean | null;
  cpu: string;
  engine: string;
  runs: number;
  first: string;
  last: string;
}

export const ROBUSTNESS_MARKS = ['robust', 'fragile', 'untested'] as const;
export type RobustnessMark = (typeof ROBUSTNESS_MARKS)[number];

/** Robust or fragile under the profile's rounding-only perturbation (verify/robustness.ts). */
export interface Robustness {
  mark: RobustnessMark;
  /** The verdict and figure on the perturbed re-run (null when untested for lack of runs). */
  perturbed_verdict: Verdict | null;
  perturbed_figure: string | null;
  /** Why it is untested, or what the perturbed re-run said when fragile. */
  note: string | null;
}
