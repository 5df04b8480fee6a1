/**
 * The committed records say what their runs are (issue 27): no run's records go past the step its own stop rule
 * stops at (four forks once ran on to 8100, copied from a longer sibling, while their rule stopped them at
 * grokking + 500), and every file reads (its rows' checksum included).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODEL_SWITCH_DEFAULTS } from '../schema/model.js';
import { runIdOf, type RunConfig } from '../schema/runConfig.js';
import { stopStep } from '../train/loop.js';
import { readExportedRuns } from './recordsExport.js';
import { DEFAULT_PAPER, PAPERS } from '../papers/index.js';

const records = fileURLToPath(new URL('../../fixtures/records/', import.meta.url));
const otherPapers = PAPERS.filter((p) => p !== DEFAULT_PAPER).map((p) => p.id);

/** Every folder of committed records, with the paper whose layout reads it: the default paper's at the top, another's under its id. */
const SETS = [
  ...readdirSync(records).filter((d) => !otherPapers.includes(d)).map((set) => ({ name: set, dir: join(records, set), paper: DEFAULT_PAPER })),
  ...PAPERS.filter((p) => p !== DEFAULT_PAPER).flatMap((paper) =>
    existsSync(join(records, paper.id)) ? readdirSync(join(records, paper.id)).map((set) => ({ name: `${paper.id}/${set}`, dir: join(records, paper.id, set), paper })) : [],
  ),
];

describe('committed records', () => {
  it('are found for both papers', () => {
    expect(SETS.map((s) => s.name)).toEqual(expect.arrayContaining(['paper', 'small', 'progress-measures/small']));
  });

  for (const { name: set, dir, paper } of SETS)
    it(`${set}: every run reads, and ends at the step its own stop rule stops at`, () => {
      const { runs, broken } = readExportedRuns(dir, paper.checkpoint.record);
      expect(runs.size).toBeGreaterThan(0);
      expect([...broken.values()]).toEqual([]);
      const overrun = [...runs.values()].flatMap((run) => {
        const stop = stopStep(run.records, run.config);
        return stop !== null && stop < run.records.at(-1)!.step ? [`${run.id}: stops at ${stop}, records run to ${run.records.at(-1)!.step}`] : [];
      });
      expect(overrun).toEqual([]);
    }, 60_000);

  // Issue 28: the model switches came after the default paper's runs. A config that leaves them out, or spells
  // out their defaults, must still hash to the id the run was stored under.
  for (const { name: set, dir, paper } of SETS.filter((s) => s.paper === DEFAULT_PAPER))
    it(`${set}: every run is still found under its id, with the model switches left out or spelled out at their defaults`, () => {
      const { runs } = readExportedRuns(dir, paper.checkpoint.record);
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
