/**
 * The committed records say what their runs are (issue 27): no run's records go past the step its own stop rule
 * stops at (four forks once ran on to 8100, copied from a longer sibling, while their rule stopped them at
 * grokking + 500), and every file reads (its rows' checksum included).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODEL_SWITCH_DEFAULTS } from '../schema/model.js';
import { runIdOf, type RunConfig } from '../schema/runConfig.js';
import { stopStep } from '../train/loop.js';
import { readExportedRuns } from './recordsExport.js';
import { circuitSyncRecordLayout } from '../papers/circuit-sync/record.js';

const records = fileURLToPath(new URL('../../fixtures/records/', import.meta.url));

describe('committed records', () => {
  for (const set of readdirSync(records))
    it(`${set}: every run reads, and ends at the step its own stop rule stops at`, () => {
      const { runs, broken } = readExportedRuns(join(records, set), circuitSyncRecordLayout);
      expect([...broken.values()]).toEqual([]);
      const overrun = [...runs.values()].flatMap((run) => {
        const stop = stopStep(run.records, run.config);
        return stop !== null && stop < run.records.at(-1)!.step ? [`${run.id}: stops at ${stop}, records run to ${run.records.at(-1)!.step}`] : [];
      });
      expect(overrun).toEqual([]);
    }, 60_000);

  // Issue 28: the model switches came after these runs. A config that leaves them out, or spells out their
  // defaults, must still hash to the id the run was stored under.
  for (const set of readdirSync(records))
    it(`${set}: every run is still found under its id, with the model switches left out or spelled out at their defaults`, () => {
      const { runs } = readExportedRuns(join(records, set), circuitSyncRecordLayout);
      const spelledOut = (config: RunConfig): RunConfig => ({
        ...config,
        model: { ...config.model, ...MODEL_SWITCH_DEFAULTS },
        optimizer: { ...config.optimizer, warmup_steps: 0 },
      });
      const moved = [...runs.values()].flatMap((run) =>
        runIdOf(run.config) === run.id && runIdOf(spelledOut(run.config)) === run.id ? [] : [run.id],
      );
      expect(runs.size).toBeGreaterThan(0);
      expect(moved).toEqual([]);
    }, 60_000);
});
