/**
 * records.jsonl: one JSON line per checkpoint (shared/spec/design.md, "Runs"; the fields are the caller's,
 * e.g. a paper's checkpoint records, validated by a schema the caller passes).
 *
 * Writing: each record is one canonical JSON line (src/schema/canonical.ts) plus '\n', written with a single append and
 * fsynced, so a SIGKILL at any moment leaves the file ending either after a whole line or inside the last one
 * (a line without its '\n'). A failed write is truncated back to the previous size where the process survives.
 * Reading: every line is parsed and validated; steps must strictly increase. The only damage that may be
 * repaired is an incomplete final line (no '\n', or not parsable as JSON), and only on request
 * (`repairTruncatedTail`, for the resume logic, which holds the run's lock); anything else is an error naming
 * the file, the line and the problem. Corrupt data is never used silently.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { formatZodError } from '../schema/parse.js';
import { canonicalJson, type CanonicalJsonOptions } from '../schema/canonical.js';
import { fsyncDir, writeFully } from './atomic.js';

/** Every record carries the optimiser step it was taken at. */
export interface StepRecord {
  step: number;
}

export class RecordsError extends Error {
  constructor(
    readonly file: string,
    /** 1-based line number, or null when the problem is not tied to one line. */
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(line === null ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = 'RecordsError';
  }
}

/** The final line was cut short (a writer killed mid-line): what resuming repairs (train/loop.ts drops it and measures that checkpoint again). */
export class IncompleteTailError extends RecordsError {
  constructor(file: string, line: number, problem: string) {
    super(file, line, problem);
    this.name = 'IncompleteTailError';
  }
}

const NEWLINE = 0x0a;

export interface AppendRecordOptions {
  /** How NaN and +-Infinity are written (src/schema/canonical.ts); default `reject`. */
  nonFinite?: CanonicalJsonOptions['nonFinite'];
}

/**
 * Appends `record` as one line and fsyncs. Refuses to append to a file whose last line is incomplete (that
 * would glue the new record onto a fragment): read it with `repairTruncatedTail` first.
 */
export function appendRecord(file: string, record: StepRecord, options: AppendRecordOptions = {}): void {
  if (!Number.isInteger(record.step) || record.step < 0)
    throw new RecordsError(file, null, `record step must be a non-negative integer, got ${record.step}`);
  const line = Buffer.from(`${canonicalJson(record, { nonFinite: options.nonFinite ?? 'reject' })}\n`, 'utf8');
  const created = !existsSync(file);
  // 'a+': O_APPEND for the write, readable so the last byte can be checked.
  const fd = openSync(file, 'a+', 0o644);
  try {
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== NEWLINE)
        throw new RecordsError(file, null, 'ends with an incomplete line; read it with repairTruncatedTail before appending');
    }
    try {
      writeFully(fd, line);
      fsyncSync(fd);
    } catch (error) {
      // Leave no fragment behind when the process survives the failure (e.g. ENOSPC after a short write).
      ftruncateSync(fd, size);
      fsyncSync(fd);
      throw error;
    }
  } finally {
    closeSync(fd);
  }
  if (created) fsyncDir(dirname(file));
}

export interface ReadRecordsOptions {
  /**
   * Drop an incomplete final line (no trailing '\n', or not valid UTF-8/JSON) instead of failing, and truncate
   * the file to the end of the last complete line so appending can continue. For the resume logic only: the
   * caller must hold the run's lock. The result's `droppedTail` says what was dropped.
   */
  repairTruncatedTail?: boolean;
}

export interface DroppedTail {
  /** 1-based line number of the dropped line. */
  line: number;
  bytes: number;
  reason: string;
  /** A sentence to show the user. */
  notice: string;
}

export interface ReadRecordsResult<T> {
  records: T[];
  /** The incomplete final line that was dropped (only with repairTruncatedTail), else null. */
  droppedTail: DroppedTail | null;
}

interface RawLine {
  number: number;
  start: number;
  bytes: Buffer;
  terminated: boolean;
}

function splitLines(content: Buffer): RawLine[] {
  const lines: RawLine[] = [];
  let start = 0;
  while (start < content.length) {
    const end = content.indexOf(NEWLINE, start);
    const terminated = end !== -1;
    const stop = terminated ? end : content.length;
    lines.push({ number: lines.length + 1, start, bytes: content.subarray(start, stop), terminated });
    start = stop + 1;
  }
  return lines;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON value of a line, or the reason it has none. */
function parseLine(bytes: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (bytes.length === 0) return { ok: false, reason: 'empty line' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'invalid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message})` };
  }
}

/**
 * Reads and validates every record of `file` with `schema` (a missing file has no records). Throws a
 * RecordsError for an incomplete final line (unless repairTruncatedTail), for any invalid line before it, for
 * a schema failure on any line, and for steps that do not strictly increase.
 */
export function readRecords<S extends z.ZodType<StepRecord>>(
  file: string,
  schema: S,
  options: ReadRecordsOptions = {},
): ReadRecordsResult<z.output<S>> {
  if (!existsSync(file)) return { records: [], droppedTail: null };
  const lines = splitLines(readFileSync(file));
  const records: z.output<S>[] = [];
  let droppedTail: DroppedTail | null = null;
  let previousStep: number | null = null;

  for (const line of lines) {
    const isFinal = line.number === lines.length;
    const parsed = parseLine(line.bytes);
    const tailReason = !line.terminated ? 'no trailing newline' : !parsed.ok ? parsed.reason : null;
    if (isFinal && tailReason !== null) {
      if (!options.repairTruncatedTail)
        throw new IncompleteTailError(
          file,
          line.number,
          `incomplete final line (${tailReason}, ${line.bytes.length} bytes): the run was killed while writing it; ` +
            'run the command that trained it (train, fork or verify) again: it drops the line and measures that checkpoint again from the checkpoint kept for it',
        );
      truncateFile(file, line.start);
      droppedTail = {
        line: line.number,
        bytes: line.bytes.length,
        reason: tailReason,
        notice: `${file}:${line.number}: dropped an incomplete final line (${tailReason}, ${line.bytes.length} bytes)`,
      };
      break;
    }
    if (!parsed.ok) throw new RecordsError(file, line.number, `corrupt line (${parsed.reason}) followed by further lines`);
    const validated = schema.safeParse(parsed.value);
    if (!validated.success)
      throw new RecordsError(file, line.number, `record fails its schema:\n${formatZodError(validated.error)}`);
    const record = validated.data as z.output<S>;
    if (previousStep !== null && !(record.step > previousStep))
      throw new RecordsError(file, line.number, `step ${record.step} does not increase (previous record: step ${previousStep})`);
    previousStep = record.step;
    records.push(record);
  }
  return { records, droppedTail };
}

/**
 * Drops every record after `step` (resuming from an older checkpoint than the last record: the dropped records
 * are measured again, identically). The file is cut at the start of the first later line, so the records kept
 * keep their bytes. The caller must hold the run's lock. Returns how many records were dropped.
 */
export function dropRecordsAfter(file: string, step: number): number {
  if (!existsSync(file)) return 0;
  const lines = splitLines(readFileSync(file));
  for (const [i, line] of lines.entries()) {
    const parsed = parseLine(line.bytes);
    const lineStep = parsed.ok ? (parsed.value as { step?: unknown }).step : undefined;
    if (!parsed.ok || typeof lineStep !== 'number' || lineStep > step) {
      truncateFile(file, line.start);
      return lines.length - i;
    }
  }
  return 0;
}

function truncateFile(file: string, length: number): void {
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
