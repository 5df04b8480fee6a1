/**
 * C14's measurement (shared/spec/claims.md "ablate"): full-grid accuracy of the main run at its grokking
 * checkpoint with each block's attention or MLP output zeroed. It needs an engine, so it is the one async
 * step of claim evaluation; its result is stored next to the run (runs/<id>/ablation.json) and exported with
 * the records, so `verify --records-only` evaluates C14 from committed data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Component, Engine } from '../engine/engine.js';
import { makeTask } from '../tasks/task.js';
import type { RunConfig } from '../schema/runConfig.js';
import { writeFileAtomic } from '../runs/atomic.js';

export const ABLATION_FILE = 'ablation.json';

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
export function measureAblation(engine: Engine, config: RunConfig, runId: string, step: number): AblationResult {
  const task = makeTask(config.task.kind, config.task.n);
  const request = { tokens: task.tokens, labels: task.labels };
  const baseline = engine.evaluate(request).accuracy;
  const zeroed: Partial<Record<ComponentName, number>> = {};
  for (const c of componentsOf(config)) zeroed[componentName(c)] = engine.evaluate({ ...request, zero: [c] }).accuracy;
  return { run_id: runId, step, baseline_accuracy: baseline, zeroed_accuracy: zeroed, engine: engine.description };
}

/** Drop in percentage points per component: 100 * (intact - zeroed). */
export function accuracyDrops(result: AblationResult): Partial<Record<ComponentName, number>> {
  const out: Partial<Record<ComponentName, number>> = {};
  for (const [name, acc] of Object.entries(result.zeroed_accuracy) as [ComponentName, number][]) out[name] = 100 * (result.baseline_accuracy - acc);
  return out;
}

export function readAblation(runDir: string): AblationResult | undefined {
  const file = join(runDir, ABLATION_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = AblationResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not an ablation result: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function writeAblation(runDir: string, result: AblationResult): void {
  writeFileAtomic(join(runDir, ABLATION_FILE), `${JSON.stringify(result, null, 2)}\n`);
}
