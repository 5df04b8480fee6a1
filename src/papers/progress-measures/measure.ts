/**
 * Progress-measures' measurements of one checkpoint (shared/spec/papers/progress-measures/claims.md §2), the
 * paper's CheckpointMeasures (src/train/measures.ts): one full-grid evaluation with the last block's MLP hidden,
 * from which the core fields, the 113-way losses, the per-frequency excluded losses, rule 1''s key frequencies
 * with their restricted and excluded losses, and FSD are derived; the Fourier norms, their Gini coefficients and
 * the sums of squared weights come from the parameters. Everything here reads the checkpoint alone: no
 * look-ahead. Every checkpoint is kept, for the second pass with the final model's key frequencies.
 */
import type { AsyncEngine, TrainingState } from '../../engine/engine.js';
import { fourierFsd } from '../../metrics/fsd.js';
import { summariseFourierFsd } from '../../metrics/fsdSummary.js';
import { gini } from '../../metrics/gini.js';
import { fourierComponentNorms, frequencyNorms, nandaBasis, neuronFrequencies, neuronLogitMap } from '../../metrics/nandaFourier.js';
import { subsetLossAccuracy } from '../../metrics/subsetLoss.js';
import { answerColumns, excludedLoss, excludedLossPerFrequency, restrictedLoss, sumDirectionCoefficients } from '../../metrics/sumDirections.js';
import type { Params } from '../../model/params.js';
import type { CoreRecord } from '../../schema/record.js';
import type { RunConfig } from '../../schema/runConfig.js';
import type { SiteName } from '../../schema/sites.js';
import type { Split, Task } from '../../tasks/task.js';
import { coreRecordFields, type CheckpointCost, type CheckpointMeasures, type MemoryEstimate, type RunDescription } from '../../train/measures.js';
import { accuracyEventSteps } from '../../metrics/accuracyEvents.js';
import { progressMetricOptions, progressOptions } from './metricOptions.js';
import { progressRecordLayout, type ProgressRecord } from './record.js';

/** A neuron is "explained" by its frequency at this fraction (claims.md §2.4: the paper's 85%). */
export const EXPLAINED_FRACTION = 0.85;

/** The last block's MLP hidden (post-ReLU), whose neurons the key-frequency rule reads. */
export function hiddenSite(config: Pick<RunConfig, 'model'>): SiteName {
  return `block${config.model.n_layers - 1}.mlp.post` as SiteName;
}

