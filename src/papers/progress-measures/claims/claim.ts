/**
 * A claim of Nanda et al. 2023 (shared/spec/papers/progress-measures/claims.md §3): its definition (the paper's
 * words, the band for `reproduced` rendered from the claim's named constants, the `direction only` criterion) and
 * its evaluator. Each claim lives in its own file, N01.ts .. N12.ts; index.ts lists them in report order.
 */
import type { ClaimDefinition, ClaimOutcome } from '../../../paper/claim.js';
import type { ProgressContext } from '../context.js';
import type { ExperimentId } from '../profiles.js';

export interface Claim extends ClaimDefinition {
  experiments: readonly ExperimentId[];
  /** Whether the verdict reads the key frequencies K (the report states its rule and its look-ahead). */
  readsKeys: boolean;
  /** Pure: the outcome from the context's runs under its analysis options; a thrown error is a harness failure. */
  evaluate(ctx: ProgressContext): ClaimOutcome;
}

/** A step for a table cell: the number, or `never`. */
export const stepCell = (s: number | null): string | number => (s === null ? 'never' : s);

/** A loss for a figure: 3 significant digits in exponent form. */
export const loss = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'n/a' : x.toExponential(2));
