/**
 * The verify pipeline (shared/spec/design.md): plan a paper profile's runs -> train what the run store lacks ->
 * make the paper's measurements -> evaluate every claim (both resolutions, sensitivity) -> write the report.
 * `grokcheck verify` and the claim tests (claims/harness.ts) both go through these steps; the CLI adds only its
 * flags, worker processes and printing.
 */
import { relative } from 'node:path';
import type { EngineKind, EngineOptions } from '../engine/engine.js';
import { experimentsWithEvidence } from '../paper/claim.js';
import type { AnyPaper, Plot } from '../paper/paper.js';
import type { PlannedRun, RoleBase, RunSet, RunSource, SourcedRun } from '../paper/runSet.js';
import type { Profile } from '../paper/paper.js';
import { renderPlots } from '../report/plotRender.js';
import { buildVerdictReport, writeReport, type VerdictReport, type WrittenReport } from '../report/verdict.js';
import { formatZodError } from '../schema/parse.js';
import { evaluatePaper, type Evaluation } from './evaluate.js';
import { ensureMeasurements } from './measurements.js';
import { collectEnvironment, runProvenance } from './provenance.js';
import { readExportedRuns, writeExportedRun, type ExportedRuns } from './recordsExport.js';
import { robustnessOf, type PerturbedEvaluation } from './robustness.js';
import { assembleRunSet } from './runSet.js';
import { trainProfile, type TrainProfileOptions } from './trainProfile.js';
import type { RecordLayout } from '../train/measures.js';

export type AnyRunSet = RunSet<RoleBase, Profile>;

export interface TrainStep {
  paper: AnyPaper;
  profile: Profile;
  storeRoot: string;
  engine: EngineKind;
  engineOptions?: EngineOptions;
  /** Only these experiments (and the parents they fork from); default all. */
  experiments?: readonly string[];
  progress?: TrainProfileOptions<RoleBase, Profile>['progress'];
  onRun?: TrainProfileOptions<RoleBase, Profile>['onRun'];
  /** Skip runs that another process is training and come back to them (default true). */
  waitForLocked?: boolean;
  /** Train only: no measurements (a `verify --train-only` worker). */
  trainOnly?: boolean;
  /** Train (and measure) only the runs this accepts: a shard (shards.ts). */
  include?: (run: PlannedRun<RoleBase>) => boolean;
  /** Train runs of one shape in lockstep groups of at most this many (the webgpu engine). */
  groupSize?: number;
  onGroup?: TrainProfileOptions<RoleBase, Profile>['onGroup'];
}

export interface TrainedRuns {
  set: AnyRunSet;
  trained: string[];
  failures: { key: string; id: string; message: string }[];
}

/** Plans and trains what the store lacks, then makes the paper's measurements (unless `trainOnly`). */
export async function trainRuns(step: TrainStep): Promise<TrainedRuns> {
  const result = await trainProfile<RoleBase, Profile>({
    profile: step.profile,
    storeRoot: step.storeRoot,
    engine: step.engine,
    measurements: step.paper.measurements,
    measures: step.paper.checkpoint,
    waitForLocked: step.waitForLocked ?? true,
    ...(step.engineOptions ? { engineOptions: step.engineOptions } : {}),
    ...(step.experiments === undefined ? {} : { experiments: step.experiments }),
    ...(step.progress ? { progress: step.progress } : {}),
    ...(step.onRun ? { onRun: step.onRun } : {}),
    ...(step.include ? { include: step.include } : {}),
    ...(step.groupSize === undefined ? {} : { groupSize: step.groupSize }),
    ...(step.onGroup ? { onGroup: step.onGroup } : {}),
  });
  if (step.trainOnly) return result;
  return { ...result, set: await ensureMeasurements(step.paper, result.set, step.storeRoot, step.engine, step.engineOptions, step.include) };
}

