import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { TrainingState } from '../engine/engine.js';
import { initParams } from '../model/params.js';
import type { ModelConfig } from '../schema/model.js';
import { CanonicalJsonError } from '../schema/canonical.js';
import { writeFileAtomic } from './atomic.js';
import {
  CheckpointError,
  checkpointFileName,
  decodeCheckpoint,
  encodeCheckpoint,
  keepLatestAnd,
  listCheckpoints,
  loadLatestCheckpoint,
  pruneCheckpoints,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
import { makeTempDir } from '../testing/tempDir.js';

const tinyModel: ModelConfig = { vocab: 8, classes: 7, d_model: 8, n_heads: 2, d_mlp: 16, n_layers: 2, variant: 'standard' };

/** A state whose values include every float32 special case: NaN payloads, -0, +-Inf, subnormals, extremes. */
function trainingState(step: number, seed = step + 1): TrainingState {
  const params = initParams(tinyModel, seed);
  const special = new Uint32Array([0x7fc00001, 0xffc12345, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x7f7fffff]);
  new Uint32Array(params['embed.W_E'].buffer).set(special);
  const moment = (scale: number) =>
    Object.fromEntries(Object.entries(params).map(([name, p]) => [name, p.map((v, i) => (Number.isFinite(v) ? v * scale + i * 1e-9 : v))]));
  return { params, adamM: moment(0.1), adamV: moment(1e-4), step };
}

function expectBitExact(actual: TrainingState, expected: TrainingState): void {
  expect(actual.step).toBe(expected.step);
  for (const group of ['params', 'adamM', 'adamV'] as const) {
    expect(Object.keys(actual[group])).toEqual(Object.keys(expected[group]));
    for (const [name, values] of Object.entries(expected[group])) {
      const got = actual[group][name];
      expect(got).toBeInstanceOf(Float32Array);
      expect(new Uint32Array(got.buffer, got.byteOffset, got.length), `${group}.${name}`).toEqual(new Uint32Array(values.buffer, values.byteOffset, values.length));
    }
  }
}

function expectCheckpointError(fn: () => unknown, problem: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CheckpointError);
  expect((thrown as CheckpointError).problem).toMatch(problem);
}

const sidecar = { cursor: { epoch: 3, offset: 1024 }, rng: [1, 2, 3, 4294967295], schedule: { lambda: 1, switched_at: null }, note: 'é' };

let dir: string;
beforeEach(() => {
  dir = makeTempDir('grokcheck-ckpt-');
});

describe('checkpoint format', () => {
  it('round-trips a training state bit for bit, with its sidecar and parameter order', () => {
    const state = trainingState(1200);
    const file = writeCheckpoint(dir, state, sidecar);
    expect(file).toMatchObject({ step: 1200, path: join(dir, 'step-000001200.ckpt') });
    expect(readFileSync(file.path).length).toBe(file.bytes);
    const loaded = readCheckpoint(file.path);
    expectBitExact(loaded.state, state);
    expect(loaded.sidecar).toEqual(sidecar);
    // The payload is the raw float32 data: beyond the values, a fixed preamble and ~100 header bytes per tensor.
    const values = Object.values(state.params).reduce((n, p) => n + p.length, 0) * 3;
    const tensors = Object.keys(state.params).length * 3;
    expect(file.bytes - values * 4).toBeLessThan(1024 + 100 * tensors);
  });

  it('gives each tensor its own buffer and writes identical bytes for identical states', () => {
    const state = trainingState(5);
    const bytes = Buffer.concat(encodeCheckpoint(state, sidecar));
    expect(Buffer.concat(encodeCheckpoint(trainingState(5), sidecar)).equals(bytes)).toBe(true);
    const loaded = decodeCheckpoint(bytes, 'memory');
    const buffers = new Set(Object.values(loaded.state.params).map((p) => p.buffer));
    expect(buffers.size).toBe(Object.keys(loaded.state.params).length);
  });

  it('detects truncation at every length', () => {
    const state: TrainingState = { params: { w: new Float32Array([1, 2, 3]) }, adamM: { w: new Float32Array(3) }, adamV: { w: new Float32Array(3) }, step: 7 };
    const bytes = Buffer.concat(encodeCheckpoint(state, { k: 1 }));
    for (let length = 0; length < bytes.length; length++)
      expectCheckpointError(() => decodeCheckpoint(bytes.subarray(0, length), 'cut'), /truncated|checksum mismatch|magic/);
    expectCheckpointError(() => decodeCheckpoint(Buffer.concat([bytes, Buffer.from([0])]), 'long'), /unexpected bytes after the payload/);
  });

  it('detects a flipped bit anywhere in the file', () => {
    const state = trainingState(3);
    const bytes = Buffer.concat(encodeCheckpoint(state, sidecar));
    const headerLength = bytes.readUInt32LE(8);
    const probes: [number, RegExp][] = [
      [0, /magic/],
      [20, /header checksum mismatch/],
      [44 + 10, /header checksum mismatch/],
      [44 + headerLength, /payload checksum mismatch/],
      [bytes.length - 1, /payload checksum mismatch/],
    ];
    for (const [offset, problem] of probes) {
      const corrupt = Buffer.from(bytes);
      corrupt[offset] ^= 0x10;
      expectCheckpointError(() => decodeCheckpoint(corrupt, 'flipped'), problem);
    }
  });

  it('rejects inconsistent states and sidecars JSON cannot carry', () => {
    const state = trainingState(1);
    expect(() => encodeCheckpoint({ ...state, adamV: { ...state.adamV, extra: new Float32Array(1) } }, null)).toThrow(/adamV must hold/);
    const first = Object.keys(state.params)[0];
    expect(() => encodeCheckpoint({ ...state, adamM: { ...state.adamM, [first]: new Float32Array(1) } }, null)).toThrow(/adamM\.embed\.W_E has 1 values/);
    expect(() => encodeCheckpoint({ ...state, step: -1 }, null)).toThrow(/step/);
    expect(() => encodeCheckpoint(state, { rng: NaN })).toThrow(CanonicalJsonError);
  });

  it('validates the sidecar with a schema when given, and checks the step against the file name', () => {
    const file = writeCheckpoint(dir, trainingState(100), sidecar);
    const Sidecar = z.object({ cursor: z.object({ epoch: z.number(), offset: z.number() }) }).passthrough();
    expect(readCheckpoint(file.path, Sidecar).sidecar.cursor.epoch).toBe(3);
    expectCheckpointError(() => readCheckpoint(file.path, z.object({ cursor: z.string() })), /invalid sidecar:\nsidecar\.cursor/);
    const renamed = join(dir, checkpointFileName(200));
    writeFileSync(renamed, readFileSync(file.path));
    expectCheckpointError(() => readCheckpoint(renamed), /holds step 100, but its name says step 200/);
  });
});

