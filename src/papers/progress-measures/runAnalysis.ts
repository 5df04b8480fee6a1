/**
 * One run of progress-measures as the claims read it (shared/spec/papers/progress-measures/claims.md §2): its
 * series on the analysis grid, the K-dependent ones under the options' key rule, and its phase boundaries
 * (§2.8). Pure functions of the records and the second pass (finalKeys.ts).
 */
import { median } from 'simple-statistics';
import { FINAL_KEYS, FinalKeysSchema, type FinalKeys, type KeyRule } from './finalKeys.js';
import type { ProgressOptions } from './options.js';
import type { ProgressRecord } from './record.js';

/** t_mem is looked for in [0, this] (§2.8). */
export const MEM_WINDOW = 5000;
/** t_clean: test loss at most this from there on (§2.8). */
export const CLEAN_LOSS = 1e-3;
/** A spike checkpoint: training accuracy more than this below the previous checkpoint's (metrics.md "Spike"). */
export const SPIKE_DROP = 0.2;
/** E_end is the median of E over the run's last this fraction of checkpoints (§2.8). */
export const END_FRACTION = 0.1;
/** t_50, t_grok, t_mem99: test accuracy >= 0.5, >= 0.95; train accuracy >= 0.99 (113-way, §2.8). */
export const HALF_ACCURACY = 0.5;
export const GROK_ACCURACY = 0.95;
export const MEMORISED_ACCURACY = 0.99;
/** gini-90 and the t_circ fractions: the share of the rise that counts as covered. */
export const GINI_RISE = 0.9;

export interface RunSeries {
  steps: number[];
  trainLoss: number[];
  testLoss: number[];
  allLoss: number[];
  trainAcc: number[];
  testAcc: number[];
  /** E and R (with its accuracy) under the options' key rule; null where not measured (rule 1' off its cadence). */
  excluded: (number | null)[];
  restricted: (number | null)[];
  restrictedAcc: (number | null)[];
  /** E_max: the largest per-frequency excluded loss (no look-ahead). */
  excludedMax: number[];
  ssw: number[];
  giniWe: number[];
  giniWl: number[];
  fsd: number[];
  /** The key frequencies the K-dependent series use (the final model's; rule 1': the last checkpoint's). */
  keys: number[];
  /** The key rule in words, for verdicts that read K. */
  keyRule: string;
}

/** The run's second pass, validated; undefined when it has none (yet). */
export function storedFinalKeys(measurements: Record<string, unknown>): FinalKeys | undefined {
  const stored = measurements[FINAL_KEYS];
  return stored === undefined ? undefined : FinalKeysSchema.parse(stored);
}

/** The records on the analysis grid: every checkpoint, or only multiples of `coarseStep`. */
export function onGrid(records: readonly ProgressRecord[], coarseStep: number | null): ProgressRecord[] {
  return coarseStep === null ? [...records] : records.filter((r) => r.step % coarseStep === 0);
}

/** The run's series; a reason instead when the options' key rule needs a second pass the run does not have. */
export function runSeries(records: readonly ProgressRecord[], finalKeys: FinalKeys | undefined, options: ProgressOptions, coarseStep: number | null): RunSeries | { problem: string } {
  const rs = onGrid(records, coarseStep);
  const ginis = options.gini === 'components' ? { we: rs.map((r) => r.gini_we), wl: rs.map((r) => r.gini_wl) } : { we: rs.map((r) => r.gini_we_frequency), wl: rs.map((r) => r.gini_wl_frequency) };
  const base = {
    steps: rs.map((r) => r.step),
    trainLoss: rs.map((r) => r.train_loss_113),
    testLoss: rs.map((r) => r.test_loss_113),
    allLoss: rs.map((r) => r.all_loss_113),
    trainAcc: rs.map((r) => r.train_acc_113),
    testAcc: rs.map((r) => r.test_acc_113),
    excludedMax: rs.map((r) => r.excluded_max),
    ssw: rs.map((r) => (options.ssw === 'all' ? r.ssw : r.ssw_core)),
    giniWe: ginis.we,
    giniWl: ginis.wl,
    fsd: rs.map((r) => r.fsd_mlp),
  };
  if (options.keys === 'neuron-argmax-now') {
    const last = [...rs].reverse().find((r) => r.neuron_frequency_counts !== null);
    return {
      ...base,
      excluded: rs.map((r) => r.excluded_loss_now),
      restricted: rs.map((r) => r.restricted_loss_now),
      restrictedAcc: rs.map((r) => r.restricted_acc_now),
      keys: last ? last.neuron_frequency_counts!.flatMap((n, i) => (n > 0 ? [i + 1] : [])) : [],
      keyRule: "rule 1' (each checkpoint's own neurons, no look-ahead)",
    };
  }
  if (!finalKeys) return { problem: 'no second pass (final-keys) for this run: run verify on its run store to measure it' };
  const rule: KeyRule = options.keys;
  const at = new Map(finalKeys.steps.map((s, i) => [s, i]));
  const pick = (values: readonly number[]) => rs.map((r) => (at.has(r.step) ? values[at.get(r.step)!] : null));
  const series = finalKeys.series[rule];
  return {
    ...base,
    excluded: pick(series.excluded_loss),
    restricted: pick(series.restricted_loss),
    restrictedAcc: pick(series.restricted_acc),
    keys: finalKeys.keys[rule],
    keyRule: `${rule} of the final model (step ${finalKeys.step}; look-ahead)`,
  };
}

