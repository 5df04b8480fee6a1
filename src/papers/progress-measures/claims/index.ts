/** The claims of claims.md §3 in report order, and their evaluation under one set of analysis options. */
import type { ClaimOutcome } from '../../../paper/claim.js';
import { ProgressContext } from '../context.js';
import type { ProgressOptions } from '../options.js';
import type { ProgressRunSet } from '../runSet.js';
import type { Claim } from './claim.js';
import { N01 } from './N01.js';
import { N02 } from './N02.js';
import { N03 } from './N03.js';
import { N04 } from './N04.js';
import { N05 } from './N05.js';
import { N06 } from './N06.js';
import { N07 } from './N07.js';
import { N08 } from './N08.js';
import { N09 } from './N09.js';
import { N10 } from './N10.js';
import { N11 } from './N11.js';
import { N12 } from './N12.js';

export const CLAIMS: readonly Claim[] = [N01, N02, N03, N04, N05, N06, N07, N08, N09, N10, N11, N12];

export function claimById(id: string): Claim {
  const claim = CLAIMS.find((c) => c.id === id);
  if (!claim) throw new Error(`unknown claim '${id}' (expected one of ${CLAIMS.map((c) => c.id).join(', ')})`);
  return claim;
}

/**
 * The claims `ids` under one set of options (`coarse`: on the records' coarse grid). Every verdict that reads K
 * names its key rule in its notes, and whether it is the look-ahead one.
 */
export function evaluateClaims(set: ProgressRunSet, options: ProgressOptions, ids: readonly string[], coarse = false): Map<string, ClaimOutcome> {
  const ctx = new ProgressContext(set, options, coarse);
  return new Map(
    ids.map((id) => {
      const claim = claimById(id);
      const outcome = claim.evaluate(ctx);
      if (!claim.readsKeys || outcome.verdict === 'not evaluable') return [id, outcome];
      const rule = options.keys === 'neuron-argmax-now' ? "K by rule 1' (each checkpoint's own neurons): no look-ahead" : `K by ${options.keys} of the final model: look-ahead (the sensitivity row keys=neuron-argmax-now has the verdict without it)`;
      return [id, { ...outcome, notes: [rule, ...outcome.notes] }];
    }),
  );
}
