import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelConfigSchema, OptimizerConfigSchema } from '../schema/model.js';
import { TaskConfigSchema } from '../schema/task.js';
import { initParams } from '../model/params.js';
import type { TrainingState } from '../engine/engine.js';
import { contentAddress } from '../schema/canonical.js';
import { LockHeldError, RecordsError, RunStore, RunStoreError, type RunStatus } from './store.js';
import { readCheckpoint } from './checkpoint.js';
import { spawnNode, transpileForChild } from './testing/childProcesses.js';
import { makeTempDir } from '../testing/tempDir.js';

const TestRunConfigSchema = z
  .object({
    task: TaskConfigSchema,
    model: ModelConfigSchema,
    optimizer: OptimizerConfigSchema,
    batch_seed: z.number().int().min(0),
    fork: z.object({ parent: z.string(), step: z.number().int().min(0) }).strict().optional(),
  })
  .strict();

const model = { vocab: 8, classes: 7, d_model: 8, n_heads: 2, d_mlp: 16, n_layers: 1, variant: 'standard' as const };
function runConfig(batchSeed: number) {
  return { task: { kind: 'mod_add', n: 7, train_frac: 0.3, split_seed: 1 }, model, optimizer: {}, batch_seed: batchSeed };
}

const RecordSchema = z.object({ step: z.number().int().min(0), loss: z.number() }).strict();

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function state(step: number): TrainingState {
  const params = initParams(model, step + 1);
  const scaled = (k: number) => Object.fromEntries(Object.entries(params).map(([n, p]) => [n, p.map((v) => v * k)]));
  return { params, adamM: scaled(0.5), adamV: scaled(0.25), step };
}

let root: string;
let store: RunStore<z.infer<typeof TestRunConfigSchema>>;
beforeEach(() => {
  root = makeTempDir('grokcheck-store-');
  store = new RunStore({ root, configSchema: TestRunConfigSchema, summarize: (c) => `mod_add p=${c.task.n} batch_seed=${c.batch_seed}` });
});

describe('run identity', () => {
  it('hashes the validated config: defaults and key order do not matter, every field does', () => {
    const a = store.identify(runConfig(1));
    const spelledOut = {
      batch_seed: 1,
      optimizer: { weight_decay: 1, eps: 1e-8, beta2: 0.999, beta1: 0.9, lr: 1e-3, kind: 'adamw' },
      model: { ...model },
      task: { split_seed: 1, train_frac: 0.3, n: 7, kind: 'mod_add' },
    };
    expect(store.identify(spelledOut)).toEqual(a);
    expect(a.id).toBe(a.hash.slice(0, 16));
    expect(a.hash).toBe(contentAddress(a.config).hash);
    expect(store.identify(runConfig(2)).id).not.toBe(a.id);
    expect(store.identify({ ...runConfig(1), optimizer: { weight_decay: 2 } }).id).not.toBe(a.id);
    expect(store.identify({ ...runConfig(1), fork: { parent: a.id, step: 1200 } }).id).not.toBe(a.id);
    const error = thrownBy(() => store.identify({ ...runConfig(1), task: { ...runConfig(1).task, n: 1 } }));
    expect(error).toBeInstanceOf(RunStoreError);
    expect((error as Error).message).toMatch(/config\.task\.n/);
  });

  it('creates the run folder with config.json holding the full hash, and recognises it again', () => {
    const created = store.ensureRun(runConfig(1));
    expect(created.created).toBe(true);
    const paths = store.paths(created.id);
    expect(paths.dir).toBe(join(root, created.id));
    expect(JSON.parse(readFileSync(paths.config, 'utf8'))).toEqual({ hash: created.hash, config: created.config });
    expect(existsSync(paths.checkpoints)).toBe(true);
    expect(store.ensureRun(runConfig(1)).created).toBe(false);
    expect(store.readConfig(created.id)).toEqual({ id: created.id, hash: created.hash, config: created.config });
  });

  it('refuses a config.json that was edited, fails the schema or sits in the wrong folder', () => {
    const { id } = store.ensureRun(runConfig(1));
    const file = store.paths(id).config;
    const original = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...original, config: { ...original.config, batch_seed: 7 } }));
    expect((thrownBy(() => store.readConfig(id)) as Error).message).toMatch(/hashes to [0-9a-f]{64}, but the file says/);
    expect(() => store.ensureRun(runConfig(1))).toThrow(RunStoreError);
    writeFileSync(file, JSON.stringify({ ...original, config: { ...original.config, batch_seed: -1 } }));
    expect((thrownBy(() => store.readConfig(id)) as Error).message).toMatch(/fails the schema:\nconfig\.batch_seed/);
    writeFileSync(file, '{"hash": "abc"');
    expect((thrownBy(() => store.readConfig(id)) as Error).message).toMatch(/cannot read/);
    expect(() => store.paths('not-an-id')).toThrow(RunStoreError);
  });
});

