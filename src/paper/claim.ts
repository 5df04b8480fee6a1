/**
 * What a claim is and what evaluating it gives, for any paper (shared/spec/claims.md "Claims"). A verdict is a
 * finding, not a harness failure: `reproduced` (direction and magnitude within the band), `direction only`
 * (the qualitative claim holds, the magnitude is outside the band), `inconclusive` (a claim with a statistical
 * test whose test supports neither its direction nor the opposite: issue 27), `not reproduced`, `not evaluable`
 * (runs missing, diverged or cut short; the reason says which).
 */

export const VERDICTS = ['reproduced', 'direction only', 'inconclusive', 'not reproduced', 'not evaluable'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** `8 reproduced, 2 direction only, 1 inconclusive, 5 not reproduced, 0 not evaluable`: every verdict, one order. */
export function verdictCounts(verdicts: readonly Verdict[]): string {
  return VERDICTS.map((v) => `${verdicts.filter((x) => x === v).length} ${v}`).join(', ');
}

/**
 * The verdict of a claim whose direction is a statistical test (issue 27): `supported` (the claim's test
 * supports its direction at its level), `opposite` (the same test supports the opposite direction), and
 * `inBand` (the magnitude is inside the band). The direction must be supported before anything is reproduced;
 * where neither direction is supported the evidence says nothing either way: inconclusive.
 */
export function testedVerdict(tests: { supported: boolean; opposite: boolean; inBand: boolean }): Exclude<Verdict, 'not evaluable'> {
  if (tests.supported) return tests.inBand ? 'reproduced' : 'direction only';
  return tests.opposite ? 'not reproduced' : 'inconclusive';
}

/** What a claim says, what the paper reported, and how our figure is judged. */
export interface ClaimDefinition {
  /** Stable id, e.g. `C06`. */
  id: string;
  name: string;
  statement: string;
  /** The paper's figure. */
  paper: string;
  /** The band for `reproduced`, as we test it (rendered from the claim's named constants). */
  band: string;
  /** Our criterion for `direction only` (the qualitative claim without the band's magnitude). */
  direction: string;
  /** Experiments whose runs its verdict reads (ids of the paper's experiment table). */
  experiments: readonly string[];
  /** Experiments it reads only for evidence beside the verdict (other sets of configurations); trained with it. */
  evidence?: readonly string[];
}

/** Every experiment a claim reads: its verdict's and its evidence's (what `verify --claim` trains). */
export function experimentsWithEvidence(definition: Pick<ClaimDefinition, 'experiments' | 'evidence'>): readonly string[] {
  return [...definition.experiments, ...(definition.evidence ?? [])];
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
  /** The figure's headline numbers (e.g. `{ positive: 4, of: 9 }`): what the evidence sweep records per point. */
  headline?: FigureData;
  /** Evidence the report shows beside the verdict (baselines, alternative estimators), one table each. */
  tables?: ClaimTable[];
  /** What the verdict does and does not test, when that is less than the claim's wording suggests. */
  caveat?: string;
  /** How many configurations (runs of one design) the figure rests on, where the claim pools them (e.g. 9 or 25). */
  configurations?: number;
}

/** A small table of a claim's evidence; cells are rendered as they are (numbers as given, null as `-`). */
export interface ClaimTable {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
}

/**
 * The verdict of an evaluable claim from its two tests: the band (`reproduced`) and the qualitative claim
 * (`direction`; a yes/no claim has none). Passing the band implies the direction.
 */
export function verdict(tests: { reproduced: boolean; direction?: boolean }): Exclude<Verdict, 'not evaluable'> {
  return tests.reproduced ? 'reproduced' : tests.direction ? 'direction only' : 'not reproduced';
}

export function notEvaluable(reason: string, runIds: string[] = [], notes: string[] = []): ClaimOutcome {
  return { verdict: 'not evaluable', reason, figure: 'n/a', data: {}, runIds, notes };
}

/** A step count with its sign (`+1500`, `-200`), `n/a` for none. */
export function signed(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return 'n/a';
  return `${n > 0 ? '+' : ''}${Math.round(n)}`;
}

/** The first clause of a figure, for page one's table: `4/9 positive`, `+389 [-611, +1522]`, `R^2 0.20 / 0.99 / 0.99`. */
export function shortFigure(figure: string): string {
  return figure.split(';')[0].trim();
}
