/**
 * Extending a run: a new run whose config differs from a run in the store only in its stop rule (a higher
 * `--steps`, another `after_grok`) starts from that run's records and checkpoints instead of from step 0.
 * Training is deterministic and the stop rule never changes a step, so up to the copied checkpoint both runs
 * are the same bytes: the records end identical to a run trained to the new cap in one go. The cap stays part of
 * the run's identity (a run's records end at its own stop), so the extension is a run of its own, seeded.
 */
import { canonicalJson } from '../schema/canonical.js';
import { recordGridProblem, type CoreRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import type { RunStore, RunWriter } from '../runs/store.js';
import type { TrainingSession } from '../runs/codeVersion.js';
import type { z } from 'zod';

/** The identity of a config without its stop rule: runs that share it share their trajectory up to the earlier stop. */
export function withoutStop(config: RunConfig): string {
  const { stop: _stop, ...rest } = config;
  return canonicalJson(rest);
}

export interface Seed {
  from: string;
  step: number;
  /** The source run's wall time up to the seed step (its whole wall time when seeded from its last step; else pro rata). */
  wall_s: number;
  /** Who trained the copied steps (the source's training sessions). */
  trained_by: TrainingSession[];
  notice: string;
}

/**
 * Copies into `writer`'s (empty) run the records and kept checkpoints of the sibling run that reaches furthest
 * without passing the new run's own stop: its cap, or the first step at which its stop rule fires on the
 * sibling's records (`stopsAt`; issue 27: a run seeded from a longer sibling kept the sibling's records past its
 * own stop, to 8100 where its rule stopped at grokking + 500). null when there is none. `sidecarSchema` validates
 * each copied checkpoint.
 */
export function seedFromSibling<T>(
  store: RunStore<RunConfig>,
  writer: RunWriter<RunConfig>,
  config: RunConfig,
  sidecarSchema: z.ZodType<T>,
  stopsAt: (records: readonly CoreRecord[]) => number | null,
  /** The paper's record schema: the sibling's records are read, and copied, as the paper wrote them. */
  recordSchema: z.ZodType<CoreRecord>,
): Seed | null {
  const key = withoutStop(config);
  let best: { id: string; step: number; records: CoreRecord[]; cap: number; lastStep: number; wall: number; trainedBy: TrainingSession[] } | null = null;
  for (const id of store.ids()) {
    if (id === writer.id) continue;
    let sibling: RunConfig;
    try {
      sibling = store.readConfig(id).config;
    } catch {
      continue;
    }
    if (withoutStop(sibling) !== key) continue;
    const status = store.readStatus(id);
    if (!status || status.state === 'failed') continue;
    let records: CoreRecord[];
    try {
      records = store.readRecords(id, recordSchema);
    } catch {
      continue;
    }
    if (recordGridProblem(records, sibling)) continue;
    // The newest valid checkpoint at or before the new run's own stop that has its record.
    const limit = Math.min(config.stop.max_steps, stopsAt(records) ?? Infinity);
    const latest = store.loadLatestCheckpoint(id, { atOrBefore: limit, sidecarSchema });
    const step = latest.found?.state.step;
    if (step === undefined || !records.some((r) => r.step === step)) continue;
    if (!best || step > best.step)
      best = { id, step, records, cap: sibling.stop.max_steps, lastStep: records.at(-1)!.step, wall: status.wall_s ?? 0, trainedBy: status.trained_by ?? [] };
  }
  if (!best) return null;
  const { id, step } = best;
  for (const c of store.listCheckpoints(id).filter((c) => c.step <= step)) {
    const ckpt = store.readCheckpoint(id, c.step, sidecarSchema);
    writer.writeCheckpoint(ckpt.state, ckpt.sidecar);
  }
  // Records on the new run's grid only: the source's off-grid final record (its own cap) is no record of the new run.
  const copied = best.records.filter((r) => r.step <= step && (r.step % config.eval_every === 0 || r.step === config.stop.max_steps));
  for (const r of copied) writer.appendRecord(r, { nonFinite: 'string' });
  const wall = best.lastStep > 0 ? (best.wall * step) / best.lastStep : 0;
  return {
    from: id,
    step,
    wall_s: wall,
    trained_by: best.trainedBy.filter((t) => t.from_step < step),
    notice:
      `extending run ${id} (cap ${best.cap}) as run ${writer.id} (cap ${config.stop.max_steps}): copied its records and checkpoints ` +
      `up to step ${step}; training goes on from there with the same bytes as a run trained in one go`,
  };
}
