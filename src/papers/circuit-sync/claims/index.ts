/**
 * The claims of shared/spec/claims.md in report order, and their evaluation over completed runs under one set of
 * analysis options. Each claim is evaluated at our resolution (every checkpoint) and on the paper's coarse grid,
 * and re-derived under every alternative named option for the sensitivity section (options.ts).
 */
import type { ClaimOutcome } from '../../../paper/claim.js';
import { ClaimContext } from '../claimContext.js';
import type { CircuitRunSet } from '../runSet.js';
import { CANONICAL_OPTIONS, type AnalysisOptions } from '../options.js';
import type { Claim } from './claim.js';
import { C01 } from './C01.js';
import { C02 } from './C02.js';
import { C03 } from './C03.js';
import { C04 } from './C04.js';
import { C05 } from './C05.js';
import { C06 } from './C06.js';
import { C07 } from './C07.js';
import { C08 } from './C08.js';
import { C09 } from './C09.js';
import { C10 } from './C10.js';
import { C11 } from './C11.js';
import { C12 } from './C12.js';
import { C13 } from './C13.js';
import { C14 } from './C14.js';
import { C15 } from './C15.js';
import { C16 } from './C16.js';

export const CLAIMS: readonly Claim[] = [C01, C02, C03, C04, C05, C06, C07, C08, C09, C10, C11, C12, C13, C14, C15, C16];
export const CLAIM_IDS: readonly string[] = CLAIMS.map((c) => c.id);

export function claimById(id: string): Claim {
  const claim = CLAIMS.find((c) => c.id === id);
  if (!claim) throw new Error(`unknown claim '${id}' (expected one of ${CLAIM_IDS.join(', ')})`);
  return claim;
}

/** One claim under one set of options; a thrown error is a harness failure and propagates. */
export function evaluateClaim(id: string, set: CircuitRunSet, options: AnalysisOptions = CANONICAL_OPTIONS): ClaimOutcome {
  return claimById(id).evaluate(new ClaimContext(set, options));
}

/** Several claims under one set of options, sharing one events cache. */
export function evaluateClaims(set: CircuitRunSet, options: AnalysisOptions = CANONICAL_OPTIONS, ids: readonly string[] = CLAIM_IDS): Map<string, ClaimOutcome> {
  const ctx = new ClaimContext(set, options);
  return new Map(ids.map((id) => [id, claimById(id).evaluate(ctx)]));
}
