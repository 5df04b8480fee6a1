/** C13 fsd-properties: FSD's defining properties hold (metrics.md), checked by running the metric on generated inputs. */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { checkFsdProperties, type PropertyCheck } from '../fsdProperties.js';
import type { Claim } from './claim.js';

/** The checks do not depend on runs or analysis options, so one run per process serves every re-evaluation. */
let cached: PropertyCheck[] | undefined;

export const C13: Claim = {
  id: 'C13',
  name: 'fsd-properties',
  statement: 'FSD is normalised to [0, 1] and invariant to unit order and to relabellings that preserve the group',
  paper: 'definition',
  band: 'every property holds on every generated case',
  direction: 'none beyond the band',
  experiments: [],
  evaluate() {
    let checks: PropertyCheck[];
    try {
      checks = cached ??= checkFsdProperties();
    } catch (error) {
      return notEvaluable(`the FSD property checks could not run: ${(error as Error).message}`);
    }
    const failed = checks.filter((c) => c.failures > 0);
    const trials = checks.reduce((n, c) => n + c.trials, 0);
    return {
      verdict: verdict({ reproduced: failed.length === 0 }),
      reason: failed.length === 0 ? `all ${checks.length} properties hold on ${trials} generated cases` : `failed: ${failed.map((c) => `${c.name} (${c.failures}/${c.trials}; e.g. ${c.example})`).join('; ')}`,
      figure: `${checks.length - failed.length}/${checks.length} properties pass`,
      data: { checks: checks.map((c) => ({ name: c.name, trials: c.trials, failures: c.failures, example: c.example ?? null })) },
      runIds: [],
      notes: [],
    };
  },
};
