/**
 * The content-addressed run store (shared/spec/design.md, "Runs").
 *
 * A run is named by the sha256 of the canonical JSON (src/schema/canonical.ts) of its config as validated by the
 * caller's zod schema (so defaults are filled in before hashing: `{}` and the spelled-out defaults are the
 * same run). The config is whatever identifies an experiment (task, model, optimiser, seeds, schedule, parent
 * run + fork step); the engine is deliberately not part of it. The folder name is the first 16 hex digits of
 * the hash; config.json keeps the full hash. One folder per run under the root (default ./runs):
 *
 *   config.json     {hash, config}, validated with the schema and re-hashed on every read
 *   records.jsonl   one line per checkpoint (records.ts)
 *   checkpoints/    step-<n>.ckpt training states (checkpoint.ts)
 *   status.json     running | complete | failed, step, time (status.ts)
 *   run.lock        the single writer (lock.ts)
 *
 * Reading (RunStore) needs no lock; writing goes through a RunWriter, which holds the run's lock.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { TrainingState } from '../engine/engine.js';
import { formatZodError } from '../schema/parse.js';
import { canonicalJson, contentAddress, RUN_ID_LENGTH } from '../schema/canonical.js';
import { removeTempFiles, writeFileAtomic } from './atomic.js';
import { appendRecord, dropRecordsAfter, readRecords, RecordsError, type AppendRecordOptions, type ReadRecordsOptions, type ReadRecordsResult, type StepRecord } from './records.js';
import {
  listCheckpoints,
  loadLatestCheckpoint,
  pruneCheckpoints,
  readCheckpoint,
  checkpointFileName,
  writeCheckpoint,
  type CheckpointFile,
  type LatestCheckpoint,
  type LoadedCheckpoint,
  type PruneResult,
  type RetentionPolicy,
} from './checkpoint.js';
import { acquireLock, inspectLock, type AcquireLockOptions, type LockHandle, type LockInspection } from './lock.js';
import { readStatus, writeStatus, type RunStatus } from './status.js';

export { IncompleteTailError, RecordsError, type DroppedTail, type ReadRecordsResult, type StepRecord } from './records.js';
export {
  CheckpointError,
  keepLatestAnd,
  type CheckpointFile,
  type LatestCheckpoint,
  type LoadedCheckpoint,
  type PruneResult,
  type RetentionPolicy,
  type SkippedCheckpoint,
} from './checkpoint.js';
export { installLockReleaseHandlers, LockError, LockHeldError, type LockHandle, type LockInfo, type LockInspection } from './lock.js';
export { RunStatusSchema, StatusError, type RunState, type RunStatus } from './status.js';

export const RUN_FILES = {
  config: 'config.json',
  records: 'records.jsonl',
  checkpoints: 'checkpoints',
  status: 'status.json',
  lock: 'run.lock',
} as const;

export interface RunPaths {
  dir: string;
  config: string;
  records: string;
  checkpoints: string;
  status: string;
  lock: string;
}

export class RunStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStoreError';
  }
}

export interface RunIdentity<C> {
  /** Folder name: the first RUN_ID_LENGTH hex digits of `hash`. */
  id: string;
  /** Full hex sha256 of the canonical config. */
  hash: string;
  /** The config as validated by the store's schema (defaults filled in). */
  config: C;
}

export interface RunSummary<C> {
  id: string;
  dir: string;
  /** null when config.json is missing or invalid (see `problems`). */
  identity: RunIdentity<C> | null;
  /** One line describing the config (the store's `summarize`), or null. */
  summary: string | null;
  status: RunStatus | null;
  lock: LockInspection;
  /** Why config.json, status.json or the lock could not be read; empty for a healthy run. */
  problems: string[];
}

export interface RunStoreOptions<C> {
  /** Validates configs before hashing and config.json on every read. */
  configSchema: z.ZodType<C>;
  /** Folder holding one sub-folder per run; default `runs` in the current directory. */
  root?: string;
  /** One-line description of a config for listings and ambiguity errors; default its canonical JSON (cut to 100 chars). */
  summarize?: (config: C) => string;
}

