import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIdOf } from '../schema/runConfig.js';
import { mainRunConfig, smallProfile } from '../papers/circuit-sync/profiles.js';
import { parseRun, readExportedRuns, serializeRun, writeExportedRun, type ExportedRun } from './recordsExport.js';
import { syntheticRecords } from '../papers/circuit-sync/testing/synthetic.js';
import { makeTempDir } from '../testing/tempDir.js';
import { circuitSyncRecordLayout, type CircuitSyncRecord } from '../papers/circuit-sync/record.js';

/** Circuit-sync's record layout, the one the committed records hold. */
const LAYOUT = circuitSyncRecordLayout;

function exampleRun(): ExportedRun<CircuitSyncRecord> {
  const config = mainRunConfig(smallProfile, 31, 42);
  return {
    id: runIdOf(config),
    config,
    status: 'complete',
    engine: 'native (C++ N-API, 2 threads)',
    wall_s: 12.5,
    records: syntheticRecords({ endStep: 1000, memStep: 200, syncStep: 300, grokStep: 600, evalEvery: 50 }),
    measurements: { ablation: { run_id: runIdOf(config), step: 600, baseline_accuracy: 1, zeroed_accuracy: { 'block0.mlp': 0.9 }, engine: 'native' } },
  };
}

/** The lines of an export as format /3 wrote them (no rows_sha256), so that a test can edit rows and reach the row checks. */
function unchecked(lines: string[]): string[] {
  const { rows_sha256: _sha, ...header } = JSON.parse(lines[0]);
  return [JSON.stringify({ ...header, format: 'grokcheck-run-records/3' }), ...lines.slice(1)];
}

