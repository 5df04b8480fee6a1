/**
 * Replays a PyTorch reference fixture (model.md "Reference fixtures") through an engine and reports how far
 * every quantity lands from PyTorch's: per-step losses, step-0 gradients, final parameters (or their
 * per-tensor sums), and the full-grid loss, accuracy, logits and block-0 activations.
 */
import { createEngine } from '../engine/create.js';
import type { AsyncEngine, EngineKind, EngineOptions } from '../engine/engine.js';
import type { SiteName } from '../schema/sites.js';
import { fixtureBatch, fixtureParams, type Fixture } from './fixtureFile.js';
import type { OptimizerConfig } from '../schema/model.js';
import { blockHasAttention, blockHasMlp, type Params } from '../model/params.js';
import { makeTask } from '../tasks/task.js';

/**
 * Agreement required for `ok`. Loss and parameter limits are the project's; the others are set from the
 * agreement measured with the native engine on the five committed fixtures (worst case in brackets), with
 * roughly 10-100x headroom for other machines and summation orders.
 */
export const REPLAY_TOLERANCES = {
  /** |loss - expected| / |expected| for every step's batch loss [1.1e-6]. */
  lossRel: 1e-4,
  /** Max |param - expected| over the final parameters, gauge parameters aside [5.3e-5, add11 at lr 1e-2]. */
  paramAbs: 1e-3,
  /**
   * final_summary (add97 fixture), gauge parameters aside: |sum - e| / sqrt(n * e_sumsq) (n times the RMS value,
   * the sum's natural scale, so sums near 0 are judged fairly) and |sumsq - e| / e [2.4e-7].
   */
  summaryRel: 1e-5,
  /** Step-0 gradients: max |g - e| over all entries, fixtures with full grad0 [1.5e-7]. */
  grad0Abs: 1e-5,
  /** Step-0 gradients: |norm - e| / e per tensor, gauge parameters aside, fixtures with grad0_norm [1.4e-6]. */
  grad0NormRel: 1e-4,
  /**
   * Max |a - e| over grid logits and block-0 activations after training [8.3e-5: add11-2l-standard after 40 steps
   * at lr 1e-2, where parameters already differ by 5e-5; 3.4e-7 where they differ by 1.5e-6]. Activations are O(1),
   * so this follows the parameter tolerance rather than float32 rounding.
   */
  activationAbs: 1e-3,
  /** Full-grid loss, relative [1.4e-7]. */
  gridLossRel: 1e-5,
  /** Full-grid accuracy, in examples: allows one argmax near-tie to resolve differently [0]. */
  gridAccExamples: 1,
} as const;

/**
 * Parameters the loss does not depend on: attn.b_K adds q . b_K to every score of a query, and softmax ignores
 * a shift shared by all scores. Their gradient is zero in exact arithmetic and rounding noise (~1e-10) in
 * float32, which AdamW's normalisation turns into updates of about lr * g / eps (~1e-4 per step on the add11
 * fixtures), different in every implementation. Their agreement is reported, never judged.
 */
export function isGaugeParam(name: string): boolean {
  return name.endsWith('.attn.b_K');
}

export type ActivationKey = 'grid_logits' | 'block0_mlp_hidden_last' | 'block0_attn_out_last';

export interface ReplayReport {
  name: string;
  engine: string;
  losses: number[];
  expected_losses: number[];
  max_rel_loss_err: number;
  grid_loss: number;
  expected_grid_loss: number;
  grid_loss_rel_err: number;
  grid_acc: number;
  expected_grid_acc: number;
  /** Max |param - expected| over the final parameters except gauge ones; null when the fixture has no `final`. */
  max_abs_param_err: number | null;
  /** The same for the gauge parameters (isGaugeParam), for information only. */
  max_abs_gauge_param_err: number | null;
  /** Worst final_summary error except gauge parameters (REPLAY_TOLERANCES.summaryRel); null without final_summary. */
  max_rel_summary_err: number | null;
  /** Max |grad - expected| at step 0 (all parameters); null when the fixture has no full grad0. */
  grad0_max_abs_err: number | null;
  /** Worst relative error of the step-0 gradient norms except gauge parameters; null without grad0_norm. */
  grad0_max_norm_rel_err: number | null;
  /** Max |value - expected| per activation array present in the fixture. */
  activation_max_abs_err: Partial<Record<ActivationKey, number>>;
  /** One line per check that failed its tolerance. */
  failures: string[];
  ok: boolean;
}

export interface ReplayOptions {
  engine?: EngineOptions;
}

export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    // NaN must count as a failure, and Math.max(NaN, ...) would hide nothing but `d > worst` would skip it.
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** Splits a per-parameter record into the judged and the gauge parameters. */
export function byGauge<T>(record: Record<string, T>, gauge: boolean): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => isGaugeParam(name) === gauge));
}

export function maxOverParams(params: Params, expected: Record<string, number[]>, f: (a: Float32Array, e: number[]) => number): number {
  let worst = 0;
  for (const [name, e] of Object.entries(expected)) {
    const a = params[name];
    worst = Math.max(worst, a ? f(a, e) : Infinity);
  }
  return worst;
}

