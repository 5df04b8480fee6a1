/**
 * Committed records (`verify --records-only`): one compact JSON-lines file per run, fixtures/records/<profile>/<id>.jsonl.
 * Line 1 is a header: {format, id, config, status, engine, wall_s, message?, measurements?, columns, alt_keys,
 * alt_fields}; every following line is one checkpoint record as a JSON array in the header's column order, the
 * paper's table field (RecordLayout.table: circuit-sync's `fsd_alt`) last, as one array per key (`alt_keys`, each
 * an array of the `alt_fields`; null when the record lacks that key). The paper's record layout reads them back. Keys are written once, not per
 * record, which roughly halves the size; numbers keep full precision (shortest round-trip), so verdicts from
 * committed records are exactly those of the run (a rounded 0.7999999999999998 would cross a 0.80 threshold).
 * NaN and +-Infinity are written as the strings "NaN", "Infinity", "-Infinity". No checkpoints.
 * `measurements` holds the paper's stored measurements by name (format /2 had one, `ablation`, and is still read).
 * Format /4 adds `rows_sha256`, the SHA-256 of the lines after the header, checked on every read; /3 and /2 files
 * have none and are read unchecked.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RunConfigSchema, runIdOf, type RunConfig } from '../schema/runConfig.js';
import { recordFields, recordGridProblem, type CoreRecord } from '../schema/record.js';
import type { RecordLayout } from '../train/measures.js';
import { writeFileAtomic } from '../runs/atomic.js';
import { TrainingSessionSchema, type TrainingSession } from '../runs/codeVersion.js';

/**
 * Format /5: /4 with `objects`, the keys of each record field that is an object of numbers (the core's
 * `param_norms`), written once in the header and each cell as an array in their order.
 */
export const EXPORT_FORMAT = 'grokcheck-run-records/5';
/** /4: /3 with `rows_sha256`, so that an edit of a value (even one its schema accepts) is found. */
const EXPORT_FORMAT_4 = 'grokcheck-run-records/4';
/** /3: the same header without the checksum (read; accepted unchecked). */
const EXPORT_FORMAT_3 = 'grokcheck-run-records/3';
/** The previous format: the same, with C14's ablation as a header field `ablation` instead of `measurements`. */
const EXPORT_FORMAT_2 = 'grokcheck-run-records/2';

/** How a layout's records are written: its columns, which are optional, and its table's fields. */
interface ColumnPlan {
  /** Record fields in file order (the table field is stored separately, per key). */
  columns: string[];
  /** Optional record fields: a run's file has their columns only when one of its records has the field. */
  optional: Set<string>;
  table: { field: string; fields: string[]; optional: Set<string> } | null;
}

const isOptional = (schema: z.ZodType) => schema.safeParse(undefined).success;

function columnPlan(layout: RecordLayout): ColumnPlan {
  const shape = recordFields(layout.schema);
  const columns = Object.keys(shape).filter((k) => k !== layout.table?.field);
  const table = layout.table
    ? { field: layout.table.field, fields: Object.keys(layout.table.entry.shape), optional: new Set(Object.entries(layout.table.entry.shape).filter(([, v]) => isOptional(v as z.ZodType)).map(([k]) => k)) }
    : null;
  return { columns, optional: new Set(columns.filter((k) => isOptional(shape[k]))), table };
}

