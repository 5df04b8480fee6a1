import { beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CanonicalJsonError } from '../schema/canonical.js';
import { appendRecord, readRecords, RecordsError } from './records.js';
import { JsonNumberSchema } from '../schema/jsonNumber.js';
import { makeTempDir } from '../testing/tempDir.js';

const RecordSchema = z.object({ step: z.number().int().min(0), loss: z.number(), tags: z.array(z.string()) }).strict();
type TestRecord = z.infer<typeof RecordSchema>;

function record(step: number): TestRecord {
  return { step, loss: 1 / (step + 3), tags: [`s${step}`, 'line "quoted"\nnewline'] };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = makeTempDir('grokcheck-records-');
  file = join(dir, 'records.jsonl');
});

function expectRecordsError(fn: () => unknown, line: number | null, problem: RegExp): RecordsError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RecordsError);
  const error = thrown as RecordsError;
  expect(error.file).toBe(file);
  expect(error.line).toBe(line);
  expect(error.problem).toMatch(problem);
  expect(error.message).toContain(line === null ? file : `${file}:${line}:`);
  return error;
}

describe('records.jsonl', () => {
  it('round-trips appended records, one canonical line each', () => {
    const written = [0, 100, 200, 300].map(record);
    for (const r of written) appendRecord(file, r);
    const { records, droppedTail } = readRecords(file, RecordSchema);
    expect(records).toEqual(written);
    expect(droppedTail).toBeNull();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(written.length + 1);
    expect(lines[written.length]).toBe('');
    expect(lines[0]).toBe(JSON.stringify({ loss: written[0].loss, step: 0, tags: written[0].tags }));
  });

  it('reads a missing file as no records', () => {
    expect(readRecords(file, RecordSchema)).toEqual({ records: [], droppedTail: null });
  });

  it('refuses NaN by default and stores it as a string when asked (read back with JsonNumberSchema)', () => {
    expect(() => appendRecord(file, { step: 0, loss: NaN } as TestRecord)).toThrow(CanonicalJsonError);
    const diverged = { step: 0, loss: NaN, hi: Infinity, lo: -Infinity, ok: 2 };
    appendRecord(file, diverged, { nonFinite: 'string' });
    const schema = z.object({ step: z.number(), loss: JsonNumberSchema, hi: JsonNumberSchema, lo: JsonNumberSchema, ok: JsonNumberSchema });
    const [r] = readRecords(file, schema).records;
    expect(r.loss).toBeNaN();
    expect(r.hi).toBe(Infinity);
    expect(r.lo).toBe(-Infinity);
    expect(r.ok).toBe(2);
  });

  it('detects a truncated final line at every cut, and repair drops exactly that line', () => {
    for (const r of [0, 100, 200].map(record)) appendRecord(file, r);
    const full = readFileSync(file);
    const lineEnds = [...full.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i + 1);
    for (let cut = 1; cut < full.length; cut++) {
      writeFileSync(file, full.subarray(0, cut));
      const complete = lineEnds.filter((end) => end <= cut).length;
      if (lineEnds.includes(cut)) {
        expect(readRecords(file, RecordSchema).records).toHaveLength(complete);
        continue;
      }
      expectRecordsError(() => readRecords(file, RecordSchema), complete + 1, /incomplete final line \(no trailing newline/);
      // It tells the user what to do, not which internal option would repair it.
      expectRecordsError(() => readRecords(file, RecordSchema), complete + 1, /run the command that trained it \(train, fork or verify\) again/);
      expect(() => readRecords(file, RecordSchema)).not.toThrow(/repairTruncatedTail/);
      const repaired = readRecords(file, RecordSchema, { repairTruncatedTail: true });
      expect(repaired.records).toEqual([0, 100, 200].slice(0, complete).map(record));
      expect(repaired.droppedTail).toMatchObject({ line: complete + 1, bytes: cut - (lineEnds[complete - 1] ?? 0) });
      expect(repaired.droppedTail!.notice).toContain(`${file}:${complete + 1}`);
      // The file now ends after the last complete line, so appending can continue.
      expect(statSync(file).size).toBe(lineEnds[complete - 1] ?? 0);
      expect(readRecords(file, RecordSchema).droppedTail).toBeNull();
    }
  });

  it('treats an unparsable but terminated final line as the truncated tail', () => {
    appendRecord(file, record(0));
    appendFileSync(file, '{"step":1\u0000\u0000\n');
    expectRecordsError(() => readRecords(file, RecordSchema), 2, /incomplete final line \(not valid JSON/);
    const repaired = readRecords(file, RecordSchema, { repairTruncatedTail: true });
    expect(repaired.records).toEqual([record(0)]);
    expect(repaired.droppedTail?.line).toBe(2);
  });

  it('refuses to append after an incomplete line, and appends normally once repaired', () => {
    appendRecord(file, record(0));
    appendFileSync(file, '{"loss":0.1,"st');
    expectRecordsError(() => appendRecord(file, record(100)), null, /incomplete line/);
    readRecords(file, RecordSchema, { repairTruncatedTail: true });
    appendRecord(file, record(100));
    expect(readRecords(file, RecordSchema).records).toEqual([record(0), record(100)]);
  });

  it('always reports corruption before the last line, even with repair', () => {
    const good = (step: number) => `${JSON.stringify(record(step))}\n`;
    const cases: [string, number, RegExp][] = [
      [good(0) + '{"step":1,"lo\n' + good(200), 2, /corrupt line \(not valid JSON/],
      [good(0) + '\n' + good(200), 2, /corrupt line \(empty line\)/],
      [good(0) + good(100) + '{"step":150}\n' + good(200), 3, /fails its schema/],
      [good(0) + good(200) + good(100), 3, /step 100 does not increase \(previous record: step 200\)/],
      [good(0) + good(0), 2, /step 0 does not increase/],
    ];
    for (const [content, line, problem] of cases) {
      writeFileSync(file, content);
      expectRecordsError(() => readRecords(file, RecordSchema), line, problem);
      expectRecordsError(() => readRecords(file, RecordSchema, { repairTruncatedTail: true }), line, problem);
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
  });

  it('reports invalid UTF-8 in the middle of the file', () => {
    writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(record(0))}\n{"step":1,"x":"`), Buffer.from([0xc3, 0x28]), Buffer.from(`"}\n${JSON.stringify(record(2))}\n`)]));
    expectRecordsError(() => readRecords(file, RecordSchema, { repairTruncatedTail: true }), 2, /invalid UTF-8/);
  });

  it('treats a schema failure on a complete last line as corruption, not as a truncated tail', () => {
    appendRecord(file, record(0));
    appendFileSync(file, '{"step":100,"loss":"high","tags":[]}\n');
    expectRecordsError(() => readRecords(file, RecordSchema, { repairTruncatedTail: true }), 2, /fails its schema:\nloss:/);
  });

  it('rejects a record without a non-negative integer step', () => {
    expectRecordsError(() => appendRecord(file, { step: 1.5 }), null, /non-negative integer/);
    expectRecordsError(() => appendRecord(file, { step: -1 }), null, /non-negative integer/);
  });
});
