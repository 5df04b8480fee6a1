/**
 * A claim of arXiv 2606.12966 (shared/spec/claims.md "Claims"): its definition (the paper's figure, the band
 * for `reproduced` rendered from the claim's named constants, the `direction only` criterion) and its
 * evaluator. Each claim lives in its own file, C01.ts .. C16.ts; index.ts lists them in report order.
 */
import type { ClaimDefinition, ClaimOutcome } from '../../../paper/claim.js';
import type { ClaimContext } from '../claimContext.js';
import type { ExperimentId } from '../roles.js';

export interface Claim extends ClaimDefinition {
  experiments: readonly ExperimentId[];
  /** Pure: the outcome from the context's runs under its analysis options; a thrown error is a harness failure. */
  evaluate(ctx: ClaimContext): ClaimOutcome;
}
