/**
 * The typed interface between the core (engines, training, run store, metrics, statistics, report writer,
 * verify pipeline, CLI) and a paper: everything specific to one paper lives in its own folder under
 * src/papers/ and reaches the core only through a `Paper` (shared/spec/design.md "Layout"). A second paper is a
 * sibling folder and one line in src/papers/index.ts.
 */
import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { ClaimDefinition, ClaimOutcome } from './claim.js';
import type { Plan, ProfileInfo, RoleBase, RunData, RunLookup, RunSet } from './runSet.js';

/** One experiment design at one scale (the paper's own, or a scaled-down one for CI). */
export interface Profile<R extends RoleBase = RoleBase> extends ProfileInfo {
  /** Names the profile's run store and report folders: the name, or e.g. `small-reordered` for a perturbed re-run. */
  readonly label: string;
  readonly description: string;
  /** How its configurations were chosen (shown in the report). */
  readonly rationale: string;
  /** The runs of `experiments` (default all) given what the store holds; forks appear once their parents exist. */
  plan(lookup: RunLookup, experiments?: readonly string[]): Plan<R>;
}

/** A measurement after training that needs an engine at a checkpoint (e.g. an ablation), stored beside the run. */
export interface Measurement<R extends RoleBase = RoleBase, P extends ProfileInfo = ProfileInfo> {
  /** Its key in a run's measurements and its file name (`runs/<id>/<name>.json`). */
  readonly name: string;
  readonly schema: z.ZodType;
  /** The run (by role key) and checkpoint step to measure in this set; null when there is none (yet). */
  target(set: RunSet<R, P>): { key: string; step: number } | null;
  /** Whether a stored result is the one `target` asks for. */
  isCurrent(stored: unknown, runId: string, step: number): boolean;
  /** Measures with an engine that holds the run's state at `step`. */
  measure(engine: Engine, run: RunData<R>, step: number): unknown;
}

/** A figure of the report: an SVG file under plots/ with a title. */
export interface Plot {
  file: string;
  title: string;
  svg: string;
}

export interface Paper<R extends RoleBase = RoleBase, P extends Profile<R> = Profile<R>> {
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
  /** How the perturbed profile perturbs, in words (for the regression baseline). */
  readonly perturbation: string;
  /** Every claim, in report order. */
  readonly claims: readonly ClaimDefinition[];
  /** Claims under the canonical analysis, or under one named variant (`analysis.coarse` or a sensitivity variant). */
  evaluate(set: RunSet<R, P>, ids: readonly string[], variant?: string): Map<string, ClaimOutcome>;
  readonly analysis: {
    /** The variant that reads the records on the profile's coarse grid. */
    readonly coarse: string;
    /** Every single-choice departure from the canonical analysis (the report's sensitivity section). */
    readonly variants: readonly string[];
    /** What the variants cannot re-derive from stored runs. */
    readonly limits: readonly string[];
  };
  plots(set: RunSet<R, P>): Plot[];
  readonly measurements: readonly Measurement<R, P>[];
}

/** A paper of any role and profile type, as the core handles it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPaper = Paper<any, any>;