const RUN_ID_PATTERN = new RegExp(`^[0-9a-f]{${RUN_ID_LENGTH}}$`);

const ConfigFileSchema = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), config: z.unknown() }).strict();

export class RunStore<C> {
  readonly root: string;
  private readonly schema: z.ZodType<C>;
  private readonly summarizeConfig: (config: C) => string;

  constructor(options: RunStoreOptions<C>) {
    this.root = resolve(options.root ?? 'runs');
    this.schema = options.configSchema;
    this.summarizeConfig = options.summarize ?? ((config) => truncate(canonicalJson(config), 100));
  }

  /** Validates `config` and computes its content address; touches no file. */
  identify(config: unknown): RunIdentity<C> {
    const parsed = this.schema.safeParse(config);
    if (!parsed.success) throw new RunStoreError(`invalid run config:\n${formatZodError(parsed.error, 'config')}`);
    const address = contentAddress(parsed.data);
    return { id: address.id, hash: address.hash, config: parsed.data };
  }

  paths(id: string): RunPaths {
    if (!RUN_ID_PATTERN.test(id)) throw new RunStoreError(`'${id}' is not a run id (${RUN_ID_LENGTH} lower-case hex digits); use find() for prefixes`);
    const dir = join(this.root, id);
    return {
      dir,
      config: join(dir, RUN_FILES.config),
      records: join(dir, RUN_FILES.records),
      checkpoints: join(dir, RUN_FILES.checkpoints),
      status: join(dir, RUN_FILES.status),
      lock: join(dir, RUN_FILES.lock),
    };
  }

  exists(id: string): boolean {
    return existsSync(this.paths(id).config);
  }

  /**
   * Creates the run's folder and config.json if absent, else checks that the stored config is this one
   * (a different config under the same 16-digit id is a collision and an error). Safe to race: config.json
   * is written atomically and every writer writes the same bytes.
   */
  ensureRun(config: unknown): RunIdentity<C> & { created: boolean } {
    const identity = this.identify(config);
    const paths = this.paths(identity.id);
    if (existsSync(paths.config)) {
      const stored = this.readConfig(identity.id);
      if (stored.hash !== identity.hash)
        throw new RunStoreError(`${paths.config}: run id ${identity.id} already holds a different config (hash ${stored.hash}, wanted ${identity.hash})`);
      return { ...identity, created: false };
    }
    mkdirSync(paths.checkpoints, { recursive: true });
    writeFileAtomic(paths.config, `${JSON.stringify({ hash: identity.hash, config: identity.config }, null, 2)}\n`);
    return { ...identity, created: true };
  }

