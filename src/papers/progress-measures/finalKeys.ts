/**
 * The second pass (shared/spec/papers/progress-measures/claims.md §2.4): the key frequencies of a run's final
 * model, and the restricted and excluded losses at every kept checkpoint with those frequencies. This is the
 * look-ahead their figures use (the final K reused at every earlier checkpoint); the records hold the
 * measures without it (rule 1', E_max). Three rules fix the final K:
 * - `neuron-argmax` (rule 1, canonical): the distinct frequencies the final model's neurons pick, no threshold;
 * - `neuron-argmax:min1%`: those that at least 1% of the neurons pick (strays dropped);
 * - `wl-nontrivial` (rule 2): the frequencies of W_L's Fourier norms at least a quarter of the largest.
 * A paper Measurement: stored beside each run (runs/<id>/final-keys.json) and exported with its records.
 */
import { z } from 'zod';
import type { AsyncEngine } from '../../engine/engine.js';
import { frequencyNorms, keysAboveFraction, nandaBasis, neuronFrequencies } from '../../metrics/nandaFourier.js';
import { answerColumns, excludedLoss, excludedLossPerFrequency, restrictedLoss, sumDirectionCoefficients } from '../../metrics/sumDirections.js';
import type { CheckpointReader, Measurement } from '../../paper/paper.js';
import type { RunData } from '../../paper/runSet.js';
import { JsonNumberSchema } from '../../schema/jsonNumber.js';
import type { Params } from '../../model/params.js';
import type { RunConfig } from '../../schema/runConfig.js';
import { taskFromConfig } from '../../tasks/task.js';
import { EXPLAINED_FRACTION, hiddenSite, weightMeasures } from './measure.js';
import type { ProgressRecord } from './record.js';
import type { ProgressRole } from './profiles.js';
import type { ProgressProfile } from './runSet.js';

export const FINAL_KEYS = 'final-keys';

/** The rules that fix K from the final model (claims.md §2.4), canonical first. */
export const KEY_RULES = ['neuron-argmax', 'neuron-argmax:min1%', 'wl-nontrivial'] as const;
export type KeyRule = (typeof KEY_RULES)[number];
/** `neuron-argmax:min1%`: a frequency counts when at least this share of the neurons picks it. */
export const MIN_NEURON_SHARE = 0.01;
/** `wl-nontrivial`: a frequency counts when its W_L norm is at least this fraction of the largest. */
export const WL_FRACTION = 0.25;

const num = JsonNumberSchema;
/** Per kept checkpoint: R on all pairs (the verdicts') with its accuracy, R on the train and test rows (§2.5 stores all three), and E. */
const SeriesSchema = z
  .object({ restricted_loss: z.array(num), restricted_acc: z.array(num), restricted_loss_train: z.array(num), restricted_loss_test: z.array(num), excluded_loss: z.array(num) })
  .strict();

export const FinalKeysSchema = z
  .object({
    run_id: z.string(),
    /** The final checkpoint, whose model fixes K. */
    step: z.number().int().min(0),
    engine: z.string(),
    keys: z.object(Object.fromEntries(KEY_RULES.map((rule) => [rule, z.array(z.number().int().positive())])) as Record<KeyRule, z.ZodArray<z.ZodNumber>>).strict(),
    /** The final model's neurons: how many pick each k = 1..(p-1)/2, and how many are >= 85% explained. */
    neuron_frequency_counts: z.array(z.number().int().min(0)),
    neurons_explained_85: z.number().int().min(0),
    /** The final model's W_E and W_L Fourier component norms (p each) and every E_k (k = 1..(p-1)/2): N08, N09. */
    we_norms: z.array(num),
    wl_norms: z.array(num),
    excluded_per_frequency: z.array(num),
    /** The kept checkpoints' steps, and per rule R (all rows), its accuracy and E (train rows) at each. */
    steps: z.array(z.number().int().min(0)),
    series: z.object(Object.fromEntries(KEY_RULES.map((rule) => [rule, SeriesSchema])) as Record<KeyRule, typeof SeriesSchema>).strict(),
  })
  .strict();
export type FinalKeys = z.infer<typeof FinalKeysSchema>;

