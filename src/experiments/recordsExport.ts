/**
 * Committed records (`verify --records-only`): one compact JSON-lines file per run, fixtures/records/<profile>/<id>.jsonl.
 * Line 1 is a header: {format, id, config, status, engine, wall_s, message?, ablation?}; every following line
 * is one CheckpointRecord exactly as in the run's records.jsonl. No checkpoints, so the files stay small and
 * claims are re-derived from exactly the numbers a training run produced.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RunConfigSchema, type RunConfig } from '../train/runConfig.js';
import { CheckpointRecordSchema, type CheckpointRecord } from '../train/record.js';
import { writeFileAtomic } from '../runs/atomic.js';
import { AblationResultSchema, type AblationResult } from './ablation.js';

export const EXPORT_FORMAT = 'grokcheck-run-records/1';

export const ExportHeaderSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    id: z.string().regex(/^[0-9a-f]{16}$/),
    config: z.unknown(),
    status: z.enum(['complete', 'failed']),
    engine: z.string(),
    wall_s: z.number().min(0),
    message: z.string().optional(),
    ablation: AblationResultSchema.optional(),
  })
  .strict();

export interface ExportedRun {
  id: string;
  config: RunConfig;
  status: 'complete' | 'failed';
  engine: string;
  wall_s: number;
  message?: string;
  records: CheckpointRecord[];
  ablation?: AblationResult;
}

export function exportFileName(id: string): string {
  return `${id}.jsonl`;
}

export function serializeRun(run: ExportedRun): string {
  const header = {
    format: EXPORT_FORMAT,
    id: run.id,
    config: run.config,
    status: run.status,
    engine: run.engine,
    wall_s: run.wall_s,
    ...(run.message === undefined ? {} : { message: run.message }),
    ...(run.ablation === undefined ? {} : { ablation: run.ablation }),
  };
  return [header, ...run.records].map((line) => JSON.stringify(line)).join('\n') + '\n';
}

/** Parses one export file; every error names the file and line. `idOf` re-derives the id from the config. */
export function parseRun(text: string, file: string, idOf: (c: RunConfig) => string): ExportedRun {
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
  const id = idOf(config.data);
  if (id !== head.data.id) throw new Error(`${file}:1: the config hashes to run id ${id}, the header says ${head.data.id}`);
  const records: CheckpointRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const rec = CheckpointRecordSchema.safeParse(json(i));
    if (!rec.success) throw new Error(`${file}:${i + 1}: not a checkpoint record: ${issues(rec.error)}`);
    if (records.length > 0 && rec.data.step <= records[records.length - 1].step)
      throw new Error(`${file}:${i + 1}: step ${rec.data.step} does not increase`);
    records.push(rec.data);
  }
  const { format: _format, config: _config, ...rest } = head.data;
  return { ...rest, config: config.data, records };
}

export function writeExportedRun(dir: string, run: ExportedRun): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, exportFileName(run.id));
  writeFileAtomic(file, serializeRun(run));
  return file;
}

/** Every exported run in `dir`, by id. A missing folder is an error that says how to create it. */
export function readExportedRuns(dir: string, idOf: (c: RunConfig) => string): Map<string, ExportedRun> {
  if (!existsSync(dir)) throw new Error(`${dir}: no committed records (create them with \`grokcheck verify --export-records\`)`);
  const out = new Map<string, ExportedRun>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = join(dir, name);
    const run = parseRun(readFileSync(file, 'utf8'), file, idOf);
    if (name !== exportFileName(run.id)) throw new Error(`${file}: holds run ${run.id}; the file should be named ${exportFileName(run.id)}`);
    out.set(run.id, run);
  }
  return out;
}