export interface Phases {
  /** Train accuracy >= 0.99, test accuracy >= 0.5 and >= 0.95 (null: never). */
  tMem99: number | null;
  t50: number | null;
  tGrok: number | null;
  /** The memorisation boundary under the options (§2.8). */
  tMem: number | null;
  /** The end of circuit formation; null when E never rises. */
  tCirc: number | null;
  /** The start of the clean model; null when it never comes. */
  tClean: number | null;
}

const firstStep = (s: RunSeries, test: (i: number) => boolean, from = 0): number | null => {
  for (let i = 0; i < s.steps.length; i++) if (s.steps[i] >= from && test(i)) return s.steps[i];
  return null;
};

/** Indices of spike checkpoints (metrics.md "Spike": train accuracy more than 0.2 below the previous checkpoint's). */
export function spikeIndices(s: Pick<RunSeries, 'trainAcc'>): Set<number> {
  const out = new Set<number>();
  for (let i = 1; i < s.trainAcc.length; i++) if (s.trainAcc[i] < s.trainAcc[i - 1] - SPIKE_DROP) out.add(i);
  return out;
}

/** t_mem: the test-loss peak in [0, 5000], or the argmin of E there (the first on ties). */
export function memBoundary(s: RunSeries, option: ProgressOptions['mem']): number | null {
  const values = option === 'test-peak' ? s.testLoss : s.excluded;
  const better = option === 'test-peak' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  let best: number | null = null;
  let bestValue = 0;
  for (let i = 0; i < s.steps.length && s.steps[i] <= MEM_WINDOW; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) continue;
    if (best === null || better(v, bestValue)) {
      best = s.steps[i];
      bestValue = v;
    }
  }
  return best;
}

/**
 * t_circ: the first checkpoint after t_mem with log E >= log E_min + f (log E_end - log E_min), E_min the
 * smallest E of the run and E_end the median E over its last 10% of checkpoints; null when E does not rise.
 */
export function circBoundary(s: RunSeries, tMem: number | null, fraction: number): number | null {
  if (tMem === null) return null;
  const measured = s.excluded.map((e, i) => ({ e, step: s.steps[i] })).filter((x): x is { e: number; step: number } => x.e !== null && x.e > 0 && Number.isFinite(x.e));
  if (measured.length < 2) return null;
  const eMin = Math.min(...measured.map((x) => x.e));
  const last = s.steps.at(-1)!;
  const tail = measured.filter((x) => x.step >= last - END_FRACTION * last);
  const eEnd = median((tail.length ? tail : measured.slice(-1)).map((x) => x.e));
  if (!(eEnd > eMin)) return null;
  const threshold = Math.log(eMin) + fraction * (Math.log(eEnd) - Math.log(eMin));
  return measured.find((x) => x.step > tMem && Math.log(x.e) >= threshold)?.step ?? null;
}

