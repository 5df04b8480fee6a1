/**
 * status.json: where a run stands (shared/spec/design.md, "Runs"; nothing partial is aggregated into a claim,
 * so readers must be able to tell a complete run from a running or failed one). Replaced atomically
 * (atomic.ts) at every transition, so a reader never sees a half-written status.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatZodError } from '../schema/parse.js';
import { writeFileAtomic } from './atomic.js';
import { TrainingSessionSchema } from './codeVersion.js';

/** `interrupted`: stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) before completing; the same command resumes it. */
export const RunStateSchema = z.enum(['running', 'interrupted', 'complete', 'failed']);
export type RunState = z.infer<typeof RunStateSchema>;

export const RunStatusSchema = z
  .object({
    state: RunStateSchema,
    /** The last step whose record and checkpoint are on disk. */
    step: z.number().int().min(0),
    /** ISO 8601 time of this transition. */
    updated: z.string(),
    message: z.string().optional(),
    /** Engine description (provenance only: the engine is not part of the run's identity). */
    engine: z.string().optional(),
    /**
     * The engine kind and float mode that trained the run: a run is resumed only on the same ones, since
     * records differ in their last bits across them (and then diverge after a loss spike).
     */
    engine_kind: z.string().optional(),
    denormals: z.enum(['flush', 'keep']).optional(),
    /** Wall-clock seconds of training so far. */
    wall_s: z.number().min(0).optional(),
    /** Every training call of the run, oldest first: the commit, CPU and engine that trained it (codeVersion.ts). */
    trained_by: z.array(TrainingSessionSchema).optional(),
  })
  .strict();
export type RunStatus = z.infer<typeof RunStatusSchema>;

export class StatusError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'StatusError';
  }
}

/** Validates and atomically writes `status` to `file`. */
export function writeStatus(file: string, status: RunStatus): void {
  const parsed = RunStatusSchema.safeParse(status);
  if (!parsed.success) throw new StatusError(file, `refusing to write an invalid status:\n${formatZodError(parsed.error, 'status')}`);
  writeFileAtomic(file, `${JSON.stringify(parsed.data, null, 2)}\n`);
}

/** The status in `file`, or null if the run has none yet; an unreadable or invalid file is an error. */
export function readStatus(file: string): RunStatus | null {
  if (!existsSync(file)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StatusError(file, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = RunStatusSchema.safeParse(json);
  if (!parsed.success) throw new StatusError(file, `invalid status:\n${formatZodError(parsed.error, 'status')}`);
  return parsed.data;
}
