/**
 * The circuit measures of a checkpoint beside FSD: the paper's restricted-logit loss (metrics.md "Restricted-logit loss", on the
 * grid and, for the `baseline.inputs = train` option, on the training rows), Nanda et al.'s excluded and
 * restricted losses (metrics.md "Nanda et al.'s progress measures"), and FSD_gen for group tasks.
 */
import type { Engine, EvalResult } from '../engine/engine.js';
import type { SiteName } from '../schema/sites.js';
import { gather, type Split, type Task } from '../tasks/task.js';
import { SymmetricGroup } from '../tasks/symmetric.js';
import { restrictedLogitLoss } from '../metrics/restrictedLogit.js';
import { progressMeasures } from '../metrics/progressMeasures.js';
import { groupFsd as groupFsdOf } from '../metrics/fsdGen.js';
import { symmetricIrreps, type Irrep } from '../metrics/irreps.js';
import type { RunConfig } from '../schema/runConfig.js';

export interface BaselineMeasures {
  restricted_logit_loss: number | null;
  restricted_logit_loss_train: number | null;
  nanda_excluded_loss: number | null;
  nanda_restricted_loss: number | null;
}

const NONE: BaselineMeasures = {
  restricted_logit_loss: null,
  restricted_logit_loss_train: null,
  nanda_excluded_loss: null,
  nanda_restricted_loss: null,
};

/** `grid` is the checkpoint's full-grid evaluation, with logits and the last block's MLP capture when it has one. */
export function baselineMeasures(engine: Engine, task: Task, split: Split, config: RunConfig, grid: EvalResult): BaselineMeasures {
  if (task.kind === 'sym') return NONE;
  const p = task.classes;
  const keep = config.metrics.key_frequencies;
  const nanda = progressMeasures(engine, { tokens: task.tokens, labels: task.labels }, p, split.train, {
    logits: grid.logits,
    keyCount: keep,
  });
  const result: BaselineMeasures = {
    ...NONE,
    nanda_excluded_loss: nanda.excludedLoss,
    nanda_restricted_loss: nanda.restrictedLoss,
  };
  if (config.model.variant === 'attn_only') return result; // no MLP to band-limit
  const layer = config.model.n_layers - 1;
  const site = `block${layer}.mlp.post` as SiteName;
  result.restricted_logit_loss = restrictedLogitLoss(engine, { tokens: task.tokens, labels: task.labels }, p, {
    layer,
    keep,
    activations: grid.captures[site],
  }).loss;
  result.restricted_logit_loss_train = restrictedLogitLoss(engine, gather(task, split.train), p, { layer, keep }).loss;
  return result;
}

const irrepCache = new Map<number, Irrep[]>();

/** FSD_gen (metrics.md "FSD_gen") of a group task's activations on the full grid. */
export function groupFsd(acts: Float32Array, units: number, task: Task): number | null {
  if (task.kind !== 'sym') return null;
  let irreps = irrepCache.get(task.n);
  if (!irreps) {
    irreps = symmetricIrreps(new SymmetricGroup(task.n));
    irrepCache.set(task.n, irreps);
  }
  return groupFsdOf(acts, units, task.labels, irreps).fsd;
}