describe('committed records', () => {
  it('round-trips a run exactly through a JSON-lines file', () => {
    const dir = makeTempDir('gc-export-');
    const run = exampleRun();
    const file = writeExportedRun(dir, run, LAYOUT);
    expect(file.endsWith(`${run.id}.jsonl`)).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + run.records.length);
    expect(readExportedRuns(dir, LAYOUT).runs.get(run.id)).toEqual(run);
  });

  it('writes an optional record field as a column only for runs that have it, and reads both back exactly', () => {
    const plain = exampleRun();
    const header = JSON.parse(serializeRun(plain, LAYOUT).split('\n')[0]);
    expect(header.columns).not.toContain('gaussian_null');
    const withNull: ExportedRun<CircuitSyncRecord> = {
      ...plain,
      records: plain.records.map((r, i) => ({ ...r, gaussian_null: i === 0 ? { p_value: 0.5, null_mean: 0.05, null_q95: 0.09, replicates: 20 } : null })),
    };
    const text = serializeRun(withNull, LAYOUT);
    expect(JSON.parse(text.split('\n')[0]).columns).toContain('gaussian_null');
    expect(parseRun(text, 'g.jsonl', LAYOUT)).toEqual(withNull);
    expect(parseRun(serializeRun(plain, LAYOUT), 'p.jsonl', LAYOUT)).toEqual(plain);
  });

  it("writes an object-of-numbers field (the core's param_norms) with its keys once in the header, and reads it back exactly", () => {
    const plain = exampleRun();
    const withNorms: ExportedRun<CircuitSyncRecord> = { ...plain, records: plain.records.map((r, i) => ({ ...r, param_norms: { 'embed.W_E': 1 + i / 7, ...(i === 3 ? {} : { 'unembed.W_U': 2 + i / 9 }) } })) };
    const text = serializeRun(withNorms, LAYOUT);
    const header = JSON.parse(text.split('\n')[0]);
    expect(header.format).toBe('grokcheck-run-records/5');
    expect(header.objects).toMatchObject({ param_norms: ['embed.W_E', 'unembed.W_U'] });
    expect(JSON.parse(text.split('\n')[1])[header.columns.indexOf('param_norms')]).toEqual([1, 2]);
    expect(parseRun(text, 'o.jsonl', LAYOUT)).toEqual(withNorms);
    expect(text.split('embed.W_E').length - 1).toBe(1);
  });

  it('names who trained the run in the header (commit, CPU, date, every training call) and reads it back', () => {
    const sessions = [
      { commit: 'a'.repeat(40), dirty: false, cpu: 'AMD EPYC 7B13', engine: 'native (C++ N-API, 1 thread)', started: '2026-12-01T11:45:00.000Z', from_step: 0 },
      { commit: 'b'.repeat(40), dirty: true, cpu: 'Intel Xeon', engine: 'native (C++ N-API, 1 thread)', started: '2026-12-02T09:00:00.000Z', from_step: 3000 },
    ];
    const run: ExportedRun<CircuitSyncRecord> = { ...exampleRun(), trained_by: sessions };
    const header = JSON.parse(serializeRun(run, LAYOUT).split('\n')[0]);
    expect(header).toMatchObject({ commit: 'a'.repeat(40), cpu: 'AMD EPYC 7B13', trained: '2026-12-01T11:45:00.000Z', trained_by: sessions });
    expect(parseRun(serializeRun(run, LAYOUT), 't.jsonl', LAYOUT)).toEqual(run);
    // A run trained before this was kept has none of these fields.
    expect(Object.keys(JSON.parse(serializeRun(exampleRun(), LAYOUT).split('\n')[0]))).not.toContain('commit');
  });

  it('keeps the top dominant-frequency counts of new records, and reads records without them', () => {
    const plain = exampleRun();
    const withCounts: ExportedRun<CircuitSyncRecord> = {
      ...plain,
      records: plain.records.map((r) => ({
        ...r,
        fsd_alt: Object.fromEntries(Object.entries(r.fsd_alt).map(([k, a]) => [k, { ...a, top_counts: [40, 30, 20, 10], counted_units: 120, bins: 15 }])),
      })),
    };
    const header = JSON.parse(serializeRun(withCounts, LAYOUT).split('\n')[0]);
    expect(header.alt_fields).toEqual(expect.arrayContaining(['top_counts', 'counted_units', 'bins']));
    expect(JSON.parse(serializeRun(plain, LAYOUT).split('\n')[0]).alt_fields).not.toContain('top_counts');
    expect(parseRun(serializeRun(withCounts, LAYOUT), 'c.jsonl', LAYOUT)).toEqual(withCounts);
  });

  it('keeps non-finite losses, records without some alt keys, and full precision', () => {
    const run = exampleRun();
    run.records[3] = { ...run.records[3], train_loss: NaN, val_loss: Infinity, diverged: true };
    run.records[2] = { ...run.records[2], fsd: 0.7999999999999998 };
    const { 'block1.mlp.post@grid': _dropped, ...fewer } = run.records[4].fsd_alt;
    run.records[4] = { ...run.records[4], fsd_alt: fewer };
    const back = parseRun(serializeRun(run, LAYOUT), 'n.jsonl', LAYOUT);
    expect(back.records[3].train_loss).toBeNaN();
    expect(back.records[3].val_loss).toBe(Infinity);
    expect(back.records[2].fsd).toBe(0.7999999999999998);
    expect(Object.keys(back.records[4].fsd_alt)).not.toContain('block1.mlp.post@grid');
    expect(back.records).toEqual(run.records);
  });

  it('refuses records edited after export, even to values their schema accepts (rows_sha256)', () => {
    const text = serializeRun(exampleRun(), LAYOUT).split('\n');
    expect(JSON.parse(text[0])).toMatchObject({ format: 'grokcheck-run-records/5', rows_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const row = JSON.parse(text[3]);
    row[4] = row[4] === 0.5 ? 0.25 : 0.5; // val_loss: still a valid loss
    text[3] = JSON.stringify(row);
    expect(() => parseRun(text.join('\n'), 'e.jsonl', LAYOUT)).toThrow(/^e\.jsonl: the records were changed after export/);
    // Format /3 had no checksum: read unchecked.
    expect(parseRun(unchecked(text).join('\n'), 'e.jsonl', LAYOUT).records).toHaveLength(exampleRun().records.length);
  });

  it('names the file and line of a broken record', () => {
    const text = unchecked(serializeRun(exampleRun(), LAYOUT).split('\n'));
    const row = JSON.parse(text[3]);
    row[3] = 'high';
    text[3] = JSON.stringify(row);
    expect(() => parseRun(text.join('\n'), 'x.jsonl', LAYOUT)).toThrow(/^x\.jsonl:4: not a checkpoint record: train_acc/);
    text[3] = '[1, 2]';
    expect(() => parseRun(text.join('\n'), 'x.jsonl', LAYOUT)).toThrow(/^x\.jsonl:4: expected an array of \d+ values/);
  });

  it('refuses a header whose config does not hash to its id (an edited config)', () => {
    const run = exampleRun();
    const text = serializeRun({ ...run, config: { ...run.config, init_seed: 7 } }, LAYOUT);
    expect(() => parseRun(text, 'y.jsonl', LAYOUT)).toThrow(/y\.jsonl:1: the config hashes to run id/);
  });

  it('refuses steps that do not increase, and a file named after another run', () => {
    const run = exampleRun();
    const lines = unchecked(serializeRun(run, LAYOUT).trim().split('\n'));
    [lines[2], lines[3]] = [lines[3], lines[2]];
    expect(() => parseRun(lines.join('\n'), 'z.jsonl', LAYOUT)).toThrow(/z\.jsonl:4: step \d+ does not increase/);
    const dir = makeTempDir('gc-export-');
    writeFileSync(join(dir, '0000000000000000.jsonl'), serializeRun(run, LAYOUT));
    expect(readExportedRuns(dir, LAYOUT).broken.get('0000000000000000')).toMatch(/should be named/);
  });

  it('reads format /2, whose header held C14\'s ablation as `ablation`', () => {
    const run = exampleRun();
    const [header, ...rows] = serializeRun(run, LAYOUT).split('\n');
    const { measurements, rows_sha256: _sha, ...rest } = JSON.parse(header);
    const old = JSON.stringify({ ...rest, format: 'grokcheck-run-records/2', ablation: measurements.ablation });
    expect(parseRun([old, ...rows].join('\n'), 'old.jsonl', LAYOUT)).toEqual(run);
  });

  it('says how to create committed records when there are none', () => {
    expect(() => readExportedRuns('/nonexistent/records', LAYOUT)).toThrow(/--export-records/);
  });
});
