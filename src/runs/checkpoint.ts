/**
 * Checkpoints: a training state (TrainingState of src/engine/engine.ts: params, Adam moments, step) plus a
 * JSON sidecar (the training loop's batch cursor, RNG, schedule state) in one compact binary file, so training
 * can resume and forks can start exactly (shared/spec/design.md, "Runs").
 *
 * File layout (all integers little-endian):
 *   0   8 bytes   magic "GRKSTATE"
 *   8   uint32    H, the byte length of the header (JSON, padded with spaces)
 *   12  32 bytes  sha256 of the H header bytes
 *   44  H bytes   header: canonical JSON {format, version, step, dtype, byte_order, tensors, payload, sidecar},
 *                 padded so the payload starts at a multiple of 8
 *   44+H          payload: every tensor's float32 values, little-endian, contiguous, in header order
 * Each tensor entry is {group: params|adamM|adamV, name, length (values), offset (bytes into the payload)};
 * `payload` is {bytes, sha256}. The header checksum covers the step and the sidecar, the payload checksum the
 * values, so any flipped bit or cut is detected before a state is used. Values are copied bit for bit
 * (NaN payloads, -0 and subnormals included).
 *
 * Files are named step-<9+ digits>.ckpt and written atomically (atomic.ts), so a killed writer leaves the old
 * set of checkpoints plus at most one temporary file.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { TrainingState } from '../engine/engine.js';
import type { Params } from '../model/params.js';
import { formatZodError } from '../schema/parse.js';
import { canonicalJson } from '../schema/canonical.js';
import { fsyncDir, writeFileAtomic } from './atomic.js';

export const CHECKPOINT_MAGIC = 'GRKSTATE';
export const CHECKPOINT_FORMAT = 'grokcheck-training-state';
export const CHECKPOINT_VERSION = 1;
const PREAMBLE_BYTES = 8 + 4 + 32;
const PAYLOAD_ALIGNMENT = 8;
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

const GROUPS = ['params', 'adamM', 'adamV'] as const;
type Group = (typeof GROUPS)[number];

const HeaderSchema = z
  .object({
    format: z.literal(CHECKPOINT_FORMAT),
    version: z.literal(CHECKPOINT_VERSION),
    step: z.number().int().min(0),
    dtype: z.literal('float32'),
    byte_order: z.literal('little-endian'),
    tensors: z.array(
      z
        .object({
          group: z.enum(GROUPS),
          name: z.string().min(1),
          length: z.number().int().min(0),
          offset: z.number().int().min(0),
        })
        .strict(),
    ),
    payload: z.object({ bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    sidecar: z.unknown(),
  })
  .strict();
type Header = z.infer<typeof HeaderSchema>;

export interface LoadedCheckpoint<T = unknown> {
  state: TrainingState;
  sidecar: T;
}

function assertLittleEndianHost(): void {
  // The payload is the in-memory bytes of the Float32Arrays; a big-endian host would need a byte swap.
  if (endianness() !== 'LE') throw new Error('checkpoints are little-endian; big-endian hosts are not supported');
}

/** The names (in order) and lengths every group must share: Adam keeps one moment per parameter value. */
function checkStateShape(state: TrainingState): void {
  if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`training state step must be a non-negative integer, got ${state.step}`);
  const names = Object.keys(state.params);
  for (const group of ['adamM', 'adamV'] as const) {
    const other = Object.keys(state[group]);
    if (other.length !== names.length || other.some((name, i) => name !== names[i]))
      throw new Error(`training state: ${group} must hold the parameters' names in the same order`);
    for (const name of names)
      if (state[group][name].length !== state.params[name].length)
        throw new Error(`training state: ${group}.${name} has ${state[group][name].length} values, params.${name} ${state.params[name].length}`);
  }
}

/** Encodes a state and sidecar as the chunks of a checkpoint file (tensor chunks are views, not copies). */
export function encodeCheckpoint(state: TrainingState, sidecar: unknown): Uint8Array[] {
  assertLittleEndianHost();
  checkStateShape(state);
  const tensors: Header['tensors'] = [];
  const views: Uint8Array[] = [];
  const hash = createHash('sha256');
  let offset = 0;
  for (const group of GROUPS) {
    for (const [name, values] of Object.entries(state[group])) {
      const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      tensors.push({ group, name, length: values.length, offset });
      views.push(view);
      hash.update(view);
      offset += view.byteLength;
    }
  }
  const header: Header = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: state.step,
    dtype: 'float32',
    byte_order: 'little-endian',
    tensors,
    payload: { bytes: offset, sha256: hash.digest('hex') },
    sidecar,
  };
  let headerText = canonicalJson(header);
  const unpadded = PREAMBLE_BYTES + Buffer.byteLength(headerText, 'utf8');
  headerText += ' '.repeat((PAYLOAD_ALIGNMENT - (unpadded % PAYLOAD_ALIGNMENT)) % PAYLOAD_ALIGNMENT);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  preamble.write(CHECKPOINT_MAGIC, 0, 'ascii');
  preamble.writeUInt32LE(headerBytes.length, 8);
  createHash('sha256').update(headerBytes).digest().copy(preamble, 12);
  return [preamble, headerBytes, ...views];
}

