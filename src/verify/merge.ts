/**
 * `grokcheck merge DEST SRC...`: the union of content-addressed run stores (design.md "Across machines"): the
 * complete runs of each source, copied into DEST after every file has been checked. A store from another
 * machine (a CI artifact, a shared folder) is untrusted input, so merge
 * - never follows a symbolic link, and never writes outside DEST (it writes only DEST/<run id>/<known name>);
 * - accepts only run-id folder names and the store's own file names (config.json, records.jsonl, status.json,
 *   checkpoints/step-N.ckpt, the paper's measurement files, and a stale run.lock, which it does not copy);
 * - bounds every file's size;
 * - validates every config (its hash is its folder's name), record (schema, ranges, the checkpoint grid),
 *   checkpoint (checksum, step) and measurement of every source before copying anything, so a refusal leaves
 *   DEST as it was;
 * - refuses two different records (or configs) under one run id, naming the run and the file, and is
 *   idempotent: a run DEST already holds with the same bytes is left alone.
 * Incomplete runs (running, failed, interrupted) are not copied, and said so.
 */
import { isExportFolder } from './recordsExport.js';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { Measurement } from '../paper/paper.js';
import { checkpointFileName, readCheckpoint } from '../runs/checkpoint.js';
import { RUN_FILES } from '../runs/store.js';
import { readRecords } from '../runs/records.js';
import { readStatus } from '../runs/status.js';
import { fsyncDir } from '../runs/atomic.js';
import { recordGridProblem, type CoreRecord } from '../schema/record.js';
import { openStore } from '../train/loop.js';
import { readMeasurement } from './measurements.js';

const RUN_ID = /^[0-9a-f]{16}$/;
const CHECKPOINT = /^step-\d{9}\.ckpt$/;

/** Largest file merge accepts, by kind (bytes). */
export const MERGE_LIMITS = { json: 1 << 20, records: 256 << 20, checkpoint: 512 << 20 };
export type MergeLimits = typeof MERGE_LIMITS;

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

export interface MergeResult {
  copied: string[];
  /** Complete runs DEST already held with the same bytes. */
  unchanged: string[];
  /** Runs left out, with why (not complete). */
  skipped: { run: string; source: string; why: string }[];
}

interface RunCopy {
  id: string;
  source: string;
  /** Paths relative to the run's folder. */
  files: string[];
}

/** A directory entry that must be a plain file or folder: never a symbolic link (lstat, not stat). */
function entryKind(path: string): 'file' | 'dir' {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new MergeError(`${path}: a symbolic link (merge never follows links)`);
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  throw new MergeError(`${path}: neither a file nor a folder`);
}

function checkSize(path: string, limit: number): void {
  const size = lstatSync(path).size;
  if (size > limit) throw new MergeError(`${path}: ${size} bytes, more than merge accepts for such a file (${limit})`);
}

/** Checks one source run completely; returns the files to copy, or why it is not copied. */
function checkRun(source: string, id: string, measurementNames: Set<string>, checks: MergeChecks, limits: MergeLimits): RunCopy | { skip: string } {
  const { measurements } = checks;
  const dir = join(source, id);
  const names = readdirSync(dir);
  const files: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const kind = entryKind(path);
    if (name === RUN_FILES.checkpoints) {
      if (kind !== 'dir') throw new MergeError(`${path}: should be a folder`);
      for (const c of readdirSync(path)) {
        const cp = join(path, c);
        if (entryKind(cp) !== 'file' || !CHECKPOINT.test(c)) throw new MergeError(`${cp}: not a checkpoint file name of the run store`);
        checkSize(cp, limits.checkpoint);
        files.push(join(RUN_FILES.checkpoints, c));
      }
      continue;
    }
    if (kind !== 'file') throw new MergeError(`${path}: a folder where the run store has none`);
    const known = name === RUN_FILES.config || name === RUN_FILES.records || name === RUN_FILES.status || name === RUN_FILES.lock;
    const measurement = name.endsWith('.json') && measurementNames.has(name.slice(0, -5));
    if (!known && !measurement) throw new MergeError(`${path}: '${name}' is not a file of the run store`);
    checkSize(path, name === RUN_FILES.records ? limits.records : limits.json);
    if (name !== RUN_FILES.lock) files.push(name);
  }
  const status = readStatus(join(dir, RUN_FILES.status));
  if (!status) return { skip: 'no status' };
  if (status.state !== 'complete') return { skip: `not complete (${status.state})` };
  // The config must hash to the folder's name; the records must pass their schema and sit on the run's grid.
  const store = openStore(source);
  const { config } = store.readConfig(id);
  const records = readPaperRecords(join(dir, RUN_FILES.records), checks.records);
  const grid = recordGridProblem(records, config);
  if (grid) throw new MergeError(`${join(dir, RUN_FILES.records)}:${grid.index + 1}: ${grid.problem}`);
  for (const f of files.filter((f) => f.startsWith(`${RUN_FILES.checkpoints}/`))) {
    const ckpt = readCheckpoint(join(dir, f));
    if (f !== join(RUN_FILES.checkpoints, checkpointFileName(ckpt.state.step))) throw new MergeError(`${join(dir, f)}: holds step ${ckpt.state.step}`);
  }
  for (const m of measurements) if (files.includes(`${m.name}.json`)) readMeasurement(dir, m);
  return { id, source, files };
}

