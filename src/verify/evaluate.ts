/**
 * Evaluates a paper's claims on a run set: the canonical verdict at our resolution, the same on the paper's
 * coarse checkpoint grid, and the sensitivity of each verdict to the paper's documented choices.
 */
import type { ClaimDefinition } from '../paper/claim.js';
import type { AnyPaper } from '../paper/paper.js';
import type { RunSet } from '../paper/runSet.js';
import type { ClaimResult, SensitivityRow } from '../report/inputs.js';
import { sensitivity } from './sensitivity.js';
import { summariseSweep, sweepClaims } from './sweep.js';


export interface Evaluation {
  results: ClaimResult[];
  sensitivity: SensitivityRow[];
}

export function claimDefinition(paper: AnyPaper, id: string): ClaimDefinition {
  const definition = paper.claims.find((c) => c.id === id);
  if (!definition) throw new Error(`${paper.id} has no claim '${id}' (it has ${paper.claims.map((c) => c.id).join(', ')})`);
  return definition;
}

export function evaluateAtBothResolutions(paper: AnyPaper, set: RunSet, ids: readonly string[]): ClaimResult[] {
  const fine = paper.evaluate(set, ids);
  const coarse = paper.evaluate(set, ids, paper.analysis.coarse);
  return ids.map((id) => ({ definition: claimDefinition(paper, id), fine: fine.get(id)!, coarse: coarse.get(id)! }));
}

/** Every claim at both resolutions, with its sweep (for the claims the paper sweeps) and its sensitivity. */
export function evaluatePaper(paper: AnyPaper, set: RunSet, ids: readonly string[]): Evaluation {
  const results = evaluateAtBothResolutions(paper, set, ids);
  const sweeps = sweepClaims(paper, set, ids);
  const canonical = paper.analysis.sweep?.canonical;
  for (const r of results) {
    const entries = sweeps.get(r.definition.id);
    if (entries && canonical)
      r.sweep = { entries, summary: summariseSweep(entries, r.fine.verdict, canonical.family, canonical.threshold, canonical.set) };
  }
  return { results, sensitivity: sensitivity(paper, set, new Map(results.map((r) => [r.definition.id, r.fine])), ids) };
}