/**
 * Decodes and verifies a checkpoint file's bytes (`file` names it in errors). Every tensor gets its own
 * freshly allocated Float32Array.
 */
export function decodeCheckpoint(bytes: Uint8Array, file: string): LoadedCheckpoint<unknown> {
  assertLittleEndianHost();
  const fail = (problem: string): never => {
    throw new CheckpointError(file, problem);
  };
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < PREAMBLE_BYTES) fail(`truncated: ${data.length} bytes, shorter than the ${PREAMBLE_BYTES}-byte preamble`);
  if (data.toString('ascii', 0, 8) !== CHECKPOINT_MAGIC) fail(`not a checkpoint (magic is not ${CHECKPOINT_MAGIC})`);
  const headerLength = data.readUInt32LE(8);
  if (headerLength > MAX_HEADER_BYTES) fail(`implausible header length ${headerLength}`);
  if (PREAMBLE_BYTES + headerLength > data.length)
    fail(`truncated: the header needs ${PREAMBLE_BYTES + headerLength} bytes, the file has ${data.length}`);
  const headerBytes = data.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength);
  if (!createHash('sha256').update(headerBytes).digest().equals(data.subarray(12, PREAMBLE_BYTES)))
    fail('header checksum mismatch (the header is corrupt)');
  let headerJson: unknown;
  try {
    headerJson = JSON.parse(headerBytes.toString('utf8'));
  } catch (error) {
    return fail(`header is not valid JSON (${(error as Error).message})`);
  }
  const parsed = HeaderSchema.safeParse(headerJson);
  if (!parsed.success) return fail(`invalid header:\n${formatZodError(parsed.error, 'header')}`);
  const header = parsed.data;

  let expectedOffset = 0;
  for (const t of header.tensors) {
    if (t.offset !== expectedOffset) fail(`header: tensor ${t.group}.${t.name} starts at ${t.offset}, expected ${expectedOffset}`);
    expectedOffset += t.length * 4;
  }
  if (expectedOffset !== header.payload.bytes)
    fail(`header: tensors cover ${expectedOffset} bytes, payload.bytes says ${header.payload.bytes}`);
  const payloadStart = PREAMBLE_BYTES + headerLength;
  const expectedSize = payloadStart + header.payload.bytes;
  if (data.length < expectedSize) fail(`truncated: ${data.length} bytes, the header describes ${expectedSize}`);
  if (data.length > expectedSize) fail(`${data.length - expectedSize} unexpected bytes after the payload`);
  const payload = data.subarray(payloadStart, expectedSize);
  if (createHash('sha256').update(payload).digest('hex') !== header.payload.sha256) fail('payload checksum mismatch (the values are corrupt)');

  const groups: Record<Group, Params> = { params: {}, adamM: {}, adamV: {} };
  for (const t of header.tensors) {
    if (Object.hasOwn(groups[t.group], t.name)) fail(`header: tensor ${t.group}.${t.name} appears twice`);
    const values = new Float32Array(t.length);
    new Uint8Array(values.buffer).set(payload.subarray(t.offset, t.offset + t.length * 4));
    groups[t.group][t.name] = values;
  }
  const state: TrainingState = { ...groups, step: header.step };
  try {
    checkStateShape(state);
  } catch (error) {
    fail((error as Error).message);
  }
  return { state, sidecar: header.sidecar };
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoint folders
// ---------------------------------------------------------------------------------------------------------

const FILE_PATTERN = /^step-(\d+)\.ckpt$/;

export function checkpointFileName(step: number): string {
  return `step-${String(step).padStart(9, '0')}.ckpt`;
}

export interface CheckpointFile {
  step: number;
  path: string;
  bytes: number;
}

/** Writes `state` (+ sidecar) as `dir/step-<state.step>.ckpt`, atomically; replaces a file of the same step. */
export function writeCheckpoint(dir: string, state: TrainingState, sidecar: unknown): CheckpointFile {
  const chunks = encodeCheckpoint(state, sidecar);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, checkpointFileName(state.step));
  writeFileAtomic(path, chunks);
  return { step: state.step, path, bytes: chunks.reduce((sum, c) => sum + c.byteLength, 0) };
}

