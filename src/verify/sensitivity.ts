/**
 * Sensitivity of the verdicts to a paper's documented choices (metrics.md "Named options"): every claim is
 * re-derived from the same stored runs under each single-choice variant the paper names, and the verdicts that
 * change are listed. What the variants cannot re-derive without retraining is the paper's `analysis.limits`.
 */
import type { ClaimOutcome } from '../paper/claim.js';
import type { AnyPaper } from '../paper/paper.js';
import type { RunSet } from '../paper/runSet.js';
import type { SensitivityRow, VerdictChange } from '../report/inputs.js';


export function sensitivity(paper: AnyPaper, set: RunSet, canonical: Map<string, ClaimOutcome>, ids: readonly string[]): SensitivityRow[] {
  return paper.analysis.variants.map((variant) => {
    const outcomes = paper.evaluate(set, ids, variant);
    const changes: VerdictChange[] = [];
    const figures: Record<string, string> = {};
    for (const id of ids) {
      const a = canonical.get(id)!, b = outcomes.get(id)!;
      if (a.verdict !== b.verdict) changes.push({ claim: id, canonical: a.verdict, alternative: b.verdict, figure: b.figure, reason: b.reason });
      if (a.figure !== b.figure) figures[id] = b.figure;
    }
    return { variant, changes, figures };
  });
}
