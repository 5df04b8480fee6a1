/**
 * Verdicts and claim outcomes (shared/spec/claims.md "Claims"). A verdict is a finding, not a harness
 * failure: `reproduced` (direction and magnitude within the band), `direction only` (the qualitative claim
 * holds, the magnitude is outside the band), `not reproduced`, `not evaluable` (runs missing, diverged or cut
 * short; the reason says which).
 */
import type { ExperimentId } from './roles.js';

export type Verdict = 'reproduced' | 'direction only' | 'not reproduced' | 'not evaluable';
export const VERDICTS: readonly Verdict[] = ['reproduced', 'direction only', 'not reproduced', 'not evaluable'];

export const CLAIM_IDS = ['C01', 'C02', 'C03', 'C04', 'C05', 'C06', 'C07', 'C08', 'C09', 'C10', 'C11', 'C12', 'C13', 'C14', 'C15', 'C16'] as const;
export type ClaimId = (typeof CLAIM_IDS)[number];

export function isClaimId(s: string): s is ClaimId {
  return (CLAIM_IDS as readonly string[]).includes(s);
}

/** What a claim says, what the paper reported, and how our figure is judged. */
export interface ClaimDefinition {
  id: ClaimId;
  name: string;
  statement: string;
  /** The paper's figure (claims.md). */
  paper: string;
  /** claims.md's band for `reproduced`, as we test it. */
  band: string;
  /** Our criterion for `direction only` (the qualitative claim without the band's magnitude). */
  direction: string;
  /** Experiments whose runs it reads. */
  experiments: ExperimentId[];
}

/** JSON-friendly figure data. */
export type FigureData = { [key: string]: FigureValue };
export type FigureValue = null | boolean | number | string | FigureValue[] | { [key: string]: FigureValue };

export interface ClaimOutcome {
  verdict: Verdict;
  /** One line: why this verdict (for `not evaluable`: which runs are missing, diverged or cut short). */
  reason: string;
  /** One line: our figure, in the paper's terms (e.g. "8/9 positive; leads +200..+2900"). */
  figure: string;
  /** The numbers behind the figure. */
  data: FigureData;
  /** Ids of the runs behind it. */
  runIds: string[];
  /** Caveats: spikes under events, fork fallbacks, options not applicable to some runs. */
  notes: string[];
}

export function notEvaluable(reason: string, runIds: string[] = [], notes: string[] = []): ClaimOutcome {
  return { verdict: 'not evaluable', reason, figure: 'n/a', data: {}, runIds, notes };
}

export function signed(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return 'n/a';
  return `${n > 0 ? '+' : ''}${Math.round(n)}`;
}
