/**
 * The typed interface between the core (engines, training, run store, metrics, statistics, report writer,
 * verify pipeline, CLI) and a paper: everything specific to one paper lives in its own folder under
 * src/papers/ and reaches the core only through a `Paper` (shared/spec/design.md "Layout"). A second paper is a
 * sibling folder and one line in src/papers/index.ts.
 */
import type { z } from 'zod';
import type { AsyncEngine, TrainingState } from '../engine/engine.js';
import type { CheckpointMeasures } from '../train/measures.js';
import type { CoreRecord } from '../schema/record.js';
import type { ClaimDefinition, ClaimOutcome, ClaimTable, FigureData, Verdict } from './claim.js';
import type { Plan, ProfileInfo, RoleBase, RunData, RunLookup, RunSet } from './runSet.js';

/** One experiment design at one scale (the paper's own, or a scaled-down one for CI). */
export interface Profile<R extends RoleBase = RoleBase, Rec extends CoreRecord = CoreRecord> extends ProfileInfo {
  /** Names the profile's run store and report folders: the name, or e.g. `small-reordered` for a perturbed re-run. */
  readonly label: string;
  readonly description: string;
  /** How its configurations were chosen (shown in the report). */
  readonly rationale: string;
  /** How the profile's perturbed re-run perturbs it, in words (the regression baseline, the report). */
  readonly perturbation: string;
  /** The same in one phrase (verify --help): what the perturbed re-run changes in each run. */
  readonly perturbationMethod: string;
  /** The experiments its perturbed re-run trains when no claim is named; absent: all. */
  readonly perturbedExperiments?: readonly string[];
  /** The runs of `experiments` (default all) given what the store holds; forks appear once their parents exist. */
  plan(lookup: RunLookup<Rec>, experiments?: readonly string[]): Plan<R>;
}

/** The kept checkpoints of one run (Paper.checkpoint.keptEvery sets which), read one at a time. */
export interface CheckpointReader {
  /** The steps of the kept checkpoints, ascending. */
  readonly steps: readonly number[];
  read(step: number): TrainingState;
}

/**
 * A measurement after training that needs an engine at a checkpoint (e.g. an ablation, or the measures that read
 * the final model's key frequencies at every earlier checkpoint), stored beside each run it measures.
 */
export interface Measurement<R extends RoleBase = RoleBase, P extends ProfileInfo = ProfileInfo, Rec extends CoreRecord = CoreRecord> {
  /** Its key in a run's measurements and its file name (`runs/<id>/<name>.json`). */
  readonly name: string;
  readonly schema: z.ZodType;
  /** The runs (by role key) to measure in this set, each at its checkpoint step; none (yet): empty. */
  targets(set: RunSet<R, P, Rec>): readonly { key: string; step: number }[];
  /** Whether a stored result is the one a target asks for. */
  isCurrent(stored: unknown, runId: string, step: number): boolean;
  /** Measures with an engine that holds the run's state at `step`; `checkpoints` reads the run's other kept states. */
  measure(engine: AsyncEngine, run: RunData<R, Rec>, step: number, checkpoints: CheckpointReader): Promise<unknown>;
}

/**
 * A section of the report that a paper adds after its claims (e.g. a table of phase boundaries per seed, or a
 * cross-check with another paper's metric), generated from the runs and the canonical verdicts.
 */
export interface ReportSection {
  readonly title: string;
  readonly paragraphs: readonly string[];
  readonly tables: readonly ClaimTable[];
  /** Plots of the report shown in the section (file names under plots/, without extension). */
  readonly plots: readonly string[];
}

/** What the plots may read besides the runs: each swept claim's verdict and headline figure per sweep point. */
export interface PlotEvidence {
  sweep: ReadonlyMap<
    string,
    readonly { set: string; rule: string; family: string; threshold: number | null; resolution: number; verdict: string; figure: { [key: string]: unknown } }[]
  >;
}

/** One choice of the sweep: a variant `evaluate` reads, and where it sits (rule family, threshold, resolution). */
export interface SweepPoint {
  readonly variant: string;
  /** The rule as verdict.json names it, e.g. `threshold:0.60`. */
  readonly rule: string;
  /** One line per family in the sweep plot, e.g. `threshold`, `sustained:3`. */
  readonly family: string;
  /** The swept value; null for a rule without one (e.g. `plateau:0.05`). */
  readonly threshold: number | null;
  readonly resolution: 'fine' | 'coarse';
}

/** Another set of configurations the sweep reads some claims on: the variant (added to every point) selects it. */
export interface SweepSet {
  readonly name: string;
  readonly variant: string;
  readonly claims: readonly string[];
}

/** A cell of a plot's data (one CSV cell). */
export type PlotValue = string | number | boolean | null;