export async function measureProgress(
  engine: AsyncEngine,
  task: Task,
  split: Split,
  config: RunConfig,
  step: number,
  weightDecay: number,
  _previous: readonly ProgressRecord[],
  known?: TrainingState,
): Promise<ProgressRecord> {
  const p = task.n;
  const { model } = config;
  const site = hiddenSite(config);
  const grid = await engine.evaluate({ tokens: task.tokens, labels: task.labels, capture: [site], logits: true });
  const state = known ?? (await engine.getState());
  const head = coreRecordFields({ logits: grid.logits!, classes: model.classes, params: state.params, step, weightDecay }, task, split);
  const diverged = !Number.isFinite(grid.loss) || !Number.isFinite(head.train_loss) || !Number.isFinite(head.val_loss);
  if (diverged) return divergedRecord(head);

  // 113-way: the separator's logit column dropped, as their analysis does (claims.md §2.2).
  const logits = answerColumns(grid.logits!, model.classes, p);
  const all = Int32Array.from({ length: task.labels.length }, (_, r) => r);
  const train = subsetLossAccuracy(logits, p, task.labels, split.train);
  const test = subsetLossAccuracy(logits, p, task.labels, split.validation);
  const co = sumDirectionCoefficients(logits, p, task.labels, p);

  const F = nandaBasis(p);
  const weights = weightMeasures(state.params, config, F);
  const hidden = grid.captures[site]!;
  const fsd = summariseFourierFsd(fourierFsd(hidden, model.d_mlp, task.labels, p));

  const perFrequency = excludedLossPerFrequency(co, logits, task.labels, split.train);
  const maxAt = perFrequency.reduce((best, e, i) => (e > perFrequency[best] ? i : best), 0);
  let neurons: Pick<ProgressRecord, 'excluded_per_frequency' | 'neuron_frequency_counts' | 'neurons_explained_85' | 'restricted_loss_now' | 'restricted_acc_now' | 'excluded_loss_now'> = {
    excluded_per_frequency: null,
    neuron_frequency_counts: null,
    neurons_explained_85: null,
    restricted_loss_now: null,
    restricted_acc_now: null,
    excluded_loss_now: null,
  };
  if (step % progressOptions(config).neuron_keys_every === 0) {
    // Rule 1' (claims.md §2.4): the key frequencies this checkpoint's neurons pick, with no threshold.
    const table = neuronFrequencies(hidden, p, model.d_mlp, 0, F);
    const counts = new Array<number>((p - 1) / 2).fill(0);
    for (const k of table.frequency) if (k > 0) counts[k - 1]++;
    const restricted = restrictedLoss(co, table.keys);
    neurons = {
      excluded_per_frequency: [...perFrequency],
      neuron_frequency_counts: counts,
      neurons_explained_85: table.fraction.reduce((n, f) => n + (f >= EXPLAINED_FRACTION ? 1 : 0), 0),
      restricted_loss_now: restricted.loss,
      restricted_acc_now: restricted.accuracy,
      excluded_loss_now: excludedLoss(co, table.keys, logits, task.labels, split.train),
    };
  }
  return {
    ...head,
    train_loss_113: train.loss,
    test_loss_113: test.loss,
    all_loss_113: subsetLossAccuracy(logits, p, task.labels, all).loss,
    train_acc_113: train.accuracy,
    test_acc_113: test.accuracy,
    ssw: weights.ssw,
    ssw_core: weights.ssw_core,
    gini_we: weights.gini_we,
    gini_wl: weights.gini_wl,
    gini_we_frequency: weights.gini_we_frequency,
    gini_wl_frequency: weights.gini_wl_frequency,
    excluded_max: perFrequency[maxAt],
    excluded_max_frequency: maxAt + 1,
    ...neurons,
    fsd_mlp: fsd.fsd,
    fsd_mlp_top_frequency: fsd.top_frequency,
    diverged: false,
  };
}

type WeightMeasures = Pick<ProgressRecord, 'ssw' | 'ssw_core' | 'gini_we' | 'gini_wl' | 'gini_we_frequency' | 'gini_wl_frequency'> & { we_norms: number[]; wl_norms: number[] };

/**
 * The measures of the parameters alone (claims.md §2.7): the sums of squared weights, the Fourier component norms
 * of W_E's number rows and of W_L, and their Gini coefficients (component norms, and per-frequency norms).
 */
export function weightMeasures(params: Params, config: Pick<RunConfig, 'model' | 'task'>, F: Float64Array = nandaBasis(config.task.n)): WeightMeasures {
  const p = config.task.n;
  const { model } = config;
  const last = model.n_layers - 1;
  const WE = params['embed.W_E'];
  const WU = params['unembed.W_U'];
  const Wout = params[`blocks.${last}.mlp.W_out`];
  const we = fourierComponentNorms(WE, p, model.d_model, F);
  const wl = fourierComponentNorms(neuronLogitMap(WU, Wout, p, model.d_model, model.d_mlp, model.classes), p, model.d_mlp, F);
  return {
    ...squaredWeights(params, config),
    we_norms: [...we],
    wl_norms: [...wl],
    gini_we: gini(we),
    gini_wl: gini(wl),
    gini_we_frequency: gini(frequencyNorms(we)),
    gini_wl_frequency: gini(frequencyNorms(wl)),
  };
}

/**
 * SSW over every parameter (claims.md §2.7, biases included), and without the biases and the separator's rows:
 * W_E's row p (the `=` token) and, with a separator logit, W_U's column p; those decay too and dilute the signal
 * (N05 "Hard").
 */
export function squaredWeights(params: Params, config: Pick<RunConfig, 'model' | 'task'>): Pick<ProgressRecord, 'ssw' | 'ssw_core'> {
  const p = config.task.n;
  const { d_model: d, classes } = config.model;
  let ssw = 0;
  let core = 0;
  for (const [name, data] of Object.entries(params)) {
    const isBias = /\.b_[A-Za-z]+$/.test(name);
    for (let i = 0; i < data.length; i++) {
      const sq = data[i] * data[i];
      ssw += sq;
      if (isBias) continue;
      if (name === 'embed.W_E' && Math.floor(i / d) === p) continue;
      if (name === 'unembed.W_U' && classes > p && i % classes === p) continue;
      core += sq;
    }
  }
  return { ssw, ssw_core: core };
}

