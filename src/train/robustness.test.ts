/**
 * What a run does with damaged or unusual state (issue "Bad input, interrupted runs and the run store"): records
 * out of range or missing are refused naming the file and line; a corrupt newest checkpoint is skipped and the
 * run resumes from an older one with identical records; an error keeps what was known of the run; the final
 * step is always recorded; a run can be extended to a higher cap; a configuration too large for the machine is
 * refused before anything is allocated.
 */
import { mainRunConfig, smallProfile } from '../papers/circuit-sync/profiles.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paperModel } from '../schema/model.js';
import { ConfigError } from '../schema/parse.js';
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '../schema/runConfig.js';
import { makeTempDir } from '../testing/tempDir.js';
import { openStore, readRunRecords, trainRun } from './loop.js';
import { checkMemory } from './memory.js';
import { checkpointMemory, circuitSyncMeasures } from '../papers/circuit-sync/measure.js';

function tiny(overrides: Partial<RunConfigInput> = {}): RunConfig {
  return RunConfigSchema.parse({
    task: { kind: 'mod_add', n: 7, train_frac: 0.5, split_seed: 1 },
    model: { vocab: 8, classes: 7, d_model: 8, n_heads: 2, d_mlp: 16, n_layers: 2, variant: 'standard' },
    optimizer: { lr: 3e-3 },
    batch_size: 16,
    init_seed: 1,
    batch_seed: 1,
    eval_every: 50,
    stop: { max_steps: 400 },
    metrics: { permutations: 10 },
    ...overrides,
  });
}

const train = (root: string, config: RunConfig, extra: { stepBudget?: number; notices?: string[] } = {}) =>
  trainRun({
      measures: circuitSyncMeasures,
    config,
    storeRoot: root,
    engine: 'native',
    engineOptions: { threads: 1 },
    ...(extra.stepBudget === undefined ? {} : { stepBudget: extra.stepBudget }),
    progress: { step() {}, checkpoint() {}, notice: (m) => extra.notices?.push(m) },
  });

const recordsFile = (root: string, id: string) => openStore(root).paths(id).records;

async function reference(config: RunConfig): Promise<string> {
  const root = makeTempDir('gc-robust-ref-');
  const out = await train(root, config);
  return readFileSync(recordsFile(root, out.id), 'utf8');
}

describe('records are checked on every read', () => {
  it('refuses a value out of range and a missing middle record, naming the file and line', async () => {
    const root = makeTempDir('gc-robust-');
    const config = tiny();
    const out = await train(root, config);
    const file = recordsFile(root, out.id);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const store = openStore(root);

    const edited = [...lines];
    edited[2] = edited[2].replace(/"val_acc":[0-9.e-]+/, '"val_acc":5');
    writeFileSync(file, `${edited.join('\n')}\n`);
    expect(() => readRunRecords(store, out.id, config, circuitSyncMeasures.record)).toThrow(/records\.jsonl:3: .*val_acc: an accuracy must lie in \[0, 1\], got 5/s);

    const gap = [...lines];
    gap.splice(3, 1);
    writeFileSync(file, `${gap.join('\n')}\n`);
    expect(() => readRunRecords(store, out.id, config, circuitSyncMeasures.record)).toThrow(/records\.jsonl:4: step 200 follows step 100: the record of step 150 is missing/);
  });

  it('after a corrupt-record error the status keeps its step, wall time and engine', async () => {
    const root = makeTempDir('gc-robust-');
    const config = tiny();
    const first = await train(root, config, { stepBudget: 200 });
    const store = openStore(root);
    const before = store.readStatus(first.id)!;
    expect(before).toMatchObject({ state: 'running', step: 200 });
    const file = recordsFile(root, first.id);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"train_acc":[0-9.e-]+/, '"train_acc":-1'));
    await expect(train(root, config)).rejects.toThrow(/train_acc/);
    const after = store.readStatus(first.id)!;
    expect(after.state).toBe('failed');
    expect(after.message).toMatch(/records\.jsonl:1/);
    expect({ step: after.step, wall_s: after.wall_s, engine: after.engine }).toEqual({ step: before.step, wall_s: before.wall_s, engine: before.engine });
  });
});

