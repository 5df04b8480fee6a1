/**
 * Sensitivity of the verdicts to our choices (metrics.md "Named options"): every claim is re-derived from the
 * same stored runs under each single-option alternative, and the verdicts that change are listed.
 * What cannot be re-derived without retraining is stated in SENSITIVITY_LIMITS.
 */
import type { ClaimId, ClaimOutcome, Verdict } from './claimTypes.js';
import { evaluateClaims } from './claims.js';
import { optionVariants } from './options.js';
import type { RunSet } from './runSet.js';

export const SENSITIVITY_LIMITS = [
  'Fork points and fsd-triggered schedules were fixed at training time by the canonical sync rule; alternatives re-derive events on those same runs.',
  "C14's ablation is measured once, at the canonical grokking checkpoint.",
  'FSD_gen (S_n) is recorded for the configured site on the full grid only, and keeps its 0.50 threshold under the threshold alternatives.',
];

export interface VerdictChange {
  claim: ClaimId;
  canonical: Verdict;
  alternative: Verdict;
  /** Our figure under the alternative. */
  figure: string;
  reason: string;
}

export interface SensitivityRow {
  /** e.g. `sync.rule=plateau:0.05`. */
  variant: string;
  changes: VerdictChange[];
}

export function sensitivity(set: RunSet, canonical: Map<ClaimId, ClaimOutcome>, ids: readonly ClaimId[]): SensitivityRow[] {
  return optionVariants().map((variant) => {
    const outcomes = evaluateClaims(set, variant.options, ids);
    const changes: VerdictChange[] = [];
    for (const id of ids) {
      const a = canonical.get(id)!, b = outcomes.get(id)!;
      if (a.verdict !== b.verdict) changes.push({ claim: id, canonical: a.verdict, alternative: b.verdict, figure: b.figure, reason: b.reason });
    }
    return { variant: variant.label, changes };
  });
}

/** Per claim, the variants under which its verdict changes. */
export function changesByClaim(rows: SensitivityRow[]): Map<ClaimId, string[]> {
  const out = new Map<ClaimId, string[]>();
  for (const row of rows) for (const c of row.changes) out.set(c.claim, [...(out.get(c.claim) ?? []), `${row.variant} -> ${c.alternative}`]);
  return out;
}
