/**
 * C14's measurement (shared/spec/claims.md "ablate"): full-grid accuracy of the reference main run at its
 * canonical grokking checkpoint with each block's attention or MLP output zeroed. It needs an engine, so it is
 * a Measurement (src/paper/paper.ts): the verify pipeline makes it once the run is trained, stores it next to
 * the run (runs/<id>/ablation.json) and exports it with the records, so `verify --records-only` evaluates C14
 * from committed data.
 */
import { z } from 'zod';
import type { AsyncEngine, Component } from '../../engine/engine.js';
import type { Measurement } from '../../paper/paper.js';
import type { RunConfig } from '../../schema/runConfig.js';
import { makeTask } from '../../tasks/task.js';
import { CANONICAL_OPTIONS } from './options.js';
import { mainKey } from './roles.js';
import { runEvents } from './runEvents.js';
import type { CircuitProfile } from './runSet.js';
import type { RunRole } from './roles.js';
import type { CircuitSyncRecord } from './record.js';

/** The measurement's name: its key in a run's measurements and its file, ablation.json. */
export const ABLATION = 'ablation';

export const ComponentNameSchema = z.enum(['block0.attn', 'block0.mlp', 'block1.attn', 'block1.mlp']);
export type ComponentName = z.infer<typeof ComponentNameSchema>;

export const AblationResultSchema = z
  .object({
    run_id: z.string(),
    /** The checkpoint ablated: the canonical grokking step. */
    step: z.number().int().min(0),
    /** Full-grid accuracy of the intact model. */
    baseline_accuracy: z.number(),
    /** Full-grid accuracy with one component's output zeroed (only components the model has). */
    zeroed_accuracy: z.partialRecord(ComponentNameSchema, z.number()),
    engine: z.string(),
  })
  .strict();
export type AblationResult = z.infer<typeof AblationResultSchema>;

export function componentName(c: Component): ComponentName {
  return `block${c.layer}.${c.kind}` as ComponentName;
}

/** The components a model of `config` has (model.md variants). */
export function componentsOf(config: RunConfig): Component[] {
  const out: Component[] = [];
  for (let layer = 0; layer < config.model.n_layers; layer++) {
    if (config.model.variant !== 'mlp_only') out.push({ layer, kind: 'attn' });
    if (config.model.variant !== 'attn_only') out.push({ layer, kind: 'mlp' });
  }
  return out;
}

/** Evaluates the full grid intact and with each component zeroed. The engine must hold the checkpoint's state. */
export async function measureAblation(engine: AsyncEngine, config: RunConfig, runId: string, step: number): Promise<AblationResult> {
  const task = makeTask(config.task.kind, config.task.n);
  const request = { tokens: task.tokens, labels: task.labels };
  const baseline = (await engine.evaluate(request)).accuracy;
  const zeroed: Partial<Record<ComponentName, number>> = {};
  for (const c of componentsOf(config)) zeroed[componentName(c)] = (await engine.evaluate({ ...request, zero: [c] })).accuracy;
  return { run_id: runId, step, baseline_accuracy: baseline, zeroed_accuracy: zeroed, engine: engine.description };
}

/** Drop in percentage points per component: 100 * (intact - zeroed). */
export function accuracyDrops(result: AblationResult): Partial<Record<ComponentName, number>> {
  const out: Partial<Record<ComponentName, number>> = {};
  for (const [name, acc] of Object.entries(result.zeroed_accuracy) as [ComponentName, number][]) out[name] = 100 * (result.baseline_accuracy - acc);
  return out;
}

/** The ablation as the verify pipeline makes it: on the reference run, at its canonical grokking step. */
export const ablationMeasurement: Measurement<RunRole, CircuitProfile, CircuitSyncRecord> = {
  name: ABLATION,
  schema: AblationResultSchema,
  targets(set) {
    const ref = set.profile.spec.reference;
    const key = mainKey(ref.p, ref.seed);
    const run = set.runs.get(key);
    if (!run || run.state !== 'complete') return [];
    const grok = runEvents(run.records, run.config, CANONICAL_OPTIONS, set.profile.coarseStep).grok;
    return grok === null ? [] : [{ key, step: grok }];
  },
  isCurrent(stored, runId, step) {
    const parsed = AblationResultSchema.safeParse(stored);
    return parsed.success && parsed.data.run_id === runId && parsed.data.step === step;
  },
  measure(engine, run, step) {
    return measureAblation(engine, run.config, run.id, step);
  },
};