export const ExportHeaderSchema = z
  .object({
    format: z.enum([EXPORT_FORMAT, EXPORT_FORMAT_4, EXPORT_FORMAT_3, EXPORT_FORMAT_2]),
    id: z.string().regex(/^[0-9a-f]{16}$/),
    config: z.unknown(),
    status: z.enum(['complete', 'failed']),
    engine: z.string(),
    wall_s: z.number().min(0),
    /**
     * Who trained the run (issue "Provenance of training"): the commit, CPU and start date of its first training
     * call, and every call in `trained_by`. Absent in files of runs trained before they were kept.
     */
    commit: z.string().nullable().optional(),
    cpu: z.string().optional(),
    trained: z.string().optional(),
    trained_by: z.array(TrainingSessionSchema).optional(),
    message: z.string().optional(),
    /** Measurements by name; validated by the paper's schemas when the run set is assembled. */
    measurements: z.record(z.string(), z.unknown()).optional(),
    /** Format /2 only. */
    ablation: z.unknown().optional(),
    columns: z.array(z.string()),
    /** The name of the paper's table field (RecordLayout.table) the alt arrays hold; absent before issue 28 (then `fsd_alt`). */
    table: z.string().optional(),
    alt_keys: z.array(z.string()),
    alt_fields: z.array(z.string()),
    /** Format /5: per column that holds objects of numbers, their keys; the cells are arrays in this order (null: absent). */
    objects: z.record(z.string(), z.array(z.string())).optional(),
    /** SHA-256 of every line after the header, each with its '\n' (format /4; absent before). */
    rows_sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict()
  .refine((h) => (h.format !== EXPORT_FORMAT && h.format !== EXPORT_FORMAT_4) || h.rows_sha256 !== undefined, { message: `format /4 and later carries rows_sha256`, path: ['rows_sha256'] });

export interface ExportedRun<Rec extends CoreRecord = CoreRecord> {
  id: string;
  config: RunConfig;
  status: 'complete' | 'failed';
  engine: string;
  wall_s: number;
  trained_by?: TrainingSession[];
  message?: string;
  /** In the paper's record layout. */
  records: Rec[];
  measurements?: Record<string, unknown>;
}

/** Whether `dir` holds exported records (`<id>.jsonl` files) rather than a run store. */
export function isExportFolder(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((n) => /^[0-9a-f]{16}\.jsonl$/.test(n));
}

export function exportFileName(id: string): string {
  return `${id}.jsonl`;
}

const encodeNumber = (v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);

/** The record's table (the layout's table field), by key; empty without one. */
function tableOf(record: CoreRecord, plan: ColumnPlan): Record<string, Record<string, unknown>> {
  return plan.table ? ((record as unknown as Record<string, Record<string, Record<string, unknown>>>)[plan.table.field] ?? {}) : {};
}

export function serializeRun(run: ExportedRun, layout: RecordLayout): string {
  const plan = columnPlan(layout);
  const altKeys = [...new Set(run.records.flatMap((r) => Object.keys(tableOf(r, plan))))].sort();
  const columns = plan.columns.filter((c) => !plan.optional.has(c) || run.records.some((r) => (r as unknown as Record<string, unknown>)[c] !== undefined));
  const altFields = (plan.table?.fields ?? []).filter(
    (f) => !plan.table!.optional.has(f) || run.records.some((r) => Object.values(tableOf(r, plan)).some((a) => a[f] !== undefined)),
  );
  // Fields whose every value is an object of numbers (the core's param_norms): their keys go in the header once.
  const isNumberObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'number' || typeof x === 'string');
  const objects = Object.fromEntries(
    columns
      .filter((c) => run.records.some((r) => (r as unknown as Record<string, unknown>)[c] !== undefined) && run.records.every((r) => { const v = (r as unknown as Record<string, unknown>)[c]; return v === undefined || v === null || isNumberObject(v); }))
      .map((c) => [c, [...new Set(run.records.flatMap((r) => Object.keys(((r as unknown as Record<string, unknown>)[c] as object | null | undefined) ?? {})))]]),
  );
  const first = run.trained_by?.[0];
  const header = {
    format: EXPORT_FORMAT,
    id: run.id,
    config: run.config,
    status: run.status,
    engine: run.engine,
    wall_s: run.wall_s,
    ...(first ? { commit: first.commit, cpu: first.cpu, trained: first.started, trained_by: run.trained_by } : {}),
    ...(run.message === undefined ? {} : { message: run.message }),
    ...(run.measurements === undefined || Object.keys(run.measurements).length === 0 ? {} : { measurements: run.measurements }),
    columns,
    ...(plan.table ? { table: plan.table.field } : {}),
    alt_keys: altKeys,
    alt_fields: altFields,
    ...(Object.keys(objects).length ? { objects } : {}),
  };
  const rows = run.records.map((r) => {
    const rec = r as unknown as Record<string, unknown>;
    const alt = altKeys.map((k) => {
      const summary = tableOf(r, plan)[k] as Record<string, unknown> | undefined;
      return summary ? altFields.map((f) => encodeNumber(summary[f] ?? null)) : null;
    });
    const cellOf = (c: string) => {
      const value = rec[c];
      if (objects[c] === undefined || value === undefined || value === null) return encodeNumber(value ?? null);
      const o = value as Record<string, unknown>;
      return objects[c].map((k) => encodeNumber(o[k] ?? null));
    };
    return [...columns.map(cellOf), alt];
  });
  const body = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  return `${JSON.stringify({ ...header, rows_sha256: sha256(body) })}\n${body}`;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Parses one export file; every error names the file and line. The id is re-derived from the config. */
export function parseRun<Rec extends CoreRecord>(text: string, file: string, layout: RecordLayout<Rec>): ExportedRun<Rec> {
  const plan = columnPlan(layout);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new Error(`${file}: empty`);
  const json = (i: number): unknown => {
    try {
      return JSON.parse(lines[i]);
    } catch (error) {
      throw new Error(`${file}:${i + 1}: not JSON (${(error as Error).message})`);
    }
  };
  const issues = (e: z.ZodError) => e.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ');
  const head = ExportHeaderSchema.safeParse(json(0));
  if (!head.success) throw new Error(`${file}:1: not a run header: ${issues(head.error)}`);
  const config = RunConfigSchema.safeParse(head.data.config);
  if (!config.success) throw new Error(`${file}:1: config: ${issues(config.error)}`);
  const id = runIdOf(config.data);
  if (id !== head.data.id) throw new Error(`${file}:1: the config hashes to run id ${id}, the header says ${head.data.id}`);
  const { columns, alt_keys: altKeys, alt_fields: altFields } = head.data;
  if (head.data.table !== undefined && head.data.table !== plan.table?.field)
    throw new Error(`${file}:1: its records have a table '${head.data.table}'; this paper's records ${plan.table ? `have '${plan.table.field}'` : 'have none'} (records of another paper?)`);
  const records: Rec[] = [];
  for (let i = 1; i < lines.length; i++) {
    const row = json(i);
    if (!Array.isArray(row) || row.length !== columns.length + 1 || !Array.isArray(row[columns.length]))
      throw new Error(`${file}:${i + 1}: expected an array of ${columns.length} values and the ${plan.table?.field ?? 'table'} arrays`);
    const alts = row[columns.length] as unknown[];
    if (alts.length !== altKeys.length) throw new Error(`${file}:${i + 1}: expected ${altKeys.length} ${plan.table?.field ?? 'table'} entries, got ${alts.length}`);
    if (!plan.table && alts.length > 0) throw new Error(`${file}:${i + 1}: this paper's records have no table field`);
    const table: Record<string, unknown> = {};
    alts.forEach((a, k) => {
      if (a === null) return;
      if (!Array.isArray(a) || a.length !== altFields.length) throw new Error(`${file}:${i + 1}: ${plan.table!.field} ${altKeys[k]} is not an array of ${altFields.length} values`);
      // Optional summary fields absent from the record were written as null: leave them out again.
      table[altKeys[k]] = Object.fromEntries(altFields.map((f, j) => [f, a[j]]).filter(([f, v]) => !(v === null && plan.table!.optional.has(f as string))));
    });
    // Non-finite numbers stay strings here: the record schema reads them back (runs/records.ts JsonNumberSchema).
    const objects = head.data.objects ?? {};
    const cellOf = (c: string, v: unknown): unknown => {
      if (objects[c] === undefined || v === null) return v;
      if (!Array.isArray(v) || v.length !== objects[c].length) throw new Error(`${file}:${i + 1}: ${c} is not an array of ${objects[c].length} values`);
      return Object.fromEntries(objects[c].flatMap((k, j) => (v[j] === null ? [] : [[k, v[j]]])));
    };
    const object = Object.fromEntries(columns.map((c, j) => [c, cellOf(c, row[j])]));
    const rec = layout.schema.safeParse(plan.table ? { ...object, [plan.table.field]: table } : object);
    if (!rec.success) throw new Error(`${file}:${i + 1}: not a checkpoint record: ${issues(rec.error)}`);
    if (records.length > 0 && rec.data.step <= records[records.length - 1].step)
      throw new Error(`${file}:${i + 1}: step ${rec.data.step} does not increase`);
    records.push(rec.data);
  }
  // After the rows' own checks, which name the line of a damaged one: this finds the edits they accept.
  if (head.data.rows_sha256 !== undefined) {
    const body = lines.slice(1).map((line) => `${line}\n`).join('');
    if (sha256(body) !== head.data.rows_sha256)
      throw new Error(`${file}: the records were changed after export (their SHA-256 is not the header's rows_sha256): re-export them (verify --export-records), or restore the file from git`);
  }
  const grid = recordGridProblem(records, config.data);
  if (grid) throw new Error(`${file}:${grid.index + 2}: ${grid.problem}`);
  const { format: _format, config: _config, columns: _c, table: _t, objects: _o, alt_keys: _k, alt_fields: _f, commit: _commit, cpu: _cpu, trained: _trained, rows_sha256: _sha, ablation, measurements, ...rest } = head.data;
  const stored = { ...(ablation === undefined ? {} : { ablation }), ...(measurements ?? {}) };
  return { ...rest, config: config.data, records, ...(Object.keys(stored).length ? { measurements: stored } : {}) };
}

export function writeExportedRun(dir: string, run: ExportedRun, layout: RecordLayout): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, exportFileName(run.id));
  writeFileAtomic(file, serializeRun(run, layout));
  return file;
}