describe('run writer', () => {
  it('holds the run lock until closed', () => {
    const writer = store.openWriter(runConfig(1));
    expect(existsSync(writer.paths.lock)).toBe(true);
    const error = thrownBy(() => store.openWriter(runConfig(1)));
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    writer.close();
    expect(existsSync(writer.paths.lock)).toBe(false);
    expect(() => writer.appendRecord({ step: 0 })).toThrow(/writer is closed/);
    store.openWriter(runConfig(1)).close();
  });

  it('removes temporary files of a killed writer and says so', () => {
    const { id } = store.ensureRun(runConfig(1));
    const stray = join(store.paths(id).checkpoints, '.step-000000100.ckpt.tmp-999-beef');
    writeFileSync(stray, 'partial');
    const writer = store.openWriter(runConfig(1));
    expect(existsSync(stray)).toBe(false);
    expect(writer.notices.join('\n')).toMatch(/removed 1 temporary file.*\.step-000000100\.ckpt\.tmp-999-beef/);
    writer.close();
  });

  it('appends records with increasing steps and resumes after a truncated tail', () => {
    const writer = store.openWriter(runConfig(1));
    writer.appendRecord({ step: 0, loss: 4.5 } as z.infer<typeof RecordSchema>);
    writer.appendRecord({ step: 100, loss: 2.25 } as z.infer<typeof RecordSchema>);
    expect(thrownBy(() => writer.appendRecord({ step: 100 }))).toBeInstanceOf(RecordsError);
    writer.close();

    appendFileSync(store.paths(writer.id).records, '{"loss":1.1,"st');
    expect(() => store.readRecords(writer.id, RecordSchema)).toThrow(/records\.jsonl:3: incomplete final line/);
    const resumed = store.openWriter(runConfig(1));
    expect(() => resumed.appendRecord({ step: 200 })).toThrow(/records\.jsonl:3: incomplete final line/);
    const read = resumed.readRecords(RecordSchema, { repairTruncatedTail: true });
    expect(read.records.map((r) => r.step)).toEqual([0, 100]);
    expect(read.droppedTail?.line).toBe(3);
    expect(() => resumed.appendRecord({ step: 50 })).toThrow(/cannot append step 50: the last record is step 100/);
    resumed.appendRecord({ step: 200, loss: 1.1 } as z.infer<typeof RecordSchema>);
    resumed.close();
    expect(store.readRecords(writer.id, RecordSchema)).toEqual([
      { step: 0, loss: 4.5 },
      { step: 100, loss: 2.25 },
      { step: 200, loss: 1.1 },
    ]);
  });

  it('writes status transitions atomically and refuses invalid ones', () => {
    const writer = store.openWriter(runConfig(1));
    const running = writer.setStatus({ state: 'running', step: 0, engine: 'native (C++ N-API, 2 threads)' }, new Date('2026-01-02T03:04:05Z'));
    expect(running).toEqual({ state: 'running', step: 0, engine: 'native (C++ N-API, 2 threads)', updated: '2026-01-02T03:04:05.000Z' });
    expect(store.readStatus(writer.id)).toEqual(running);
    const done = writer.setStatus({ state: 'complete', step: 6000, wall_s: 151.5 });
    expect(store.readStatus(writer.id)).toEqual(done);
    expect(() => writer.setStatus({ state: 'paused' as RunStatus['state'], step: 1 })).toThrow(/refusing to write an invalid status/);
    expect(store.readStatus(writer.id)).toEqual(done);
    writer.close();
    expect(readdirSync(writer.paths.dir).sort()).toEqual(['checkpoints', 'config.json', 'status.json']);
    writeFileSync(writer.paths.status, '{"state": "running"');
    expect(() => store.readStatus(writer.id)).toThrow(/status\.json: not valid JSON/);
  });

  it('stores checkpoints for resume and forks, pruning by the caller policy', () => {
    const writer = store.openWriter(runConfig(1));
    for (const step of [100, 200, 300]) writer.writeCheckpoint(state(step), { cursor: step });
    expect(writer.pruneCheckpoints((steps) => steps.filter((s) => s === 100)).removed).toEqual([200]);
    writer.close();
    const loaded = store.readCheckpoint(writer.id, 100);
    expect(loaded.sidecar).toEqual({ cursor: 100 });
    expect(new Uint32Array(loaded.state.adamV['embed.W_E'].buffer)).toEqual(new Uint32Array(state(100).adamV['embed.W_E'].buffer));
    expect(store.loadLatestCheckpoint(writer.id, { atOrBefore: 250 }).found?.state.step).toBe(100);
    expect(store.listCheckpoints(writer.id).map((c) => c.step)).toEqual([100, 300]);
    expect(() => store.readCheckpoint(writer.id, 200)).toThrow(/cannot read/);
  });
});