/**
 * A figure of the report, as data and a vega-lite spec (https://vega.github.io/vega-lite/): the report renders
 * it to plots/<file>.svg and keeps plots/<file>.csv (the rows) and plots/<file>.vl.json (the spec with the rows
 * inline) beside it, so a reader can re-plot.
 */
export interface Plot {
  /** File name without extension, e.g. `fsd-main-p97-s42`. */
  file: string;
  title: string;
  /** A vega-lite spec without top-level data; layers may carry their own small inline data (reference lines). */
  spec: Record<string, unknown>;
  /** The spec's data. */
  rows: Record<string, PlotValue>[];
  /** What the plot shows and where its data comes from, one line (the report prints it under the plot). */
  caption: string;
}

export interface Paper<R extends RoleBase = RoleBase, P extends Profile<R, Rec> = Profile<R, CoreRecord>, Rec extends CoreRecord = CoreRecord> {
  /** The folder name under src/papers/, e.g. `circuit-sync`. */
  readonly id: string;
  readonly title: string;
  /** e.g. `arXiv 2606.12966`. */
  readonly reference: string;
  readonly profileNames: readonly string[];
  readonly defaultProfile: string;
  /**
   * A profile by name; `perturbed`: the same experiments under a rounding-only perturbation, whose verdicts
   * mark each verdict robust or fragile (throws where the profile has none).
   */
  profile(name: string, options?: { perturbed?: boolean }): P;
  /** Every claim, in report order. */
  readonly claims: readonly ClaimDefinition[];
  /** Claims under the canonical analysis, or under one named variant (`analysis.coarse` or a sensitivity variant). */
  evaluate(set: RunSet<R, P, Rec>, ids: readonly string[], variant?: string): Map<string, ClaimOutcome>;
  readonly analysis: {
    /** The variant that reads the records on the profile's coarse grid. */
    readonly coarse: string;
    /** What that grid is, in a few words (e.g. `the paper's grid`). */
    readonly coarseGrid: string;
    /** Every single-choice departure from the canonical analysis (the report's sensitivity section). */
    readonly variants: readonly string[];
    /** What the variants cannot re-derive from stored runs. */
    readonly limits: readonly string[];
    /**
     * The evidence sweep, where the paper offers one: the claims whose verdicts depend on a rule, re-evaluated at
     * every point. Absent: no sweep, and no sweep section in the report.
     */
    readonly sweep?: {
      /** The report section's title after "Evidence: " and its opening paragraph (the paper's own words). */
      readonly title: string;
      readonly description: string;
      readonly claims: readonly string[];
      readonly points: readonly SweepPoint[];
      /**
       * Where the canonical analysis sits in the sweep (its verdict's range is read around it); `set` names the
       * canonical configurations (the paper's design) in verdict.json.
       */
      readonly canonical: { readonly family: string; readonly threshold: number; readonly set: string };
      /** Further sets of configurations a profile offers (e.g. replicates): each point again, for those claims. */
      sets(profile: P): readonly SweepSet[];
    };
  };
  /** The report's plots from the run set and the claims' evidence (the sweep entries per claim id). */
  plots(set: RunSet<R, P, Rec>, evidence: PlotEvidence): Plot[];
  /** The report's sections after the claims that only this paper fills; absent: none. */
  sections?(set: RunSet<R, P, Rec>, outcomes: ReadonlyMap<string, ClaimOutcome>): ReportSection[];
  /** What the report's page one says beyond the table of verdicts (issue 27); absent: the table alone. */
  readonly pageOne?: PageOne;
  readonly measurements: readonly Measurement<R, P, Rec>[];
  /** What its runs record at every checkpoint, and the events training reads (src/train/measures.ts). */
  readonly checkpoint: CheckpointMeasures<Rec>;
}

/** One point of a claim's evidence sweep as page one reads it (the report's SweepEntry has these fields and more). */
export interface PageOneSweepPoint {
  set: string;
  configurations: number | null;
  family: string;
  threshold: number | null;
  resolution: number;
  verdict: Verdict;
  figure: FigureData;
}

/** A claim as page one reads it: its verdict, our figure, its rounding mark and its evidence sweep. */
export interface PageOneClaim {
  id: string;
  name: string;
  verdict: Verdict;
  ours: string;
  robustness: string;
  sweep: readonly PageOneSweepPoint[];
}

export interface PageOne {
  /** The paper's questions answered in one paragraph from the verdicts (generated, never typed). */
  answer(claims: readonly PageOneClaim[], profile: string): string;
  /** The plots page one may show (file names under plots/, without extension), best first: the first one drawn is shown. */
  readonly headlinePlots: readonly string[];
}

/** A paper of any role and profile type, as the core handles it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPaper = Paper<any, any, any>;