describe('resuming and extending', () => {
  it('a corrupt newest checkpoint is skipped: the run resumes from an older one, drops the later records, and ends identical', async () => {
    const config = tiny();
    const ref = await reference(config);
    const root = makeTempDir('gc-robust-');
    const first = await train(root, config, { stepBudget: 300 });
    const store = openStore(root);
    const newest = store.listCheckpoints(first.id).at(-1)!;
    expect(newest.step).toBe(300);
    const ckpt = join(store.paths(first.id).checkpoints, readdirSync(store.paths(first.id).checkpoints).find((f) => f.includes('300'))!);
    const bytes = readFileSync(ckpt);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(ckpt, bytes);
    const notices: string[] = [];
    const done = await train(root, config, { notices });
    expect(done.status).toBe('complete');
    expect(notices.join('\n')).toMatch(/skipped unreadable checkpoint/);
    expect(notices.join('\n')).toMatch(/dropped \d+ record\(s\) after step \d+ \(the newest valid checkpoint\)/);
    expect(readFileSync(recordsFile(root, done.id), 'utf8')).toBe(ref);
  });

  it('records and checkpoints the final step when the cap is off the eval grid', async () => {
    const root = makeTempDir('gc-robust-');
    const out = await train(root, tiny({ stop: { max_steps: 130 } }));
    expect(out.records.map((r) => r.step)).toEqual([0, 50, 100, 130]);
    expect(openStore(root).listCheckpoints(out.id).map((c) => c.step)).toContain(130);
  });

  it('a higher cap extends a run from where it stopped, with the records of a run trained to that cap in one go', async () => {
    const ref = await reference(tiny({ stop: { max_steps: 400 } }));
    const root = makeTempDir('gc-robust-');
    // Off the grid first (its final record at 130 is no record of the longer run), then on it.
    await train(root, tiny({ stop: { max_steps: 130 } }));
    const notices: string[] = [];
    const mid = await train(root, tiny({ stop: { max_steps: 250 } }), { notices });
    expect(notices.join('\n')).toMatch(/extending run [0-9a-f]{16} \(cap 130\) as run [0-9a-f]{16} \(cap 250\): copied its records and checkpoints up to step 130/);
    expect(mid.records.map((r) => r.step)).toEqual([0, 50, 100, 150, 200, 250]);
    const longer = await train(root, tiny({ stop: { max_steps: 400 } }), { notices });
    expect(notices.join('\n')).toMatch(/\(cap 250\) as run .* up to step 250/);
    expect(readFileSync(recordsFile(root, longer.id), 'utf8')).toBe(ref);
  });
});

describe('seeding from a sibling that ran further', () => {
  // Its stop falls between the sibling's kept checkpoints (grok 1100 + 100), or on one (grok 1100 + 900 = 2000, a
  // multiple of 1000): there the copied records already end at the stop, and the run must stop without training.
  for (const afterGrok of [100, 900])
    it(`a run seeded from a longer sibling ends at its own stop, with the records of the run trained alone (grok + ${afterGrok})`, { timeout: 120_000 }, async () => {
      // A run that stops on its own rule (grokking + N) early: seeded from a sibling with the same trajectory that
      // ran on to its cap, it must not keep the sibling's records past its own stop (issue 27).
      // The small profile's p = 31 run groks at step 1100 in a few seconds; without permutations to keep it quick.
      const base = mainRunConfig(smallProfile, 31, 42);
      const withStop = (stop: RunConfig['stop']) => RunConfigSchema.parse({ ...base, stop, metrics: { ...base.metrics, permutations: 0 } });
      const own = withStop({ max_steps: 2500, after_grok: afterGrok });
      const ref = await reference(own);
      const refSteps = ref.trim().split('\n').map((l) => JSON.parse(l).step as number);
      expect(refSteps.at(-1)).toBeLessThan(2500);
      const root = makeTempDir('gc-robust-');
      await train(root, withStop({ max_steps: 2500 }));
      const notices: string[] = [];
      const seeded = await train(root, own, { notices });
      expect(notices.join('\n')).toMatch(/extending run [0-9a-f]{16} \(cap 2500\) as run/);
      expect(seeded.records.at(-1)!.step).toBe(refSteps.at(-1));
      expect(readFileSync(recordsFile(root, seeded.id), 'utf8')).toBe(ref);
    });
});

describe('memory', () => {
  it('refuses a grid that does not fit the available memory, with the estimate, before allocating', () => {
    const big = RunConfigSchema.parse({
      task: { kind: 'mod_add', n: 997, train_frac: 0.3, split_seed: 1 },
      model: paperModel(997),
      optimizer: {},
      init_seed: 1,
      batch_seed: 1,
      stop: { max_steps: 1 },
    });
    expect(checkpointMemory(big).gridRows).toBe(997 * 997);
    expect(() => checkMemory(big, circuitSyncMeasures, 24 * 2 ** 30)).toThrow(ConfigError);
    expect(() => checkMemory(big, circuitSyncMeasures, 24 * 2 ** 30)).toThrow(/p = 997 needs about \d+\.\d GiB .* this machine has 24\.0 GiB available/);
    // The paper's largest prime fits a small machine.
    expect(checkMemory({ ...big, task: { ...big.task, n: 131 }, model: paperModel(131) }, circuitSyncMeasures, 4 * 2 ** 30).bytes).toBeLessThan(1 * 2 ** 30);
  });
});