/** t_clean: from this checkpoint on, test loss <= 1e-3 at every non-spike checkpoint; or G_E's 90% rise after t_mem. */
export function cleanBoundary(s: RunSeries, tMem: number | null, option: ProgressOptions['clean']): number | null {
  if (option === 'gini-90') {
    if (tMem === null) return null;
    const start = s.steps.indexOf(tMem);
    const g0 = s.giniWe[start];
    const gEnd = s.giniWe.at(-1)!;
    if (!(gEnd > g0)) return null;
    return firstStep(s, (i) => s.giniWe[i] >= g0 + GINI_RISE * (gEnd - g0), tMem);
  }
  const spikes = spikeIndices(s);
  let clean: number | null = null;
  for (let i = s.steps.length - 1; i >= 0; i--) {
    if (spikes.has(i)) continue;
    if (!(s.testLoss[i] <= CLEAN_LOSS)) break;
    clean = s.steps[i];
  }
  return clean;
}

export function phasesOf(s: RunSeries, options: ProgressOptions): Phases {
  const tMem = memBoundary(s, options.mem);
  return {
    tMem99: firstStep(s, (i) => s.trainAcc[i] >= MEMORISED_ACCURACY),
    t50: firstStep(s, (i) => s.testAcc[i] >= HALF_ACCURACY),
    tGrok: firstStep(s, (i) => s.testAcc[i] >= GROK_ACCURACY),
    tMem,
    tCirc: circBoundary(s, tMem, options.circ),
    tClean: cleanBoundary(s, tMem, options.clean),
  };
}

/** The series value at `step` (null: not on the grid, or not measured there). */
export function at<T>(s: RunSeries, values: readonly T[], step: number | null): T | null {
  if (step === null) return null;
  const i = s.steps.indexOf(step);
  return i < 0 ? null : values[i];
}

/** A run's final model as N08 and N09 read it (claims.md §3): its key frequencies and its end-of-run measures. */
export interface FinalModel {
  step: number;
  /** K under the options' rule, and under `neuron-argmax:min1%` (N09's E_k criteria: strays do not count). */
  keys: number[];
  keysMin1: number[];
  /** Neurons >= 85% explained by their frequency, of the MLP's. */
  explained: number;
  units: number;
  weNorms: number[];
  wlNorms: number[];
  excludedPerFrequency: number[];
  trainLoss: number;
  allLoss: number;
}

/** The final model of a run; a reason instead when its key rule needs a second pass it lacks, or rule 1' never ran. */
export function finalModel(records: readonly ProgressRecord[], finalKeys: FinalKeys | undefined, options: ProgressOptions, units: number): FinalModel | { problem: string } {
  const last = records.at(-1);
  if (!last) return { problem: 'no records' };
  const base = { step: last.step, units, trainLoss: last.train_loss_113, allLoss: last.all_loss_113 };
  // The final model's Fourier norms are the second pass's whatever the rule (they read no K).
  if (!finalKeys) return { problem: 'no second pass (final-keys) for this run: run verify on its run store to measure it' };
  if (options.keys === 'neuron-argmax-now') {
    // Rule 1': the run's last checkpoint that measured its neurons (and, with them, every E_k).
    const measured = [...records].reverse().find((r) => r.neuron_frequency_counts !== null);
    if (!measured) return { problem: "rule 1' was never measured in this run" };
    const counts = measured.neuron_frequency_counts!;
    return {
      ...base,
      step: measured.step,
      trainLoss: measured.train_loss_113,
      allLoss: measured.all_loss_113,
      weNorms: finalKeys.we_norms,
      wlNorms: finalKeys.wl_norms,
      excludedPerFrequency: measured.excluded_per_frequency!,
      keys: counts.flatMap((n, i) => (n > 0 ? [i + 1] : [])),
      keysMin1: counts.flatMap((n, i) => (n > 0 && n >= 0.01 * units ? [i + 1] : [])),
      explained: measured.neurons_explained_85!,
    };
  }
  return {
    ...base,
    keys: finalKeys.keys[options.keys],
    keysMin1: finalKeys.keys['neuron-argmax:min1%'],
    explained: finalKeys.neurons_explained_85,
    weNorms: finalKeys.we_norms,
    wlNorms: finalKeys.wl_norms,
    excludedPerFrequency: finalKeys.excluded_per_frequency,
  };
}
