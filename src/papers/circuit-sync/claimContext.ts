/**
 * What a claim evaluator reads: the run set under one set of analysis options, with each run's events
 * computed once. Only complete runs are ever read (design.md: nothing partial is aggregated).
 */
import { notEvaluable, type ClaimOutcome } from '../../paper/claim.js';
import { unusableReason } from '../../paper/runSet.js';
import { mainKey } from './roles.js';
import type { AnalysisOptions } from './options.js';
import type { ProfileSpec } from './profiles.js';
import { runEvents, type EventSeriesChoice, type RunEvents } from './runEvents.js';
import type { CircuitRun, CircuitRunSet } from './runSet.js';


export class ClaimContext {
  private readonly cache = new Map<string, RunEvents>();

  constructor(
    readonly set: CircuitRunSet,
    readonly options: AnalysisOptions,
  ) {}

  get profile(): ProfileSpec {
    return this.set.profile.spec;
  }

  /** The complete run playing `key`; throws when it is not usable (call `unusable` first). */
  run(key: string): CircuitRun {
    const run = this.set.runs.get(key);
    if (!run || run.state !== 'complete') throw new Error(`internal: run ${key} is not usable (${unusableReason(this.set, key)})`);
    return run;
  }

  /** `not evaluable`, naming the runs of `keys` that cannot be read (missing, failed, cut short); null when all are complete. */
  notEvaluableFor(keys: readonly string[], behind: readonly string[] = keys): ClaimOutcome | null {
    const unusable = this.unusable(keys);
    return unusable.length ? notEvaluable(unusable.join('; '), this.ids(behind)) : null;
  }

  /** Key of the reference main run (C14 ablates it, C16 reads its phases). */
  get referenceKey(): string {
    return mainKey(this.profile.reference.p, this.profile.reference.seed);
  }

  /** Reasons why some of `keys` cannot be read (empty when all are complete). */
  unusable(keys: readonly string[]): string[] {
    return keys.map((k) => unusableReason(this.set, k)).filter((r): r is string => r !== null);
  }

  /** Every planned or waiting run key whose key starts with `prefix` (e.g. `forks/p53/`). */
  keysWithPrefix(prefix: string): string[] {
    const keys = [...this.set.runs.keys(), ...this.set.plan.waiting.map((w) => w.key)];
    return [...new Set(keys.filter((k) => k.startsWith(prefix)))];
  }

  ids(keys: readonly string[]): string[] {
    return keys.map((k) => this.set.runs.get(k)?.id).filter((id): id is string => id !== undefined);
  }

  events(key: string, choice: EventSeriesChoice = {}): RunEvents {
    const cacheKey = `${key}#${choice.series ?? ''}#${choice.threshold ?? ''}`;
    let ev = this.cache.get(cacheKey);
    if (!ev) {
      const run = this.run(key);
      ev = runEvents(run.records, run.config, this.options, this.profile.coarseStep, choice);
      this.cache.set(cacheKey, ev);
    }
    return ev;
  }

  /** Notes of the runs' events (options not applicable, spike flags), prefixed with their keys, deduplicated. */
  eventNotes(keys: readonly string[], choice: EventSeriesChoice = {}): string[] {
    const out = new Set<string>();
    for (const k of keys) {
      const ev = this.events(k, choice);
      for (const n of [...ev.notes, ...ev.spikeFlags]) out.add(`${k}: ${n}`);
    }
    return [...out];
  }
}
