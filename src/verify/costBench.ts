/**
 * The cost model against a real run (a benchmark, never a timed test): estimates the paper profile's
 * main/p97/s42 run before training it (empty store: the prior expected stop, and with the run's true grokking
 * step, as the display does once it has grokked), trains it into a temporary store and compares.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineKind, EngineOptions } from '../engine/engine.js';
import type { AnyPaper } from '../paper/paper.js';
import { trainRun } from '../train/loop.js';
import { costOf, expectedLength, SecondsCalibration } from './costModel.js';

export interface CostModelFigures {
  run: string;
  estimated_s: { prior: number; knowing_grok: number };
  measured_s: number;
  ratio: { prior: number; knowing_grok: number };
  expected_stop: { prior: number; actual: number };
}

/** Times the root run `key` of the paper's own-scale profile and compares it with the cost model's estimates. */
export async function benchCostModel(paper: AnyPaper, key: string, engine: EngineKind, options: EngineOptions = {}): Promise<CostModelFigures> {
  const run = paper.profile(paper.defaultProfile).plan(() => undefined).runs.find((r: { key: string }) => r.key === key);
  if (!run) throw new Error(`${key} is not a root run of ${paper.id}'s ${paper.defaultProfile} profile`);
  const price = await new SecondsCalibration(engine, paper.checkpoint, options).price(run.config);
  const prior = expectedLength(run.config);
  const store = mkdtempSync(join(tmpdir(), 'grokcheck-cost-'));
  try {
    const out = await trainRun({ config: run.config, storeRoot: store, engine, engineOptions: options, measures: paper.checkpoint });
    const known = expectedLength(run.config, out.records.filter((r) => r.step === 0 || r.val_acc >= 0.95).slice(0, 2));
    const estimatePrior = costOf(run.config, prior, price, paper.checkpoint);
    const estimateKnown = costOf(run.config, { steps: known.stop }, price, paper.checkpoint);
    return {
      run: `${key} (${out.id}), stopped at ${out.records.at(-1)!.step}`,
      estimated_s: { prior: estimatePrior, knowing_grok: estimateKnown },
      measured_s: out.wall_s,
      ratio: { prior: estimatePrior / out.wall_s, knowing_grok: estimateKnown / out.wall_s },
      expected_stop: { prior: prior.stop, actual: out.records.at(-1)!.step },
    };
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}