describe('listing and lookup', () => {
  it('lists runs with summary, status, live lock holder and problems', () => {
    const done = store.openWriter(runConfig(1));
    done.setStatus({ state: 'complete', step: 500 });
    done.close();
    const live = store.openWriter(runConfig(2));
    const broken = store.ensureRun(runConfig(3));
    writeFileSync(store.paths(broken.id).config, 'garbage');

    const listed = new Map(store.list().map((r) => [r.id, r]));
    expect(listed.size).toBe(3);
    expect(listed.get(done.id)).toMatchObject({ summary: 'mod_add p=7 batch_seed=1', status: { state: 'complete', step: 500 }, lock: { state: 'free' }, problems: [] });
    expect(listed.get(live.id)).toMatchObject({ status: null, lock: { state: 'held', alive: true, holder: { pid: process.pid } }, problems: [] });
    expect(listed.get(broken.id)).toMatchObject({ identity: null, summary: null });
    expect(listed.get(broken.id)!.problems[0]).toMatch(/config\.json: cannot read/);
    live.close();
  });

  it('finds a run by unique id prefix and lists the candidates of an ambiguous one', () => {
    // 17 runs: by pigeonhole, at least two share their first hex digit.
    const ids = Array.from({ length: 17 }, (_, seed) => store.ensureRun(runConfig(seed)).id);
    for (const id of ids) {
      expect(store.find(id)).toBe(id);
      expect(store.find(id.slice(0, 12).toUpperCase())).toBe(id);
    }
    const digit = [...'0123456789abcdef'].find((d) => ids.filter((id) => id.startsWith(d)).length >= 2)!;
    const candidates = ids.filter((id) => id.startsWith(digit));
    const error = thrownBy(() => store.find(digit)) as Error;
    expect(error).toBeInstanceOf(RunStoreError);
    expect(error.message).toContain(`matches ${candidates.length} runs`);
    for (const id of candidates) expect(error.message).toMatch(new RegExp(`${id}  mod_add p=7 batch_seed=\\d+`));
    const unused = [...'0123456789abcdef'].flatMap((d) => [...'0123456789abcdef'].map((e) => d + e)).find((p) => !ids.some((id) => id.startsWith(p)))!;
    expect(() => store.find(unused)).toThrow(/no run id starts with/);
    expect(() => store.find('xyz')).toThrow(/not a run id prefix/);
  });

  it('lists nothing for a root that does not exist yet', () => {
    expect(new RunStore({ root: join(root, 'absent'), configSchema: TestRunConfigSchema }).list()).toEqual([]);
  });
});

