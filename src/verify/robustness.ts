/**
 * Robust or fragile (claims.md "Every verdict carries its evidence ... whether it is robust or fragile under a
 * rounding-only perturbation"): each claim's verdict beside the verdict of the same claim on the profile's
 * perturbed re-run (profiles' `perturbation`: the same experiments with only the summation order changed).
 * A claim whose experiments were not all re-run, or whose perturbed runs are not all trained, is `untested`,
 * and says why; with every run there, a verdict that becomes `not evaluable` (a run that no longer groks) is
 * fragile. Pure.
 */
import type { ClaimDefinition, ClaimOutcome } from '../paper/claim.js';
import type { Profile } from '../paper/paper.js';
import type { RoleBase, RunSet } from '../paper/runSet.js';
import type { Robustness } from '../report/inputs.js';

export interface PerturbedEvaluation {
  outcomes: ReadonlyMap<string, ClaimOutcome>;
  /** The experiments the perturbed re-run trains (absent: all). */
  experiments?: readonly string[];
  /** Where its runs came from, in words (the report names it). */
  source: string;
  /** Per claim, how many of the perturbed runs its verdict reads are not trained (missing, incomplete, waiting). */
  untrained: ReadonlyMap<string, number>;
  /** The perturbed runs (to evaluate the claims there under the paper's alternatives too). */
  set?: RunSet<RoleBase, Profile>;
}

export function robustnessOf(
  definition: Pick<ClaimDefinition, 'id' | 'experiments'>,
  canonical: Pick<ClaimOutcome, 'verdict'>,
  perturbed: PerturbedEvaluation | null,
): Robustness {
  const untested = (note: string, outcome?: ClaimOutcome): Robustness => ({
    mark: 'untested',
    perturbed_verdict: outcome?.verdict ?? null,
    perturbed_figure: outcome?.figure ?? null,
    note,
  });
  if (!perturbed) return untested('no perturbed re-run of this profile was found');
  const missing = perturbed.experiments ? definition.experiments.filter((e) => !perturbed.experiments!.includes(e)) : [];
  if (missing.length) return untested(`the perturbed re-run does not include ${missing.join(', ')}`);
  const other = perturbed.outcomes.get(definition.id);
  if (!other) return untested('not evaluated on the perturbed re-run');
  const untrained = perturbed.untrained.get(definition.id) ?? 0;
  if (untrained > 0) return untested(`${untrained} of its perturbed runs are not trained`, other);
  if (canonical.verdict === 'not evaluable') return untested('not evaluable here', other);
  // Every run is there: a run that now never groks (not evaluable there) is the perturbation changing the outcome.
  const same = other.verdict === canonical.verdict;
  return {
    mark: same ? 'robust' : 'fragile',
    perturbed_verdict: other.verdict,
    perturbed_figure: other.figure,
    note: same ? null : `the perturbed re-run gives ${other.verdict}: ${other.verdict === 'not evaluable' ? other.reason : other.figure}`,
  };
}
