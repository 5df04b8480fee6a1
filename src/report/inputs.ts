/**
 * What the verdict report shows, as the verify pipeline hands it over: each claim's outcome at both
 * resolutions, the verdicts that move under the paper's documented choices, and the provenance of the runs.
 * The report writer only renders these; src/verify/ computes them.
 */
import type { ClaimDefinition, ClaimOutcome, Verdict } from '../paper/claim.js';

export interface ClaimResult {
  definition: ClaimDefinition;
  /** Canonical analysis at our resolution: the verdict. */
  fine: ClaimOutcome;
  /** Canonical analysis on the paper's coarse grid. */
  coarse: ClaimOutcome;
}

export interface VerdictChange {
  claim: string;
  canonical: Verdict;
  alternative: Verdict;
  /** Our figure under the alternative. */
  figure: string;
  reason: string;
}

export interface SensitivityRow {
  /** e.g. `sync.rule=plateau:0.05`. */
  variant: string;
  changes: VerdictChange[];
}

/** Per claim, the variants under which its verdict changes. */
export function changesByClaim(rows: SensitivityRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of rows) for (const c of row.changes) out.set(c.claim, [...(out.get(c.claim) ?? []), `${row.variant} -> ${c.alternative}`]);
  return out;
}

export interface Environment {
  git: { commit: string | null; dirty: boolean | null };
  node: string;
  packages: Record<string, string>;
  machine: { cpu: string; cores: number; memory_gib: number; os: string };
}

export interface ExperimentProvenance {
  experiment: string;
  runs: number;
  complete: number;
  /** Seeds (init/split/batch, and batch-order seeds of fork draws) used by the experiment's runs. */
  seeds: number[];
  /** Training wall time summed over its runs, in seconds (a run shared by two experiments counts in both). */
  wall_s: number;
}

export interface Provenance extends Environment {
  /** Distinct engine descriptions of the runs (e.g. "native (C++ N-API, 1 thread)"). */
  engines: string[];
  experiments: ExperimentProvenance[];
  /** Training wall time over distinct runs. */
  total_wall_s: number;
}