describe('kill -9 at random moments', () => {
  let childDir: string;
  let trainerScript: string;

  beforeAll(() => {
    childDir = makeTempDir('grokcheck-store-child-');
    const storeModule = transpileForChild('src/runs/store.ts', childDir);
    trainerScript = join(childDir, 'trainer.mjs');
    // A stand-in for the training loop: deterministic "training" of a 3 x 256k-value state, one record and one
    // checkpoint per step, resumed from the latest checkpoint after a kill, as the real loop must.
    writeFileSync(
      trainerScript,
      `import { z } from 'zod';
const { RunStore, keepLatestAnd } = await import(${JSON.stringify(storeModule)});
const [root, seed, total] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));
const store = new RunStore({ root, configSchema: z.object({ seed: z.number(), total: z.number() }).strict() });
const writer = store.openWriter({ seed, total });
for (const notice of writer.notices) console.log('NOTICE ' + notice);
const Record = z.object({ step: z.number(), sum: z.number(), first: z.number() }).strict();
const { records, droppedTail } = writer.readRecords(Record, { repairTruncatedTail: true });
if (droppedTail) console.log('DROPPED ' + droppedTail.notice);
const lastRecord = records.length > 0 ? records[records.length - 1].step : -1;
const latest = writer.loadLatestCheckpoint({ sidecarSchema: z.object({ next: z.number() }) });
if (latest.skipped.length > 0) throw new Error('corrupt checkpoint: ' + latest.skipped[0].problem);
const n = 1 << 18;
let s;
if (latest.found) s = latest.found.state;
else {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = Math.sin(seed + i);
  s = { params: { w }, adamM: { w: new Float32Array(n) }, adamV: { w: new Float32Array(n) }, step: 0 };
}
console.log('RESUME ' + s.step);
writer.setStatus({ state: 'running', step: s.step });
while (s.step < total) {
  const { w } = s.params, m = s.adamM.w, v = s.adamV.w;
  for (let i = 0; i < n; i++) {
    const g = Math.fround(w[i] * 0.01 + Math.cos(s.step + i));
    m[i] = 0.9 * m[i] + 0.1 * g;
    v[i] = 0.999 * v[i] + 0.001 * g * g;
    w[i] -= 0.01 * m[i] / (Math.sqrt(v[i]) + 1e-8);
  }
  s.step += 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i];
  if (s.step > lastRecord) writer.appendRecord({ step: s.step, sum, first: w[0] });
  writer.writeCheckpoint(s, { next: s.step + 1 });
  writer.pruneCheckpoints(keepLatestAnd({ latest: 1, steps: [5] }));
  console.log('STEP ' + s.step);
}
writer.setStatus({ state: 'complete', step: total });
writer.close();
console.log('DONE');
`,
    );
  });

  it('resumes to records identical to an uninterrupted run, with every checkpoint on disk valid', async () => {
    const total = 30;
    const configSchema = z.object({ seed: z.number(), total: z.number() }).strict();
    const reference = new RunStore({ root: join(root, 'reference'), configSchema });
    const clean = spawnNode(trainerScript, [reference.root, '3', String(total)]);
    await clean.waitForLine(/^STEP 1$/, 60_000);
    const firstStepAt = Date.now();
    await clean.waitForLine(/^DONE$/, 60_000);
    // Kill delays spread over a whole step, so kills land in the computation, the appends and the writes alike.
    const stepMs = Math.max(1, Math.round((Date.now() - firstStepAt) / (total - 1)));

    const killed = new RunStore({ root: join(root, 'killed'), configSchema });
    const id = killed.identify({ seed: 3, total }).id;
    let rng = 12345;
    const random = (k: number) => ((rng = (rng * 1103515245 + 12345) % 2 ** 31), rng % k);
    const tookOver: boolean[] = [];
    for (let kill = 0; ; kill++) {
      const child = spawnNode(trainerScript, [killed.root, '3', String(total)]);
      const resume = Number((await child.waitForLine(/^RESUME \d+$/, 30_000)).split(' ')[1]);
      if (kill > 0) tookOver.push(child.lines.some((l) => l.includes('took over a stale lock')));
      if (kill === 6 || resume >= total - 3) {
        await child.waitForLine(/^DONE$/, 60_000);
        break;
      }
      await child.waitForLine(new RegExp(`^STEP ${resume + 1 + random(3)}$`), 30_000);
      await new Promise((r) => setTimeout(r, random(stepMs)));
      child.process.kill('SIGKILL');
      await child.exited;
      // Whatever the moment of the kill, every checkpoint file in place is complete and valid.
      for (const file of killed.listCheckpoints(id)) expect(() => readCheckpoint(file.path)).not.toThrow();
      expect(() => killed.readStatus(id)).not.toThrow();
    }
    expect(tookOver.length).toBeGreaterThan(0);
    expect(tookOver.every(Boolean)).toBe(true);

    const refId = reference.identify({ seed: 3, total }).id;
    expect(refId).toBe(id);
    expect(readFileSync(killed.paths(id).records).equals(readFileSync(reference.paths(refId).records))).toBe(true);
    expect(killed.readStatus(id)).toMatchObject({ state: 'complete', step: total });
    expect(killed.listCheckpoints(id).map((c) => c.step)).toEqual([5, total]);
    const [a, b] = [killed, reference].map((s) => readCheckpoint(join(s.paths(id).checkpoints, `step-${String(total).padStart(9, '0')}.ckpt`)));
    expect(Buffer.from(a.state.params.w.buffer).equals(Buffer.from(b.state.params.w.buffer))).toBe(true);
    expect(readdirSync(killed.paths(id).dir).sort()).toEqual(['checkpoints', 'config.json', 'records.jsonl', 'status.json']);
    expect(readdirSync(killed.paths(id).checkpoints).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
