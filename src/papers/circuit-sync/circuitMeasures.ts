/**
 * The circuit measures of a checkpoint beside FSD: the paper's restricted-logit loss (metrics.md "Restricted-logit loss", on the
 * grid and, for the `baseline.inputs = train` option, on the training rows), Nanda et al.'s excluded and
 * restricted losses (metrics.md "Nanda et al.'s progress measures"), and FSD_gen for group tasks.
 */
import type { AsyncEngine, EvalResult } from '../../engine/engine.js';
import { residualSite, type SiteName } from '../../schema/sites.js';
import type { FourierFsd } from '../../metrics/fsd.js';
import type { Params } from '../../model/params.js';
import type { Split, Task } from '../../tasks/task.js';
import { gatherRows } from '../../tasks/rows.js';
import { SymmetricGroup } from '../../tasks/symmetric.js';
import { restrictedLogitLoss } from '../../metrics/restrictedLogit.js';
import { progressMeasures } from '../../metrics/progressMeasures.js';
import { groupBasis, groupFsd as groupFsdOf } from '../../metrics/fsdGen.js';
import type { SpectralBasis } from '../../metrics/spectralBasis.js';
import { symmetricIrreps, type Irrep } from '../../metrics/irreps.js';
import type { RunConfig } from '../../schema/runConfig.js';
import { metricOptions } from './metricOptions.js';

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

/**
 * `grid` is the checkpoint's full-grid evaluation, with logits and, when the model has an MLP, the last block's
 * MLP hidden and `resid.mid` captures: both restricted-logit losses (grid and training rows) are finished from
 * them (Engine.evaluateTail), so this costs no second forward pass.
 */
export async function baselineMeasures(
  engine: AsyncEngine,
  task: Task,
  split: Split,
  config: RunConfig,
  grid: EvalResult,
  /** The checkpoint's parameters and its FSD of each site on the grid (computed once, used here again). */
  known: { params: Params; gridFsd: Partial<Record<SiteName, FourierFsd>> },
): Promise<BaselineMeasures> {
  if (task.kind === 'sym') return NONE;
  const p = task.classes;
  const keep = metricOptions(config).key_frequencies;
  const nanda = await progressMeasures(engine, { tokens: task.tokens, labels: task.labels }, p, split.train, {
    logits: grid.logits,
    keyCount: keep,
    params: known.params,
  });
  const result: BaselineMeasures = {
    ...NONE,
    nanda_excluded_loss: nanda.excludedLoss,
    nanda_restricted_loss: nanda.restrictedLoss,
  };
  if (config.model.variant === 'attn_only') return result; // no MLP to band-limit
  const layer = config.model.n_layers - 1;
  const hidden = grid.captures[`block${layer}.mlp.post`];
  const residual = grid.captures[residualSite(config)!];
  if (!hidden || !residual) throw new Error(`the grid evaluation lacks the block-${layer} MLP hidden or residual capture`);
  const hiddenFsd = known.gridFsd[`block${layer}.mlp.post` as SiteName];
  result.restricted_logit_loss = (
    await restrictedLogitLoss(engine, { labels: task.labels }, p, {
      layer,
      keep,
      activations: hidden,
      residual,
      ...(hiddenFsd ? { fsd: hiddenFsd } : {}),
    })
  ).loss;
  const rows = split.train;
  result.restricted_logit_loss_train = (
    await restrictedLogitLoss(engine, { labels: gatherRows(task.labels, 1, rows) as Int32Array }, p, {
      layer,
      keep,
      activations: gatherRows(hidden, config.model.d_mlp, rows) as Float32Array,
      residual: gatherRows(residual, config.model.d_model, rows) as Float32Array,
    })
  ).loss;
  return result;
}

const irrepCache = new Map<number, Irrep[]>();

function irrepsOf(n: number): Irrep[] {
  let irreps = irrepCache.get(n);
  if (!irreps) {
    irreps = symmetricIrreps(new SymmetricGroup(n));
    irrepCache.set(n, irreps);
  }
  return irreps;
}

/** FSD_gen (metrics.md "FSD_gen") of a group task's activations on the full grid. */
export function groupFsd(acts: Float32Array, units: number, task: Task): number | null {
  if (task.kind !== 'sym') return null;
  return groupFsdOf(acts, units, task.labels, irrepsOf(task.n)).fsd;
}

const basisCache = new Map<number, SpectralBasis>();

/** The spectral basis FSD_gen reads a group task's responses in (its null is drawn in the same basis). */
export function groupFsdBasis(task: Task): SpectralBasis {
  if (task.kind !== 'sym') throw new Error(`not a group task: ${task.kind}`);
  let basis = basisCache.get(task.n);
  if (!basis) {
    basis = groupBasis(irrepsOf(task.n));
    basisCache.set(task.n, basis);
  }
  return basis;
}
