/**
 * Cost of the run store per checkpoint of the paper model (p = 97, 2 layers, d 128): writing and reading a
 * training state (params + both Adam moments, fsync and rename included), appending one record (fsync
 * included) and hashing a run config. A p = 97 run writes one of each every 100 steps, so these figures bound
 * the store's share of the design.md targets. Measured with tinybench; never asserted in tests.
 *
 * Direct run: compile, then `node <out>/src/runs/bench.js [folder]` (default: a fresh folder in the OS temp
 * dir; pass a folder on the disk that will hold runs/ to include that disk's fsync cost).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type { TrainingState } from '../engine/engine.js';
import { paperModel } from '../schema/model.js';
import { initParams } from '../model/params.js';
import { contentAddress } from '../schema/canonical.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { appendRecord } from './records.js';

export interface RunStoreBenchFigures {
  /** Bytes of one paper-model checkpoint file. */
  checkpoint_bytes: number;
  /** Median ms: write (encode, sha256, write, fsync, rename, fsync folder) and verified read of one checkpoint. */
  checkpoint_write_ms: number;
  checkpoint_read_ms: number;
  /** Median ms to append one ~1 kB record with fsync. */
  record_append_ms: number;
  /** Median ms to validate-free hash a run config (canonical JSON + sha256). */
  config_hash_ms: number;
}

function paperState(): TrainingState {
  const model = paperModel(97);
  const params = initParams(model, 42);
  const moment = (seed: number) => initParams(model, seed);
  return { params, adamM: moment(1), adamV: moment(2), step: 1000 };
}

async function medianMs(name: string, fn: () => void, quick: boolean): Promise<number> {
  const budget = quick ? { time: 200, iterations: 5, warmupIterations: 1 } : { time: 3000, iterations: 40, warmupIterations: 5 };
  const bench = new Bench({ ...budget, throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`benchmark ${name} did not complete (${result.state})`);
  return result.latency.p50;
}

export async function benchRunStore(options: { folder?: string; quick?: boolean } = {}): Promise<RunStoreBenchFigures> {
  const quick = options.quick ?? false;
  const dir = mkdtempSync(join(options.folder ?? tmpdir(), 'grokcheck-store-bench-'));
  try {
    const state = paperState();
    const checkpoints = join(dir, 'checkpoints');
    const written = writeCheckpoint(checkpoints, state, { cursor: { epoch: 3, offset: 1024 }, rng: [1, 2, 3, 4] });
    const record = {
      step: 0,
      metrics: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`metric_${i}`, Math.PI * (i + 1)])),
    };
    let step = 0;
    const config = {
      task: { kind: 'mod_add', n: 97, train_frac: 0.3, split_seed: 42 },
      model: paperModel(97),
      optimizer: { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1 },
      batch_seed: 42,
    };
    return {
      checkpoint_bytes: written.bytes,
      checkpoint_write_ms: await medianMs('checkpoint write', () => writeCheckpoint(checkpoints, state, { step: 1000 }), quick),
      checkpoint_read_ms: await medianMs('checkpoint read', () => readCheckpoint(written.path), quick),
      record_append_ms: await medianMs('record append', () => appendRecord(join(dir, 'records.jsonl'), { ...record, step: step++ }), quick),
      config_hash_ms: await medianMs('config hash', () => contentAddress(config), quick),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const figures = await benchRunStore({ folder: args.find((a) => !a.startsWith('--')), quick: args.includes('--quick') });
  console.log(JSON.stringify(figures, null, 2));
}
