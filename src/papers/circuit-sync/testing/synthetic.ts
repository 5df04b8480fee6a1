/**
 * Synthetic, realistic checkpoint trajectories for unit tests of the claim logic (no training): training
 * accuracy climbs to memorisation, the norm decays towards its grokking value, FSD rises to a sync level,
 * validation accuracy jumps at grokking, optional slingshot spikes and a post-grokking collapse.
 * Every event lands exactly on the step asked for, so tests can state the expected figures by hand.
 */
import type { CircuitSyncRecord, FsdSummary } from '../record.js';

export interface SyntheticTrajectory {
  evalEvery?: number;
  /** First checkpoint step (a fork's starts at its fork step); default 0. */
  startStep?: number;
  /** Last checkpoint step (inclusive). */
  endStep: number;
  /** First checkpoint with train_acc >= 0.99. */
  memStep: number;
  /** First checkpoint with FSD >= 0.80; null: FSD stays at `fsdFloor`..0.7. */
  syncStep: number | null;
  /** First checkpoint with val_acc >= 0.95 (0.97 there, 0.995 from the next checkpoint); null: never. */
  grokStep: number | null;
  /** First checkpoint with restricted-logit loss < 0.5 (grid); null: never. */
  baselineSyncStep?: number | null;
  /** First checkpoint with median Fourier rank 1 (rank falls linearly from rankStart before it). */
  rank1Step?: number | null;
  rankStart?: number;
  normStart?: number;
  /** Norm at memorisation and at grokking; linear in between, flat after. */
  normAtMem?: number;
  normAtGrok?: number;
  /** Checkpoints where train accuracy drops by 0.5 for one checkpoint (slingshots). */
  spikes?: number[];
  /** From this step on, validation accuracy is 0.1 (destabilised when >= 3 checkpoints). */
  collapseFrom?: number;
  /** Weight decay at a step (schedules); default 1. */
  weightDecay?: (step: number) => number;
  /** FSD_gen series for group tasks (null for Z_p): sync of FSD_gen at this step (>= 0.5). */
  fsdGenSyncStep?: number | null;
  /** Per-record tweaks applied last. */
  tweak?: (record: CircuitSyncRecord) => CircuitSyncRecord;
}

function fsdSummary(fsd: number, rank: number): FsdSummary {
  return { fsd, top_frequency: 5, participation: fsd, median_rank: rank, rank1_fraction: rank <= 1 ? 0.8 : 0.1, silent_units: 0 };
}

export function syntheticRecords(t: SyntheticTrajectory): CircuitSyncRecord[] {
  const every = t.evalEvery ?? 100;
  const normStart = t.normStart ?? 120, normAtMem = t.normAtMem ?? 76, normAtGrok = t.normAtGrok ?? 23;
  const rankStart = t.rankStart ?? 6;
  const out: CircuitSyncRecord[] = [];
  for (let step = t.startStep ?? 0; step <= t.endStep; step += every) {
    const trainAcc = step >= t.memStep ? 1 : Math.min(0.98, 0.05 + (0.9 * step) / Math.max(1, t.memStep));
    const grokked = t.grokStep !== null && step >= t.grokStep;
    let valAcc = grokked ? (step === t.grokStep ? 0.97 : 0.995) : Math.min(0.6, 0.02 + (0.5 * step) / Math.max(1, t.grokStep ?? t.endStep));
    if (t.collapseFrom !== undefined && step >= t.collapseFrom) valAcc = 0.1;
    const fsd =
      t.syncStep !== null && step >= t.syncStep
        ? 0.85 + 0.05 * Math.min(1, (step - t.syncStep) / 1000)
        : Math.min(0.7, 0.15 + (0.5 * step) / Math.max(1, t.syncStep ?? t.endStep));
    const rank1 = t.rank1Step === undefined ? t.grokStep : t.rank1Step;
    const rank = rank1 !== null && step >= rank1 ? 1 : Math.max(2, Math.round(rankStart - ((rankStart - 2) * step) / Math.max(1, rank1 ?? t.endStep)));
    let norm: number;
    if (step <= t.memStep) norm = normStart + ((normAtMem - normStart) * step) / Math.max(1, t.memStep);
    else if (t.grokStep === null || step <= t.grokStep)
      norm = normAtMem + ((normAtGrok - normAtMem) * (step - t.memStep)) / Math.max(1, (t.grokStep ?? t.endStep) - t.memStep);
    else norm = normAtGrok;
    const baseline = t.baselineSyncStep !== undefined && t.baselineSyncStep !== null && step >= t.baselineSyncStep ? 0.3 : 3.0;
    const spike = (t.spikes ?? []).includes(step);
    const fsdGen =
      t.fsdGenSyncStep === undefined ? null : t.fsdGenSyncStep !== null && step >= t.fsdGenSyncStep ? 0.7 : Math.min(0.4, 0.05 + (0.3 * step) / t.endStep);
    let record: CircuitSyncRecord = {
      step,
      weight_decay: t.weightDecay ? t.weightDecay(step) : 1,
      train_loss: grokked ? 0.01 : 1 - trainAcc + 0.01,
      train_acc: spike ? trainAcc - 0.5 : trainAcc,
      val_loss: grokked ? 0.05 : 4,
      val_acc: valAcc,
      norm,
      fsd,
      top_frequency: 5,
      participation: fsd,
      median_rank: rank,
      rank1_fraction: rank <= 1 ? 0.8 : 0.1,
      fsd_alt: {
        'block0.mlp.post@grid': fsdSummary(fsd, rank),
        'block0.mlp.pre@grid': fsdSummary(fsd, rank),
        'block0.attn.out@grid': fsdSummary(fsd * 0.8, rank),
        'block1.mlp.post@grid': fsdSummary(fsd * 0.9, rank),
        'block0.mlp.post@train': fsdSummary(fsd, rank),
        'block0.mlp.post@validation': fsdSummary(fsd, rank),
      },
      fsd_gen: fsdGen,
      restricted_logit_loss: baseline,
      restricted_logit_loss_train: baseline,
      nanda_excluded_loss: null,
      nanda_restricted_loss: null,
      permutation: null,
      diverged: false,
    };
    // Group tasks record FSD_gen as the sync figure (train/measure.ts); the Z_{n!} control stays in fsd_alt.
    if (fsdGen !== null) record = { ...record, fsd: fsdGen, fsd_alt: { ...record.fsd_alt, 'block0.mlp.post@grid': fsdSummary(fsd, rank) } };
    if (t.tweak) record = t.tweak(record);
    out.push(record);
  }
  return out;
}