/** The final model's key frequencies under each rule, from its MLP hidden on the grid and its parameters. */
export function finalKeysOf(hidden: Float32Array, params: Params, config: Pick<RunConfig, 'model' | 'task'>, F: Float64Array = nandaBasis(config.task.n)) {
  const p = config.task.n;
  const { model } = config;
  const table = neuronFrequencies(hidden, p, model.d_mlp, 0, F);
  const counts = new Array<number>((p - 1) / 2).fill(0);
  for (const k of table.frequency) if (k > 0) counts[k - 1]++;
  const weights = weightMeasures(params, config, F);
  const keys: Record<KeyRule, number[]> = {
    'neuron-argmax': table.keys,
    'neuron-argmax:min1%': counts.flatMap((n, i) => (n > 0 && n >= MIN_NEURON_SHARE * model.d_mlp ? [i + 1] : [])),
    'wl-nontrivial': keysAboveFraction(frequencyNorms(weights.wl_norms), WL_FRACTION),
  };
  return { keys, counts, explained: table.fraction.reduce((n, f) => n + (f >= EXPLAINED_FRACTION ? 1 : 0), 0), weNorms: weights.we_norms, wlNorms: weights.wl_norms };
}

/** Measures `run` with `engine` at its final checkpoint, then at every kept checkpoint of its records' grid. */
async function measureFinalKeys(engine: AsyncEngine, run: RunData<ProgressRole, ProgressRecord>, step: number, checkpoints: CheckpointReader): Promise<FinalKeys> {
  const { config } = run;
  const p = config.task.n;
  const { task, split } = taskFromConfig(config.task);
  const F = nandaBasis(p);
  const site = hiddenSite(config);
  const final = await engine.evaluate({ tokens: task.tokens, labels: task.labels, capture: [site], logits: true });
  const { keys, counts, explained, weNorms, wlNorms } = finalKeysOf(final.captures[site]!, (await engine.getState()).params, config, F);
  const finalLogits = answerColumns(final.logits!, config.model.classes, p);
  const perFrequency = excludedLossPerFrequency(sumDirectionCoefficients(finalLogits, p, task.labels, p), finalLogits, task.labels, split.train);
  const recorded = new Set(run.records.map((r) => r.step));
  const steps = checkpoints.steps.filter((s) => recorded.has(s) && s <= step);
  const series = Object.fromEntries(
    KEY_RULES.map((rule) => [rule, { restricted_loss: [] as number[], restricted_acc: [] as number[], restricted_loss_train: [] as number[], restricted_loss_test: [] as number[], excluded_loss: [] as number[] }]),
  ) as FinalKeys['series'];
  for (const s of steps) {
    await engine.setState(checkpoints.read(s));
    const logits = answerColumns((await engine.evaluate({ tokens: task.tokens, labels: task.labels, logits: true })).logits!, config.model.classes, p);
    const co = sumDirectionCoefficients(logits, p, task.labels, p);
    for (const rule of KEY_RULES) {
      const restricted = restrictedLoss(co, keys[rule]);
      series[rule].restricted_loss.push(restricted.loss);
      series[rule].restricted_acc.push(restricted.accuracy);
      series[rule].restricted_loss_train.push(restrictedLoss(co, keys[rule], { answers: task.labels, rows: split.train }).loss);
      series[rule].restricted_loss_test.push(restrictedLoss(co, keys[rule], { answers: task.labels, rows: split.validation }).loss);
      series[rule].excluded_loss.push(excludedLoss(co, keys[rule], logits, task.labels, split.train));
    }
  }
  return {
    run_id: run.id,
    step,
    engine: engine.description,
    keys,
    neuron_frequency_counts: counts,
    neurons_explained_85: explained,
    we_norms: weNorms,
    wl_norms: wlNorms,
    excluded_per_frequency: [...perFrequency],
    steps,
    series,
  };
}

/** The second pass on every complete run of a set, at its last checkpoint. */
export const finalKeysMeasurement: Measurement<ProgressRole, ProgressProfile, ProgressRecord> = {
  name: FINAL_KEYS,
  schema: FinalKeysSchema,
  targets: (set) =>
    [...set.runs.values()].filter((run) => run.state === 'complete' && run.records.length > 0).map((run) => ({ key: run.key, step: run.records.at(-1)!.step })),
  isCurrent: (stored, runId, step) => {
    const parsed = FinalKeysSchema.safeParse(stored);
    return parsed.success && parsed.data.run_id === runId && parsed.data.step === step;
  },
  measure: (engine, run, step, checkpoints) => measureFinalKeys(engine, run, step, checkpoints),
};