/**
 * Committed records (`verify --records-only`) as a run source, each measurement checked with the paper's schema.
 * A broken file's run is `failed` with the file's problem as its message, so exactly the claims that read it are
 * not evaluable, and say why.
 */
export function recordsSource(paper: AnyPaper, dir: string, exported: ExportedRuns = readExportedRuns(dir, paper.checkpoint.record)): { source: RunSource; count: number; broken: string[] } {
  const runs = new Map<string, SourcedRun>();
  for (const [id, message] of exported.broken) runs.set(id, { status: 'failed', records: [], message });
  for (const [id, run] of exported.runs) {
    const measurements: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(run.measurements ?? {})) {
      const m = paper.measurements.find((x) => x.name === name);
      if (!m) throw new Error(`${dir}: run ${id} holds a measurement '${name}' that ${paper.id} does not make`);
      const parsed = m.schema.safeParse(value);
      if (!parsed.success) throw new Error(`${dir}: run ${id}: ${name}: ${formatZodError(parsed.error).replace(/\n/g, '; ')}`);
      measurements[name] = parsed.data;
    }
    runs.set(id, { ...run, ...(Object.keys(measurements).length ? { measurements } : {}) });
  }
  return { source: { get: (id) => runs.get(id) }, count: exported.runs.size, broken: [...exported.broken.values()] };
}

/** The profile's run set from committed records (no training); `broken`: the files that could not be read. */
export function runsFromRecords(
  paper: AnyPaper,
  profile: Profile,
  dir: string,
  experiments?: readonly string[],
  /** The folder as readExportedRuns read it, when the caller has it already. */
  exported?: ExportedRuns,
): { set: AnyRunSet; count: number; broken: string[] } {
  const { source, count, broken } = recordsSource(paper, dir, exported);
  return { set: assembleRunSet<RoleBase, Profile>(profile, source, experiments), count, broken };
}

/** Writes every complete run's config, records and measurements to `dir`, once per run id; returns how many. */
export function exportRecords(set: AnyRunSet, dir: string, layout: RecordLayout): number {
  // A run playing two roles (a schedule's constant run is a main run) is written once.
  const written = new Set<string>();
  for (const run of set.runs.values()) {
    if (run.state !== 'complete' || written.has(run.id)) continue;
    written.add(run.id);
    writeExportedRun(dir, {
      id: run.id,
      config: run.config,
      status: 'complete',
      engine: run.engine ?? 'unknown',
      wall_s: run.wall_s ?? 0,
      ...(run.trained_by ? { trained_by: run.trained_by } : {}),
      ...(run.message ? { message: run.message } : {}),
      records: run.records,
      ...(Object.keys(run.measurements).length ? { measurements: run.measurements } : {}),
    }, layout);
  }
  return written.size;
}

export interface VerdictOutput {
  evaluation: Evaluation;
  report: VerdictReport;
  plots: Plot[];
}

export interface ReportMeta {
  /** The command line that wrote the report, so that it can be regenerated. */
  command: string;
  /** Where the runs came from, in words. */
  source: string;
  generated: Date;
  /** The working folder: provenance reads git and node_modules there. */
  root: string;
}

/**
 * The claims evaluated on the profile's perturbed re-run (the same experiments, rounding-only perturbed), to
 * mark each verdict robust or fragile (robustness.ts; null when there is no such run set): with the canonical choices or, with
 * `variant`, under one of the paper's alternatives (sensitivity.ts): an alternative may read a claim's evidence
 * experiments as well (e.g. another set of configurations), so those count among the runs it needs.
 */
