/**
 * What a progress-measures claim reads: the run set under one set of analysis options and one resolution, each
 * run's series and phases computed once. Only complete runs are read (design.md: nothing partial is aggregated).
 */
import { notEvaluable, type ClaimOutcome } from '../../paper/claim.js';
import { unusableReason } from '../../paper/runSet.js';
import type { ProgressOptions } from './options.js';
import type { ExperimentId, ProfileSpec } from './profiles.js';
import { finalModel, phasesOf, storedFinalKeys, runSeries, type FinalModel, type Phases, type RunSeries } from './runAnalysis.js';
import { COARSE_STEP, type ProgressRun, type ProgressRunSet } from './runSet.js';

export class ProgressContext {
  private readonly seriesCache = new Map<string, RunSeries | { problem: string }>();

  constructor(
    readonly set: ProgressRunSet,
    readonly options: ProgressOptions,
    /** Read the records on the coarse grid only (the paper's figures are on every 100 epochs; ours too). */
    readonly coarse = false,
  ) {}

  get profile(): ProfileSpec {
    return this.set.profile.spec;
  }

  /** The planned keys of `experiment`, in plan order (optionally only those whose role passes `filter`). */
  keysOf(experiment: ExperimentId, filter: (run: ProgressRun) => boolean = () => true): string[] {
    return [...this.set.runs.values()].filter((r) => r.role.experiment === experiment && filter(r)).map((r) => r.key);
  }

  run(key: string): ProgressRun {
    const run = this.set.runs.get(key);
    if (!run || run.state !== 'complete') throw new Error(`internal: run ${key} is not usable (${unusableReason(this.set, key)})`);
    return run;
  }

  ids(keys: readonly string[]): string[] {
    return keys.map((k) => this.set.runs.get(k)?.id).filter((id): id is string => id !== undefined);
  }

  /** `not evaluable` naming the runs of `keys` that cannot be read, or the runs whose series cannot be formed; null when all can. */
  notEvaluableFor(keys: readonly string[]): ClaimOutcome | null {
    if (keys.length === 0) return notEvaluable('the profile plans no run of this experiment');
    const unusable = keys.map((k) => unusableReason(this.set, k)).filter((r): r is string => r !== null);
    if (unusable.length) return notEvaluable(unusable.join('; '), this.ids(keys));
    const problems = keys.flatMap((k) => {
      const s = this.seriesOrProblem(k);
      return 'problem' in s ? [`${k}: ${s.problem}`] : [];
    });
    return problems.length ? notEvaluable(problems.join('; '), this.ids(keys)) : null;
  }

  private seriesOrProblem(key: string): RunSeries | { problem: string } {
    let s = this.seriesCache.get(key);
    if (!s) {
      const run = this.run(key);
      s = runSeries(run.records, storedFinalKeys(run.measurements), this.options, this.coarse ? COARSE_STEP : null);
      this.seriesCache.set(key, s);
    }
    return s;
  }

  /** The run's series (call notEvaluableFor first). */
  series(key: string): RunSeries {
    const s = this.seriesOrProblem(key);
    if ('problem' in s) throw new Error(`internal: ${key}: ${s.problem}`);
    return s;
  }

  /** The final models of `keys`, or `not evaluable` naming the runs whose key rule cannot be read (N08, N09). */
  finalModels(keys: readonly string[]): { key: string; model: FinalModel }[] | ClaimOutcome {
    const finals = keys.map((key) => {
      const run = this.run(key);
      return { key, model: finalModel(run.records, storedFinalKeys(run.measurements), this.options, run.config.model.d_mlp) };
    });
    const problems = finals.flatMap((f) => ('problem' in f.model ? [`${f.key}: ${f.model.problem}`] : []));
    if (problems.length) return notEvaluable(problems.join('; '), this.ids(keys));
    return finals as { key: string; model: FinalModel }[];
  }

  phases(key: string): Phases {
    return phasesOf(this.series(key), this.options);
  }

  /** `at least` runs of `n`: the paper's "on >= 4/5 seeds" at another number of seeds (the same share, rounded up). */
  static share(n: number, of5: number): number {
    return Math.ceil((of5 / 5) * n - 1e-9);
  }
}
