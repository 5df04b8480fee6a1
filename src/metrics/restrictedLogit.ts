/**
 * The restricted-logit loss (shared/spec/metrics.md, "Restricted-logit loss", the paper's "ExLoss" baseline):
 * take the last block's MLP hidden at the last position, compute phi_j and P_j(k) as for FSD, par(k) over
 * that block's units, keep the 7 frequencies of largest par (ties to the smaller k), replace every unit's
 * activation by its band-limited answer response
 *   act'_j(a, b) = mean_s phi_j(s) + sum_{kept k} [k-th Fourier component of phi_j](s = answer of (a, b)),
 * finish the forward pass from there and take the cross-entropy over the inputs given (the full grid is
 * canonical, metrics.md `baseline.inputs`; the training rows are the alternative).
 * Baseline sync = first checkpoint where it is < 0.5 nats (circuit-sync's events.ts).
 */
import type { AsyncEngine } from '../engine/engine.js';
import type { SiteName } from '../schema/sites.js';
import { blockHasMlp } from '../model/params.js';
import type { Activations } from './answerResponse.js';
import { fourierFsd, type FourierFsd, type FsdOptions } from './fsd.js';
import { foldRow, frequencyCount, tableProduct, unitCircle } from './spectralBasis.js';

export const DEFAULT_KEPT_FREQUENCIES = 7;

/** The `count` bins of largest value, ties to the smaller index, returned in ascending index order. */
export function topIndices(values: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  return order.slice(0, Math.min(count, values.length)).sort((a, b) => a - b);
}

export interface BandLimitedResponse {
  /** act'_j for every input row, [rows, units] row-major. */
  values: Float32Array;
  /** The kept frequencies k (1..K), ascending. */
  kept: number[];
}

/**
 * The band-limited answer response of every unit. With C_k = sum_s phi_j(s) cos(w_k s) and
 * S_k = sum_s phi_j(s) sin(w_k s) (phi_j mean-removed), the k-th real Fourier component of phi_j at s is
 * (2/p)(C_k cos(w_k s) + S_k sin(w_k s)) for 0 < k < p/2 and (1/p) C_k cos(pi s) at the Nyquist k = p/2.
 */
export function bandLimitedResponse(
  activations: Activations,
  units: number,
  answers: Int32Array,
  p: number,
  keep = DEFAULT_KEPT_FREQUENCIES,
  options: FsdOptions & { fsd?: FourierFsd } = {},
): BandLimitedResponse {
  // The caller may have computed this very FSD already (a checkpoint measures FSD at every site).
  const fsd = options.fsd ?? fourierFsd(activations, units, answers, p, options);
  const { basis, centred, response } = fsd;
  const kept = fsd.noSignal ? [] : topIndices(fsd.participation, keep).map((b) => basis.binLabels[b]);
  const K = frequencyCount(p);
  const H = Math.ceil(p / 2) - 1;
  const { cos, sin } = unitCircle(p);
  // band[s * units + j]: unit j's reconstructed response at answer s (answer-major, to copy whole rows).
  const band = new Float64Array(p * units);
  const z = new Float64Array(p);
  const coef = new Float64Array(basis.columns);
  for (let j = 0; j < units; j++) {
    let mean = 0;
    for (let s = 0; s < p; s++) mean += response.phi[j * p + s];
    mean /= p;
    foldRow(centred, j * p, basis, z);
    tableProduct(z, basis, coef);
    for (let s = 0; s < p; s++) {
      let v = mean;
      for (const k of kept) {
        const m = (k * s) % p;
        const C = coef[k - 1];
        v += k <= H ? (2 / p) * (C * cos[m] + coef[K + k - 1] * sin[m]) : (1 / p) * C * cos[m];
      }
      band[s * units + j] = v;
    }
  }
  const values = new Float32Array(answers.length * units);
  for (let r = 0; r < answers.length; r++) values.set(band.subarray(answers[r] * units, (answers[r] + 1) * units), r * units);
  return { values, kept };
}

export interface RestrictedLogitOptions extends FsdOptions {
  /** The block whose MLP hidden is replaced; default the last block (block 1, or block 0 for 1 layer). */
  layer?: number;
  /** Frequencies kept (metrics.md: 7). */
  keep?: number;
  /** That block's post-GELU MLP hidden on these inputs, when already captured (skips one evaluation). */
  activations?: Float32Array;
  /** The last block's `resid.mid` capture on these inputs: the override is then finished from it (evaluateTail). */
  residual?: Float32Array;
  /** fourierFsd of `activations` with the default options, when already computed. */
  fsd?: FourierFsd;
}

export interface RestrictedLogitResult {
  loss: number;
  accuracy: number;
  kept: number[];
  layer: number;
}

/**
 * The restricted-logit loss of `engine` on `inputs` (tokens [N*3], labels [N] = the answers s in 0..p-1 of a
 * Z_p task). Needs a model whose chosen block has an MLP. With the block's activations and, for the last block,
 * its `resid.mid` capture already at hand (`activations`, `residual`), the pass is finished from the block
 * (Engine.evaluateTail) instead of run again from the tokens: the same numbers at a fraction of the cost, and
 * no tokens are needed.
 */
export async function restrictedLogitLoss(
  engine: AsyncEngine,
  inputs: { tokens?: Int32Array; labels: Int32Array },
  p: number,
  options: RestrictedLogitOptions = {},
): Promise<RestrictedLogitResult> {
  const config = engine.config;
  const layer = options.layer ?? config.n_layers - 1;
  if (!blockHasMlp(config) || layer < 0 || layer >= config.n_layers)
    throw new RangeError(`the restricted-logit loss needs an MLP in block ${layer} (model: ${config.variant}, ${config.n_layers} layers)`);
  const site = `block${layer}.mlp.post` as SiteName;
  const units = config.d_mlp;
  const tokens = () => {
    if (!inputs.tokens) throw new Error('the restricted-logit loss needs the tokens unless both the activations and the residual are given');
    return inputs.tokens;
  };
  const activations = options.activations ?? (await engine.evaluate({ tokens: tokens(), labels: inputs.labels, capture: [site] })).captures[site];
  if (!activations) throw new Error(`the engine returned no capture for ${site}`);
  const band = bandLimitedResponse(activations, units, inputs.labels, p, options.keep ?? DEFAULT_KEPT_FREQUENCIES, options);
  if (options.residual && layer !== config.n_layers - 1)
    throw new RangeError(`a residual finishes only the last block (${config.n_layers - 1}), not block ${layer}`);
  const result = options.residual
    ? await engine.evaluateTail({ residual: options.residual, hidden: band.values, labels: inputs.labels })
    : await engine.evaluate({ tokens: tokens(), labels: inputs.labels, override: { layer, values: band.values } });
  return { loss: result.loss, accuracy: result.accuracy, kept: band.kept, layer };
}
