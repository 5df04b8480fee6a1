/**
 * The float mode of the native engine (native/engine_fpmode.h; `--denormals flush|keep`): a run that never
 * reaches the subnormal range gives the same bytes either way; one that does reaches it only with `keep`, and
 * with `flush` every thread of the engine flushes (so the thread count still does not change a bit); a run is
 * never resumed in another float mode than the one that trained it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DenormalMode } from '../engine/engine.js';
import type { Params } from '../model/params.js';
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '../schema/runConfig.js';
import { makeTempDir } from '../testing/tempDir.js';
import { openStore, ResumeRefusedError, trainRun } from './loop.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';

const FLT_MIN = 1.1754943508222875e-38;

/** Full-batch Z_7 with a d_model-8 model; `weight_decay` 30 drives parameters and Adam moments subnormal by step ~1000. */
function config(weightDecay: number, overrides: Partial<RunConfigInput> = {}): RunConfig {
  return RunConfigSchema.parse({
    task: { kind: 'mod_add', n: 7, train_frac: 0.5, split_seed: 1 },
    model: { vocab: 8, classes: 7, d_model: 8, n_heads: 2, d_mlp: 32, n_layers: 2, variant: 'standard' },
    optimizer: { lr: 3e-3, beta2: 0.98, weight_decay: weightDecay },
    batch_size: 64,
    init_seed: 1,
    batch_seed: 1,
    eval_every: 100,
    stop: { max_steps: 1200 },
    metrics: { permutations: 0 },
    ...overrides,
  });
}

async function train(c: RunConfig, denormals: DenormalMode, threads = 1) {
  const root = makeTempDir('gc-denormals-');
  const outcome = await trainRun({ measures: circuitSyncMeasures, config: c, storeRoot: root, engine: 'native', engineOptions: { threads, denormals } });
  const dir = openStore(root).paths(outcome.id).dir;
  return { root, outcome, dir, records: readFileSync(join(dir, 'records.jsonl'), 'utf8') };
}

/** Subnormal values in every kept checkpoint's parameters and Adam moments. */
function subnormalsInCheckpoints(root: string, id: string): number {
  const store = openStore(root);
  const count = (p: Params) => Object.values(p).reduce((n, a) => n + a.filter((x) => x !== 0 && Math.abs(x) < FLT_MIN).length, 0);
  return store.listCheckpoints(id).reduce((n, c) => {
    const s = store.readCheckpoint(id, c.step).state;
    return n + count(s.params) + count(s.adamM) + count(s.adamV);
  }, 0);
}

describe('denormals (flush-to-zero)', () => {
  it('a run that never reaches the subnormal range has byte-identical records and checkpoints under flush and keep', async () => {
    const c = config(1);
    const flush = await train(c, 'flush');
    const keep = await train(c, 'keep');
    expect(subnormalsInCheckpoints(keep.root, keep.outcome.id)).toBe(0);
    expect(flush.records).toBe(keep.records);
    const ckpts = (dir: string) => readdirSync(join(dir, 'checkpoints')).sort();
    expect(ckpts(flush.dir)).toEqual(ckpts(keep.dir));
    for (const f of ckpts(flush.dir)) expect(readFileSync(join(flush.dir, 'checkpoints', f)).equals(readFileSync(join(keep.dir, 'checkpoints', f)))).toBe(true);
    expect(flush.outcome.engine).toMatch(/denormals flushed\)$/);
    expect(keep.outcome.engine).toMatch(/denormals kept\)$/);
  });

  it('a strongly decayed run goes subnormal only with keep; flushing holds on every thread (1 and 3 threads give the same bytes)', async () => {
    const c = config(30);
    const keep = await train(c, 'keep');
    expect(subnormalsInCheckpoints(keep.root, keep.outcome.id)).toBeGreaterThan(0);
    const flush1 = await train(c, 'flush', 1);
    const flush3 = await train(c, 'flush', 3);
    expect(subnormalsInCheckpoints(flush1.root, flush1.outcome.id)).toBe(0);
    expect(subnormalsInCheckpoints(flush3.root, flush3.outcome.id)).toBe(0);
    expect(flush3.records).toBe(flush1.records);
  });

  it('refuses to resume a run in another float mode, and leaves it as it was', async () => {
    const root = makeTempDir('gc-denormals-resume-');
    const c = config(1);
    const first = await trainRun({ measures: circuitSyncMeasures, config: c, storeRoot: root, engine: 'native', engineOptions: { threads: 1, denormals: 'keep' }, stepBudget: 300 });
    expect(first.status).toBe('running');
    const store = openStore(root);
    const before = store.readStatus(first.id);
    expect(before).toMatchObject({ engine_kind: 'native', denormals: 'keep' });
    const resume = trainRun({ measures: circuitSyncMeasures, config: c, storeRoot: root, engine: 'native', engineOptions: { threads: 1, denormals: 'flush' } });
    await expect(resume).rejects.toThrow(ResumeRefusedError);
    await expect(trainRun({ measures: circuitSyncMeasures, config: c, storeRoot: root, engine: 'native', engineOptions: { denormals: 'flush' } })).rejects.toThrow(/--denormals keep/);
    expect(store.readStatus(first.id)).toEqual(before);
  });
});