  /** Reads config.json, validates it with the schema and checks that it still hashes to its own name. */
  readConfig(id: string): RunIdentity<C> {
    const file = this.paths(id).config;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new RunStoreError(`${file}: cannot read (${(error as Error).message})`);
    }
    const envelope = ConfigFileSchema.safeParse(json);
    if (!envelope.success) throw new RunStoreError(`${file}: not a run config file:\n${formatZodError(envelope.error)}`);
    const parsed = this.schema.safeParse(envelope.data.config);
    if (!parsed.success) throw new RunStoreError(`${file}: config fails the schema:\n${formatZodError(parsed.error, 'config')}`);
    const address = contentAddress(parsed.data);
    if (address.hash !== envelope.data.hash || address.id !== id)
      throw new RunStoreError(
        `${file}: the config hashes to ${address.hash}, but the file says ${envelope.data.hash} and the folder is ${id} ` +
          '(edited by hand, or the config schema changed its defaults)',
      );
    return { id, hash: address.hash, config: parsed.data };
  }

  readStatus(id: string): RunStatus | null {
    return readStatus(this.paths(id).status);
  }

  /** All records of a run, validated (read-only: an incomplete final line is an error here; see RunWriter). */
  readRecords<S extends z.ZodType<StepRecord>>(id: string, schema: S): z.output<S>[] {
    return readRecords(this.paths(id).records, schema).records;
  }

  listCheckpoints(id: string): CheckpointFile[] {
    return listCheckpoints(this.paths(id).checkpoints);
  }

  /** The newest valid checkpoint at or before `atOrBefore` (corrupt newer ones are reported in `skipped`). */
  loadLatestCheckpoint<T = unknown>(id: string, options: { atOrBefore?: number; sidecarSchema?: z.ZodType<T> } = {}): LatestCheckpoint<T> {
    return loadLatestCheckpoint(this.paths(id).checkpoints, options);
  }

  /** The checkpoint of exactly `step` (e.g. a fork point); a missing or corrupt file is an error. */
  readCheckpoint<T = unknown>(id: string, step: number, sidecarSchema?: z.ZodType<T>): LoadedCheckpoint<T> {
    return readCheckpoint(join(this.paths(id).checkpoints, checkpointFileName(step)), sidecarSchema);
  }

  /** Ids of every run folder under the root, sorted. */
  ids(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((name) => RUN_ID_PATTERN.test(name) && statSync(join(this.root, name)).isDirectory())
      .sort();
  }

  /** Every run with its config summary, status and lock holder; unreadable parts are listed as problems, not thrown. */
  list(): RunSummary<C>[] {
    return this.ids().map((id) => this.summarize(id));
  }

  summarize(id: string): RunSummary<C> {
    const paths = this.paths(id);
    const problems: string[] = [];
    let identity: RunIdentity<C> | null = null;
    let status: RunStatus | null = null;
    let lock: LockInspection = { state: 'free' };
    try {
      identity = this.readConfig(id);
    } catch (error) {
      problems.push((error as Error).message);
    }
    try {
      status = readStatus(paths.status);
    } catch (error) {
      problems.push((error as Error).message);
    }
    try {
      lock = inspectLock(paths.lock);
    } catch (error) {
      problems.push((error as Error).message);
    }
    return { id, dir: paths.dir, identity, summary: identity ? this.summarizeConfig(identity.config) : null, status, lock, problems };
  }

  /** The id of the one run whose id starts with `prefix`; none or several is an error (several: listing them). */
  find(prefix: string): string {
    const wanted = prefix.trim().toLowerCase();
    if (!/^[0-9a-f]+$/.test(wanted)) throw new RunStoreError(`'${prefix}' is not a run id prefix (hex digits)`);
    const matches = this.ids().filter((id) => id.startsWith(wanted));
    if (matches.length === 1) return matches[0];
    if (matches.length === 0) throw new RunStoreError(`no run id starts with '${wanted}' in ${this.root}`);
    const lines = matches.map((id) => {
      const summary = this.summarize(id);
      return `  ${id}  ${summary.summary ?? summary.problems[0] ?? ''}`;
    });
    throw new RunStoreError(`run id prefix '${wanted}' is ambiguous; it matches ${matches.length} runs:\n${lines.join('\n')}`);
  }

  /**
   * Opens a run for writing: creates it if needed, takes its lock (LockHeldError if a live process holds it;
   * a stale lock is taken over and reported in `notices`) and removes temporary files of killed writers.
   * Close the writer (or install installLockReleaseHandlers on its lock) to release the lock.
   */
  openWriter(config: unknown, options: { lock?: AcquireLockOptions } = {}): RunWriter<C> {
    const identity = this.ensureRun(config);
    const paths = this.paths(identity.id);
    const lock = acquireLock(paths.lock, options.lock);
    try {
      const notices: string[] = [];
      if (lock.notice) notices.push(lock.notice);
      for (const dir of [paths.dir, paths.checkpoints]) {
        if (!existsSync(dir)) continue;
        const removed = removeTempFiles(dir);
        if (removed.length > 0) notices.push(`${dir}: removed ${removed.length} temporary file(s) left by a killed writer: ${removed.join(', ')}`);
      }
      return new RunWriter({ id: identity.id, hash: identity.hash, config: identity.config }, paths, lock, notices);
    } catch (error) {
      lock.release();
      throw error;
    }
  }
}

