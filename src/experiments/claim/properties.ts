/** C13: FSD's defining properties hold (metrics.md), checked by running the metric on generated inputs. */
import { notEvaluable, type ClaimOutcome } from '../claimTypes.js';
import { checkFsdProperties, type PropertyCheck } from '../fsdProperties.js';

let cached: PropertyCheck[] | undefined;

/** The checks do not depend on runs or analysis options, so one run per process serves every re-evaluation. */
export function evaluateC13(): ClaimOutcome {
  let checks: PropertyCheck[];
  try {
    checks = cached ??= checkFsdProperties();
  } catch (error) {
    return notEvaluable(`the FSD property checks could not run: ${(error as Error).message}`);
  }
  const failed = checks.filter((c) => c.failures > 0);
  const trials = checks.reduce((n, c) => n + c.trials, 0);
  return {
    verdict: failed.length === 0 ? 'reproduced' : 'not reproduced',
    reason: failed.length === 0 ? `all ${checks.length} properties hold on ${trials} generated cases` : `failed: ${failed.map((c) => `${c.name} (${c.failures}/${c.trials}; e.g. ${c.example})`).join('; ')}`,
    figure: `${checks.length - failed.length}/${checks.length} properties pass`,
    data: { checks: checks.map((c) => ({ name: c.name, trials: c.trials, failures: c.failures, example: c.example ?? null })) },
    runIds: [],
    notes: [],
  };
}
