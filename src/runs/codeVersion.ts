/**
 * Which code and machine trained a run (issue "Provenance of training"): the git commit of the checkout, whether
 * files that can change a result differ from it, and the CPU. A run's status keeps one entry per training call
 * (a run resumed in another session, by other code or on another machine, lists both), and committed records
 * carry them in their header, so a records-only report names who trained, not only who wrote the report.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const TrainingSessionSchema = z
  .object({
    /** HEAD of the checkout that trained; null outside a git checkout (an installed package). */
    commit: z.string().nullable(),
    /** Whether files that can change a result differed from the commit; null when unknown. */
    dirty: z.boolean().nullable(),
    cpu: z.string(),
    engine: z.string(),
    /** ISO 8601 time the training call started. */
    started: z.string(),
    /** The step it started from (0, a fork's step, or the checkpoint it resumed). */
    from_step: z.number().int().min(0),
    /**
     * The slots of the lockstep group it trained in (webgpu, src/train/lockstep.ts); absent when it trained
     * alone. The run's wall time is then the group's, shared with the other runs.
     */
    lockstep_slots: z.number().int().min(2).optional(),
  })
  .strict();
export type TrainingSession = z.infer<typeof TrainingSessionSchema>;

/** Paths whose changes do not change what the code computes (git pathspecs, relative to the repository root). */
export const OUTPUT_PATHS = ['reports', 'fixtures', '*.md'];

/** The repository root this module belongs to (src/runs or dist/runs, two levels down). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export interface CodeVersion {
  commit: string | null;
  dirty: boolean | null;
}

/** The checkout's commit and dirtiness; never throws (unknown facts are null). */
export function codeVersion(root: string = PACKAGE_ROOT): CodeVersion {
  const commit = git(['rev-parse', 'HEAD'], root);
  // Only changes that can move a result make the code "dirty": not the reports, records and docs that verify
  // itself writes or that describe the runs (regenerating one report must not mark the next as dirty).
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no', '--', '.', ...OUTPUT_PATHS.map((p) => `:(exclude)${p}`)], root);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

let cached: CodeVersion | undefined;

/** The training session now starting: the code version is read once per process (git is not free). */
export function trainingSession(engine: string, fromStep: number, now: Date = new Date(), lockstepSlots?: number): TrainingSession {
  cached ??= codeVersion();
  return {
    ...cached,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    engine,
    started: now.toISOString(),
    from_step: fromStep,
    ...(lockstepSlots !== undefined && lockstepSlots > 1 ? { lockstep_slots: lockstepSlots } : {}),
  };
}