/** Fields of a status transition; `updated` is filled in. */
export type StatusUpdate = Omit<RunStatus, 'updated'>;

/** The single writer of one run; holds its lock until close(). */
export class RunWriter<C> {
  readonly id: string;
  readonly hash: string;
  readonly config: C;
  /** Things the user should be told about opening this run (stale lock taken over, temporary files removed). */
  readonly notices: readonly string[];
  /** Step of the last record on disk, once known (undefined: not read yet; null: no records). */
  private lastRecordStep: number | null | undefined = undefined;

  constructor(
    identity: RunIdentity<C>,
    readonly paths: RunPaths,
    readonly lock: LockHandle,
    notices: string[],
  ) {
    this.id = identity.id;
    this.hash = identity.hash;
    this.config = identity.config;
    this.notices = notices;
  }

  private assertOpen(): void {
    if (this.lock.released) throw new RunStoreError(`run ${this.id}: writer is closed (its lock was released)`);
  }

  /** Reads the records; with repairTruncatedTail an incomplete final line is dropped from the file (see records.ts). */
  readRecords<S extends z.ZodType<StepRecord>>(schema: S, options: ReadRecordsOptions = {}): ReadRecordsResult<z.output<S>> {
    this.assertOpen();
    const result = readRecords(this.paths.records, schema, options);
    this.lastRecordStep = result.records.length > 0 ? result.records[result.records.length - 1].step : null;
    return result;
  }

  /** Drops the records after `step` (see records.ts dropRecordsAfter); returns how many. */
  dropRecordsAfter(step: number): number {
    this.assertOpen();
    const dropped = dropRecordsAfter(this.paths.records, step);
    this.lastRecordStep = undefined;
    return dropped;
  }

  /** Appends one record (fsynced); its step must exceed the previous record's. */
  appendRecord(record: StepRecord, options: AppendRecordOptions = {}): void {
    this.assertOpen();
    if (this.lastRecordStep === undefined) this.readRecords(StepOnlySchema);
    const previous = this.lastRecordStep ?? null;
    if (previous !== null && !(record.step > previous))
      throw new RecordsError(this.paths.records, null, `cannot append step ${record.step}: the last record is step ${previous}`);
    appendRecord(this.paths.records, record, options);
    this.lastRecordStep = record.step;
  }

  writeCheckpoint(state: TrainingState, sidecar: unknown): CheckpointFile {
    this.assertOpen();
    return writeCheckpoint(this.paths.checkpoints, state, sidecar);
  }

  listCheckpoints(): CheckpointFile[] {
    return listCheckpoints(this.paths.checkpoints);
  }

  loadLatestCheckpoint<T = unknown>(options: { atOrBefore?: number; sidecarSchema?: z.ZodType<T> } = {}): LatestCheckpoint<T> {
    return loadLatestCheckpoint(this.paths.checkpoints, options);
  }

  pruneCheckpoints(policy: RetentionPolicy): PruneResult {
    this.assertOpen();
    return pruneCheckpoints(this.paths.checkpoints, policy);
  }

  readStatus(): RunStatus | null {
    return readStatus(this.paths.status);
  }

  /** Atomically writes a status transition, stamped with the current time. */
  setStatus(update: StatusUpdate, now: Date = new Date()): RunStatus {
    this.assertOpen();
    const status: RunStatus = { ...update, updated: now.toISOString() };
    writeStatus(this.paths.status, status);
    return status;
  }

  /** Releases the lock; the writer cannot write afterwards. */
  close(): void {
    this.lock.release();
  }
}

/** Only the step: enough to find where appending continues without the caller's record schema. */
const StepOnlySchema = z.looseObject({ step: z.number().int().min(0) });

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