export function summaryErr(params: Params, summary: Record<string, { sum: number; sumsq: number }>): number {
  let worst = 0;
  for (const [name, e] of Object.entries(summary)) {
    const a = params[name];
    if (!a) return Infinity;
    let sum = 0;
    let sumsq = 0;
    for (const x of a) {
      sum += x;
      sumsq += x * x;
    }
    const sumScale = Math.sqrt(a.length * e.sumsq);
    worst = Math.max(worst, Math.abs(sum - e.sum) / sumScale, relErr(sumsq, e.sumsq));
  }
  return worst;
}

export function gradNormErr(grads: Params, norms: Record<string, number>): number {
  let worst = 0;
  for (const [name, e] of Object.entries(norms)) {
    const g = grads[name];
    if (!g) return Infinity;
    let ss = 0;
    for (const x of g) ss += x * x;
    worst = Math.max(worst, relErr(Math.sqrt(ss), e));
  }
  return worst;
}

/** Runs the fixture from its init through its batches and optimiser, then evaluates its full grid. */
export async function replayFixture(fixture: Fixture, engineKind: EngineKind, options: ReplayOptions = {}): Promise<ReplayReport> {
  const { model, expected } = fixture;
  const optimizer: OptimizerConfig = { ...fixture.optimizer };
  const engine: AsyncEngine = await createEngine(engineKind, { model, optimizer, params: fixtureParams(fixture), options: options.engine });
  const tol = REPLAY_TOLERANCES;
  const failures: string[] = [];
  const check = (what: string, value: number | null, limit: number) => {
    if (value !== null && !(value <= limit)) failures.push(`${what}: ${value.toExponential(3)} > ${limit}`);
  };
  try {
    const first = fixtureBatch(fixture, 0);
    const grad0 = (await engine.gradients(first.tokens, first.labels)).grads;
    const grad0_max_abs_err = expected.grad0 ? maxOverParams(grad0, expected.grad0, maxAbsDiff) : null;
    const grad0_max_norm_rel_err = expected.grad0_norm ? gradNormErr(grad0, byGauge(expected.grad0_norm, false)) : null;

    const losses: number[] = [];
    for (let step = 0; step < fixture.batches.length; step++) {
      const { tokens, labels } = fixtureBatch(fixture, step);
      losses.push(await engine.trainStep(tokens, labels));
    }
    const max_rel_loss_err = Math.max(0, ...losses.map((l, i) => relErr(l, expected.loss[i])).map((e) => (Number.isNaN(e) ? Infinity : e)));
    const finalParams = (await engine.getState()).params;
    const max_abs_param_err = expected.final ? maxOverParams(finalParams, byGauge(expected.final, false), maxAbsDiff) : null;
    const max_abs_gauge_param_err = expected.final ? maxOverParams(finalParams, byGauge(expected.final, true), maxAbsDiff) : null;
    const max_rel_summary_err = expected.final_summary ? summaryErr(finalParams, byGauge(expected.final_summary, false)) : null;

    const task = makeTask(fixture.task.kind, fixture.task.n);
    const sites: [ActivationKey, SiteName][] = [];
    if (expected.block0_mlp_hidden_last && blockHasMlp(model)) sites.push(['block0_mlp_hidden_last', 'block0.mlp.post']);
    if (expected.block0_attn_out_last && blockHasAttention(model)) sites.push(['block0_attn_out_last', 'block0.attn.out']);
    const grid = await engine.evaluate({ tokens: task.tokens, labels: task.labels, logits: true, capture: sites.map(([, s]) => s) });
    const activation_max_abs_err: Partial<Record<ActivationKey, number>> = {};
    if (expected.grid_logits) activation_max_abs_err.grid_logits = maxAbsDiff(grid.logits!, expected.grid_logits);
    for (const [key, site] of sites) activation_max_abs_err[key] = maxAbsDiff(grid.captures[site]!, expected[key]!);
    const grid_loss_rel_err = relErr(grid.loss, expected.grid_loss);

    check('max relative loss error', max_rel_loss_err, tol.lossRel);
    check('max abs final-parameter error', max_abs_param_err, tol.paramAbs);
    check('max final_summary error', max_rel_summary_err, tol.summaryRel);
    check('max abs grad0 error', grad0_max_abs_err, tol.grad0Abs);
    check('max grad0 norm relative error', grad0_max_norm_rel_err, tol.grad0NormRel);
    for (const [key, err] of Object.entries(activation_max_abs_err)) check(`max abs ${key} error`, err, tol.activationAbs);
    check('grid loss relative error', grid_loss_rel_err, tol.gridLossRel);
    check('grid accuracy error (examples)', Math.abs(grid.accuracy - expected.grid_acc) * task.gridSize, tol.gridAccExamples + 1e-6);

    return {
      name: fixture.name,
      engine: engine.description,
      losses,
      expected_losses: expected.loss,
      max_rel_loss_err,
      grid_loss: grid.loss,
      expected_grid_loss: expected.grid_loss,
      grid_loss_rel_err,
      grid_acc: grid.accuracy,
      expected_grid_acc: expected.grid_acc,
      max_abs_param_err,
      max_abs_gauge_param_err,
      max_rel_summary_err,
      grad0_max_abs_err,
      grad0_max_norm_rel_err,
      activation_max_abs_err,
      failures,
      ok: failures.length === 0,
    };
  } finally {
    engine.dispose();
  }
}