/** A checkpoint whose loss is not finite: the measures are undefined (NaN), the run stops here (loop.ts). */
function divergedRecord(head: Omit<CoreRecord, 'diverged'>): ProgressRecord {
  return {
    ...head,
    train_loss_113: NaN,
    test_loss_113: NaN,
    all_loss_113: NaN,
    train_acc_113: NaN,
    test_acc_113: NaN,
    ssw: NaN,
    ssw_core: NaN,
    gini_we: NaN,
    gini_wl: NaN,
    gini_we_frequency: NaN,
    gini_wl_frequency: NaN,
    excluded_max: NaN,
    excluded_max_frequency: null,
    excluded_per_frequency: null,
    neuron_frequency_counts: null,
    neurons_explained_85: null,
    restricted_loss_now: null,
    restricted_acc_now: null,
    excluded_loss_now: null,
    fsd_mlp: NaN,
    fsd_mlp_top_frequency: null,
    diverged: true,
  };
}

/**
 * One checkpoint's peak memory: the logits (4 bytes per class) and the MLP hidden (4 bytes per unit) of every grid
 * row, the 113-way copy of the logits, and the float64 transform buffers of one neuron (rule 1').
 */
export function progressMemory(config: RunConfig): MemoryEstimate {
  const p = config.task.n;
  const rows = p * p;
  const { model } = config;
  const perRow = 4 * model.classes + 4 * model.d_mlp + 4 * p + 8 * 2;
  return {
    bytes: rows * perRow,
    gridRows: rows,
    parts: `${rows} grid rows x (${model.classes} logits + ${model.d_mlp} hidden units + ${p} answer logits, 4 bytes each, + 16 bytes of transform buffers)`,
  };
}

/**
 * A checkpoint's multiply-adds beyond the grid forward: FSD of the hidden (4 per unit and row), the per-frequency
 * excluded losses on the train rows ((p-1)/2 x p per train row), and rule 1' at its cadence (a 2D transform of
 * every neuron: p^3 each).
 */
function progressCost(config: RunConfig): CheckpointCost {
  const p = config.task.n;
  const rows = p * p;
  const trainRows = Math.floor(config.task.train_frac * rows);
  const { d_mlp } = config.model;
  return {
    units: rows * d_mlp * 4 + trainRows * ((p - 1) / 2) * p,
    dear: { every: progressOptions(config).neuron_keys_every, units: d_mlp * p * p * p },
  };
}

/** A run's events for `show` and `train`: memorisation and grokking (the phase boundaries are the analysis's). */
function describeProgress(records: readonly ProgressRecord[]): RunDescription {
  const core = accuracyEventSteps(records);
  const events = { memorisation: core.memorisation, grokking: core.grok };
  return { events, marks: [core.memorisation, core.grok].filter((s): s is number => s !== null), flags: [] };
}

/**
 * Progress-measures' checkpoint measures for the training loop: its records (above); no events or triggers of its
 * own; every checkpoint kept for the second pass with the final model's key frequencies.
 */
export const progressMeasures: CheckpointMeasures<ProgressRecord> = {
  options: progressMetricOptions,
  record: progressRecordLayout,
  figures: [
    { key: 'test_loss_113', header: 'test loss', digits: 3, progress: true, value: (r) => r.test_loss_113 },
    { key: 'excluded_max', header: 'E_max', digits: 3, progress: false, value: (r) => r.excluded_max },
    { key: 'ssw', header: 'SSW', digits: 1, progress: false, value: (r) => r.ssw },
    { key: 'gini_we', header: 'Gini W_E', digits: 3, progress: false, value: (r) => r.gini_we },
  ],
  measure: measureProgress,
  events: () => ({}),
  triggers: {},
  memory: progressMemory,
  cost: progressCost,
  costKey: (config) => progressOptions(config).neuron_keys_every,
  describe: describeProgress,
  summary: [
    { column: 'mem', event: 'memorisation' },
    { column: 'grok', event: 'grokking' },
  ],
  keptEvery: (config) => config.eval_every,
};