export interface ExportedRuns<Rec extends CoreRecord = CoreRecord> {
  /** Every readable run, by id. */
  runs: Map<string, ExportedRun<Rec>>;
  /** Files that cannot be used, by the run id their name gives, with the problem (file and line). */
  broken: Map<string, string>;
}

/**
 * Every exported run in `dir`. A broken file does not stop the others from being read: it is listed in
 * `broken` (only the claims that need its run are then not evaluable). A missing folder is an error that says
 * how to create it.
 */
export function readExportedRuns<Rec extends CoreRecord>(dir: string, layout: RecordLayout<Rec>): ExportedRuns<Rec> {
  if (!existsSync(dir)) throw new Error(`${dir}: no committed records (create them with \`node bin/grokcheck.js verify --export-records\`)`);
  const runs = new Map<string, ExportedRun<Rec>>();
  const broken = new Map<string, string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = join(dir, name);
    try {
      const run = parseRun(readFileSync(file, 'utf8'), file, layout);
      if (name !== exportFileName(run.id)) throw new Error(`${file}: holds run ${run.id}; the file should be named ${exportFileName(run.id)}`);
      runs.set(run.id, run);
    } catch (error) {
      broken.set(name.replace(/\.jsonl$/, ''), (error as Error).message);
    }
  }
  return { runs, broken };
}