export function perturbedEvaluation(
  paper: AnyPaper,
  perturbed: AnyRunSet | null,
  ids: readonly string[],
  source: string,
  variant?: string,
): PerturbedEvaluation | null {
  if (!perturbed) return null;
  const outcomes = paper.evaluate(perturbed, ids, variant);
  // A claim's runs: those of its experiments and those its outcome names (C14's ablation reads a main run).
  const untrained = new Map<string, number>();
  for (const id of ids) {
    const reads = readsOf(paper, id, variant);
    const named = new Set(outcomes.get(id)?.runIds ?? []);
    const runs = [...perturbed.runs.values()].filter((r) => (reads.includes(r.role.experiment) || named.has(r.id)) && r.state !== 'complete' && r.state !== 'failed');
    const waiting = perturbed.plan.waiting.filter((w) => reads.includes(w.role.experiment));
    untrained.set(id, new Set(runs.map((r) => r.id)).size + waiting.length);
  }
  return {
    outcomes,
    untrained,
    ...(perturbed.profile.perturbedExperiments ? { experiments: perturbed.profile.perturbedExperiments } : {}),
    source,
    set: perturbed,
  };
}

/** The experiments claim `id` reads: its verdict's, and under an alternative its evidence's too. */
function readsOf(paper: AnyPaper, id: string, variant?: string): readonly string[] {
  const definition = paper.claims.find((c) => c.id === id);
  if (!definition) return [];
  return variant ? experimentsWithEvidence(definition) : definition.experiments;
}

/**
 * Marks the verdict of every claim under every one of the paper's alternatives robust, fragile or untested under
 * the rounding-only perturbation: the same alternative evaluated on the perturbed re-run gives the same verdict,
 * or not (a verdict that changes under the alternative carries its mark too).
 */
function markAlternatives(paper: AnyPaper, evaluation: Evaluation, perturbed: PerturbedEvaluation | null): void {
  if (!perturbed?.set) return;
  const ids = evaluation.results.map((r) => r.definition.id);
  for (const row of evaluation.sensitivity) {
    const there = perturbedEvaluation(paper, perturbed.set, ids, perturbed.source, row.variant);
    row.rounding = {};
    for (const r of evaluation.results) {
      const id = r.definition.id;
      const change = row.changes.find((c) => c.claim === id);
      const mark = robustnessOf({ ...r.definition, experiments: readsOf(paper, id, row.variant) }, { verdict: change?.alternative ?? r.fine.verdict }, there);
      row.rounding[id] = mark;
      if (change) change.rounding = mark;
    }
  }
}

/** Evaluates the claims and builds the report (pure but for reading git and package facts). */
export function verdictReport(paper: AnyPaper, set: AnyRunSet, ids: readonly string[], meta: ReportMeta, perturbed: PerturbedEvaluation | null = null): VerdictOutput {
  const evaluation = evaluatePaper(paper, set, ids);
  for (const r of evaluation.results) r.robustness = robustnessOf(r.definition, r.fine, perturbed);
  markAlternatives(paper, evaluation, perturbed);
  const sweep = new Map(evaluation.results.filter((r) => r.sweep).map((r) => [r.definition.id, r.sweep!.entries]));
  const plots = paper.plots(set, { sweep });
  const canonical = new Map(evaluation.results.map((r) => [r.definition.id, r.fine]));
  const report = buildVerdictReport({
    paper,
    set,
    sections: paper.sections?.(set, canonical) ?? [],
    results: evaluation.results,
    sensitivity: evaluation.sensitivity,
    provenance: runProvenance(set, collectEnvironment(meta.root)),
    plots,
    command: meta.command,
    source: meta.source,
    generated: meta.generated,
    ...(perturbed ? { perturbedSource: perturbed.source } : {}),
  });
  return { evaluation, report, plots };
}

/** Renders the plots (report/plotRender.ts) and writes the report. */
export async function writeVerdictReport(dir: string, output: VerdictOutput): Promise<WrittenReport> {
  return writeReport(dir, output.report, await renderPlots(output.plots));
}

/** A path as the report names it: relative to the working folder, so a committed report carries no machine's layout. */
export function reportPath(path: string, root: string = process.cwd()): string {
  return relative(root, path) || '.';
}