describe('checkpoint folders', () => {
  it('lists checkpoints by numeric step, ignoring temporary and foreign files', () => {
    for (const step of [1_000_000_000, 5, 100]) writeCheckpoint(dir, trainingState(step), null);
    writeFileSync(join(dir, '.step-000000200.ckpt.tmp-123-abcd'), 'partial');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(listCheckpoints(dir).map((f) => f.step)).toEqual([5, 100, 1_000_000_000]);
    expect(listCheckpoints(join(dir, 'missing'))).toEqual([]);
  });

  it('loads the latest valid checkpoint at or before a step, reporting corrupt newer ones', () => {
    for (const step of [100, 200, 300]) writeCheckpoint(dir, trainingState(step), { step });
    expect(loadLatestCheckpoint(dir).found?.state.step).toBe(300);
    expect(loadLatestCheckpoint(dir, { atOrBefore: 250 }).found?.state.step).toBe(200);
    expect(loadLatestCheckpoint(dir, { atOrBefore: 99 })).toEqual({ found: null, skipped: [] });
    const newest = join(dir, checkpointFileName(300));
    writeFileSync(newest, readFileSync(newest).subarray(0, 1000));
    const latest = loadLatestCheckpoint(dir);
    expect(latest.found?.state.step).toBe(200);
    expect(latest.found?.sidecar).toEqual({ step: 200 });
    expect(latest.skipped).toEqual([{ step: 300, path: newest, problem: expect.stringMatching(/truncated/) }]);
  });

  it('prunes by the retention policy but never the newest valid checkpoint', () => {
    for (const step of [100, 200, 300, 400, 500]) writeCheckpoint(dir, trainingState(step), null);
    const result = pruneCheckpoints(dir, keepLatestAnd({ latest: 1, steps: [200] }));
    expect(result).toEqual({ kept: [200, 500], removed: [100, 300, 400], corrupt: [] });
    expect(listCheckpoints(dir).map((f) => f.step)).toEqual([200, 500]);

    writeCheckpoint(dir, trainingState(600), null);
    const newest = join(dir, checkpointFileName(600));
    writeFileSync(newest, readFileSync(newest).subarray(0, 100));
    const keepNothing = pruneCheckpoints(dir, () => []);
    expect(keepNothing.kept).toEqual([500]);
    expect(keepNothing.removed).toEqual([200, 600]);
    expect(keepNothing.corrupt.map((c) => c.step)).toEqual([600]);
    expect(readCheckpoint(join(dir, checkpointFileName(500))).state.step).toBe(500);
  });

  it('keepLatestAnd keeps the newest n and the marked steps', () => {
    const policy = keepLatestAnd({ latest: 2, steps: [100], keepIf: (s) => s % 1000 === 0 });
    expect(new Set(policy([100, 200, 1000, 1100, 1200, 1300]))).toEqual(new Set([100, 1000, 1200, 1300]));
    expect([...keepLatestAnd({ latest: 0 })([1, 2])]).toEqual([]);
  });
});

describe('atomic writes', () => {
  it('leave the previous file intact and no temporary file when writing fails midway', () => {
    const target = join(dir, checkpointFileName(100));
    const original = writeCheckpoint(dir, trainingState(100), { version: 'old' });
    const before = readFileSync(original.path);
    const chunks = encodeCheckpoint(trainingState(100, 99), { version: 'new' });
    const failing = Object.assign([...chunks], {
      *[Symbol.iterator]() {
        yield chunks[0];
        yield chunks[1];
        throw new Error('disk on fire');
      },
    });
    expect(() => writeFileAtomic(target, failing)).toThrow('disk on fire');
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual([checkpointFileName(100)]);
  });

  it('leave no partial file when the final rename fails', () => {
    mkdirSync(join(dir, checkpointFileName(100), 'occupied'), { recursive: true });
    expect(() => writeCheckpoint(dir, trainingState(100), null)).toThrow();
    expect(readdirSync(dir)).toEqual([checkpointFileName(100)]);
  });
});