/**
 * Reads and verifies one checkpoint. With `sidecarSchema` the sidecar is validated (a mismatch is a
 * CheckpointError). A file named for one step that holds another is corrupt too.
 */
export function readCheckpoint<T = unknown>(path: string, sidecarSchema?: z.ZodType<T>): LoadedCheckpoint<T> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CheckpointError(path, `cannot read (${(error as Error).message})`);
  }
  const loaded = decodeCheckpoint(bytes, path);
  const named = FILE_PATTERN.exec(basename(path));
  if (named && Number(named[1]) !== loaded.state.step)
    throw new CheckpointError(path, `holds step ${loaded.state.step}, but its name says step ${Number(named[1])}`);
  if (!sidecarSchema) return loaded as LoadedCheckpoint<T>;
  const sidecar = sidecarSchema.safeParse(loaded.sidecar);
  if (!sidecar.success) throw new CheckpointError(path, `invalid sidecar:\n${formatZodError(sidecar.error, 'sidecar')}`);
  return { state: loaded.state, sidecar: sidecar.data };
}

/** The checkpoints in `dir`, by increasing step (temporary files of killed writers are not listed). */
export function listCheckpoints(dir: string): CheckpointFile[] {
  if (!existsSync(dir)) return [];
  const files: CheckpointFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = FILE_PATTERN.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    files.push({ step: Number(m[1]), path, bytes: statSync(path).size });
  }
  return files.sort((a, b) => a.step - b.step);
}

export interface SkippedCheckpoint {
  step: number;
  path: string;
  problem: string;
}

export interface LatestCheckpoint<T> {
  /** The newest checkpoint that verifies, or null when none does. */
  found: (LoadedCheckpoint<T> & { file: CheckpointFile }) | null;
  /** Newer checkpoints that failed verification, newest first: the caller should report them. */
  skipped: SkippedCheckpoint[];
}

/**
 * The newest valid checkpoint with step <= `atOrBefore` (default: any). Invalid newer files are skipped and
 * reported in `skipped`, never used.
 */
export function loadLatestCheckpoint<T = unknown>(
  dir: string,
  options: { atOrBefore?: number; sidecarSchema?: z.ZodType<T> } = {},
): LatestCheckpoint<T> {
  const limit = options.atOrBefore ?? Infinity;
  const skipped: SkippedCheckpoint[] = [];
  const candidates = listCheckpoints(dir)
    .filter((f) => f.step <= limit)
    .reverse();
  for (const file of candidates) {
    try {
      return { found: { ...readCheckpoint(file.path, options.sidecarSchema), file }, skipped };
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      skipped.push({ step: file.step, path: file.path, problem: error.problem });
    }
  }
  return { found: null, skipped };
}

/** Decides which checkpoint steps to keep, given all existing ones (increasing). */
export type RetentionPolicy = (steps: readonly number[]) => Iterable<number>;

/**
 * Keeps the newest `latest` checkpoints (default 1) plus every step in `steps` (e.g. a parent's sync step,
 * where forks start) and every step for which `keepIf` says so.
 */
export function keepLatestAnd(options: { latest?: number; steps?: Iterable<number>; keepIf?: (step: number) => boolean } = {}): RetentionPolicy {
  const latest = options.latest ?? 1;
  if (!Number.isInteger(latest) || latest < 0) throw new RangeError(`latest must be a non-negative integer, got ${latest}`);
  const marked = new Set(options.steps ?? []);
  return (steps) => [...steps.slice(Math.max(0, steps.length - latest)), ...steps.filter((s) => marked.has(s) || options.keepIf?.(s))];
}

export interface PruneResult {
  kept: number[];
  removed: number[];
  /** Checkpoints found corrupt while looking for the newest valid one (they follow the policy like the rest). */
  corrupt: SkippedCheckpoint[];
}

/**
 * Removes the checkpoints `policy` does not keep. Whatever the policy, the newest checkpoint that verifies is
 * kept, so a corrupt newest file can never cost the last usable state.
 */
export function pruneCheckpoints(dir: string, policy: RetentionPolicy): PruneResult {
  const files = listCheckpoints(dir);
  const keep = new Set(policy(files.map((f) => f.step)));
  const newestValid = loadLatestCheckpoint(dir);
  if (newestValid.found) keep.add(newestValid.found.file.step);
  const removed: number[] = [];
  for (const file of files) {
    if (keep.has(file.step)) continue;
    unlinkSync(file.path);
    removed.push(file.step);
  }
  if (removed.length > 0) fsyncDir(dir);
  return { kept: files.map((f) => f.step).filter((s) => keep.has(s)), removed, corrupt: newestValid.skipped };
}