const sameBytes = (a: string, b: string) => existsSync(b) && readFileSync(a).equals(readFileSync(b));

/**
 * What a run must pass to be merged: the papers' record schemas (a run's records must pass one of them: a run
 * does not say which paper it serves) and measurement files.
 */
export interface MergeChecks {
  records: readonly z.ZodType<CoreRecord>[];
  measurements: readonly Pick<Measurement, 'name' | 'schema'>[];
}

/** The records of `file` under the first of `schemas` that reads them all; else the first schema's error. */
function readPaperRecords(file: string, schemas: readonly z.ZodType<CoreRecord>[]): CoreRecord[] {
  let firstError: unknown = new MergeError(`${file}: no record schema to check it with`);
  for (const [i, schema] of schemas.entries()) {
    try {
      return readRecords(file, schema).records;
    } catch (error) {
      if (i === 0) firstError = error;
    }
  }
  throw firstError;
}

/** Merges the complete runs of `sources` into `dest` (created if absent). Throws MergeError, leaving `dest` as it was. */
export function mergeStores(dest: string, sources: readonly string[], checks: MergeChecks, limits: Partial<MergeLimits> = {}): MergeResult {
  const { measurements } = checks;
  const bounds: MergeLimits = { ...MERGE_LIMITS, ...limits };
  const root = resolve(dest);
  if (existsSync(root) && entryKind(root) !== 'dir') throw new MergeError(`${root}: not a folder`);
  const measurementNames = new Set(measurements.map((m) => m.name));
  const copies = new Map<string, RunCopy>();
  const result: MergeResult = { copied: [], unchanged: [], skipped: [] };
  // Phase 1: check everything; nothing is written.
  for (const source of sources.map((s) => resolve(s))) {
    if (source === root) throw new MergeError(`${source}: a source cannot be the destination`);
    if (entryKind(source) !== 'dir') throw new MergeError(`${source}: not a run store folder`);
    if (isExportFolder(source))
      throw new MergeError(`${source}: this is a folder of exported records (<id>.jsonl files, no checkpoints), not a run store: merge takes run stores; verify --records-only --records-dir reads records`);
    for (const name of readdirSync(source).sort()) {
      const path = join(source, name);
      if (!RUN_ID.test(name)) throw new MergeError(`${path}: '${name}' is not a run id (16 lower-case hex digits)`);
      if (entryKind(path) !== 'dir') throw new MergeError(`${path}: a run must be a folder`);
      let checked: RunCopy | { skip: string };
      try {
        checked = checkRun(source, name, measurementNames, checks, bounds);
      } catch (error) {
        // A record, checkpoint, config or measurement that fails its check: the same refusal, whatever found it.
        throw error instanceof MergeError ? error : new MergeError((error as Error).message);
      }
      if ('skip' in checked) {
        result.skipped.push({ run: name, source, why: checked.skip });
        continue;
      }
      const earlier = copies.get(name);
      if (earlier) {
        for (const f of [RUN_FILES.config, RUN_FILES.records])
          if (!sameBytes(join(earlier.source, name, f), join(source, name, f)))
            throw new MergeError(`run ${name}: ${join(source, name, f)} differs from ${join(earlier.source, name, f)}: two different runs under one id`);
        continue;
      }
      const there = join(root, name);
      if (existsSync(there)) {
        if (entryKind(there) !== 'dir') throw new MergeError(`${there}: not a run folder`);
        const destStatus = existsSync(join(there, RUN_FILES.status)) ? readStatus(join(there, RUN_FILES.status)) : null;
        if (destStatus?.state === 'complete') {
          for (const f of [RUN_FILES.config, RUN_FILES.records])
            if (!sameBytes(join(source, name, f), join(there, f)))
              throw new MergeError(`run ${name}: ${join(source, name, f)} differs from ${join(there, f)} in the destination: two different runs under one id`);
          result.unchanged.push(name);
          continue;
        }
      }
      copies.set(name, checked);
    }
  }
  // Phase 2: copy each run into a temporary folder inside DEST, then rename it into place.
  mkdirSync(root, { recursive: true });
  for (const copy of copies.values()) {
    const staging = join(root, `.merge-${copy.id}-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, RUN_FILES.checkpoints), { recursive: true });
    for (const f of copy.files) copyFileSync(join(copy.source, copy.id, f), join(staging, f));
    const target = join(root, copy.id);
    // An incomplete run of DEST with this id is replaced by the complete one (the same run, trained further).
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(staging, target);
    result.copied.push(copy.id);
  }
  fsyncDir(root);
  return result;
}
