/**
 * Events of a checkpoint trajectory (shared/spec/metrics.md, "Checkpoint metrics" and the named options
 * `sync.rule`, `grok.rule` and `resolution`): memorisation, FSD sync, baseline sync, grokking,
 * destabilisation, loss spikes, and the lead of sync over grokking. Pure functions of the records: circuit-sync's
 * event detector (its sync event for training's triggers and kept checkpoints, `fork --at sync`, the analysis).
 * Memorisation and grokking, every paper's, are the core's (src/metrics/accuracyEvents.ts); the same steps here.
 */
import { CANONICAL_GROK_RULE, MEMORISATION_ACCURACY, parseGrokRule } from '../../metrics/accuracyEvents.js';
import type { CircuitSyncRecord as CircuitSyncRecord } from './record.js';

/** One checkpoint as the event rules see it. */
export interface TrajectoryPoint {
  step: number;
  trainAcc: number;
  valAcc: number;
  trainLoss: number;
  valLoss: number;
  /** The sync figure: FSD (Z_p) or FSD_gen (groups). */
  fsd: number;
  /** The restricted-logit loss (metrics.md), null when not measured. */
  baselineLoss: number | null;
}

/**
 * `sync.rule` (metrics.md "Named options"). `sustained` and `skip-spikes` hold a threshold too: their own
 * (`sustained:3@0.60`, `skip-spikes@0.60`, for the threshold sweep) or, absent, the series' sync threshold.
 */
export type SyncRule =
  | { kind: 'threshold'; threshold: number }
  | { kind: 'plateau'; tolerance: number }
  | { kind: 'sustained'; count: number; threshold?: number }
  /** The first checkpoint at or above the threshold that is no spike checkpoint and follows none (metrics.md). */
  | { kind: 'skip-spikes'; threshold?: number };

/** `spike.rule` (metrics.md): a drop of training accuracy below the previous checkpoint's, or a pre-grokking checkpoint below a training accuracy. */
export type SpikeRule = { kind: 'drop'; drop: number } | { kind: 'below'; trainAcc: number };
export const CANONICAL_SPIKE_RULE = 'drop:0.2';

/** Parses `drop:X` or `train_acc<X`. */
export function parseSpikeRule(rule: string): SpikeRule {
  const drop = /^drop:(\d+(?:\.\d+)?)$/.exec(rule.trim());
  if (drop) return { kind: 'drop', drop: Number(drop[1]) };
  const below = /^train_acc<(\d+(?:\.\d+)?)$/.exec(rule.trim());
  if (below) return { kind: 'below', trainAcc: Number(below[1]) };
  throw new RangeError(`unknown spike rule '${rule}' (expected drop:X or train_acc<X)`);
}

export const CANONICAL_SYNC_RULE = 'threshold:0.80';
/** FSD_gen's sync threshold (metrics.md "FSD_gen"): use `threshold:0.50` for group tasks. */
export const GROUP_SYNC_RULE = 'threshold:0.50';

/** Parses `threshold:X`, `plateau:X`, `sustained:N[@T]` or `skip-spikes[@T]` (the option values of metrics.md). */
export function parseSyncRule(rule: string): SyncRule {
  const text = rule.trim();
  const at = /@(\d+(?:\.\d+)?)$/.exec(text);
  const threshold = at ? Number(at[1]) : undefined;
  if (threshold !== undefined && threshold > 1) throw new RangeError(`sync threshold must lie in [0, 1], got ${threshold}`);
  const base = at ? text.slice(0, at.index) : text;
  if (base === 'skip-spikes') return threshold === undefined ? { kind: 'skip-spikes' } : { kind: 'skip-spikes', threshold };
  const m = /^(threshold|plateau|sustained):(\d+(?:\.\d+)?)$/.exec(base);
  if (!m || (at && m[1] !== 'sustained')) throw new RangeError(`unknown sync rule '${rule}' (expected threshold:X, plateau:X, sustained:N[@T] or skip-spikes[@T])`);
  const value = Number(m[2]);
  if (m[1] === 'threshold') {
    if (value > 1) throw new RangeError(`sync threshold must lie in [0, 1], got ${value}`);
    return { kind: 'threshold', threshold: value };
  }
  if (m[1] === 'plateau') return { kind: 'plateau', tolerance: value };
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`sustained:N needs a positive integer N, got ${m[2]}`);
  return threshold === undefined ? { kind: 'sustained', count: value } : { kind: 'sustained', count: value, threshold };
}


export interface EventOptions {
  /** `sync.rule`, canonical `threshold:0.80`. */
  sync?: string | SyncRule;
  /** `grok.rule`, canonical `val>=0.95`. */
  grok?: string;
  /** Memorisation: first checkpoint with training accuracy >= this (metrics.md: 0.99). */
  memorisationAccuracy?: number;
  /** The FSD level `sustained:N` must hold (metrics.md: 0.80). */
  sustainedThreshold?: number;
  /** `plateau:X` averages the FSD of this many last post-grokking checkpoints (metrics.md: 5). */
  plateauWindow?: number;
  /** Baseline sync: first checkpoint whose restricted-logit loss is below this (metrics.md: 0.5 nats). */
  baselineLoss?: number;
  /** `spike.rule`, canonical `drop:0.2` (training accuracy more than 0.2 below the previous checkpoint's). */
  spike?: string | SpikeRule;
  /** Destabilised: validation accuracy below this ... (metrics.md: 0.5) */
  collapseAccuracy?: number;
  /** ... for this many consecutive checkpoints after grokking (metrics.md: 3). */
  collapseRun?: number;
}

export interface TrajectoryEvent {
  step: number;
  /** Index of the checkpoint in the trajectory. */
  index: number;
  /** The checkpoint is a spike checkpoint: the event may be an artefact of a slingshot. */
  onSpike: boolean;
}

export interface DestabilisationEvent extends TrajectoryEvent {
  /** `collapse`: validation accuracy < 0.5 for 3+ checkpoints after grokking; `non-finite`: a NaN/inf loss. */
  reason: 'collapse' | 'non-finite';
}

export interface TrajectoryEvents {
  memorisation: TrajectoryEvent | null;
  sync: TrajectoryEvent | null;
  baselineSync: TrajectoryEvent | null;
  grokking: TrajectoryEvent | null;
  destabilised: DestabilisationEvent | null;
  /** Steps of the spike checkpoints. */
  spikes: number[];
  /** Grokking step - sync step (negative: FSD lags); null when either is missing. */
  lead: number | null;
  /** Grokking step - baseline sync step; null when either is missing. */
  baselineLead: number | null;
}

/** Keeps the checkpoints on a coarser grid (metrics.md `resolution`: 500 reads the paper's grid off 100-step records). */
export function atResolution<T extends { step: number }>(points: readonly T[], resolution: number): T[] {
  if (!Number.isInteger(resolution) || resolution <= 0) throw new RangeError(`resolution must be a positive integer, got ${resolution}`);
  return points.filter((p) => p.step % resolution === 0);
}

function firstIndex(points: readonly TrajectoryPoint[], test: (p: TrajectoryPoint, i: number) => boolean, from = 0): number {
  for (let i = from; i < points.length; i++) if (test(points[i], i)) return i;
  return -1;
}

/**
 * Spike checkpoints under `rule`: training accuracy more than `drop` below the previous checkpoint's; or, for
 * `train_acc<X`, a checkpoint before grokking (`grokIndex`, -1: never grokked) whose training accuracy is below X.
 */
export function spikeIndices(points: readonly TrajectoryPoint[], rule: SpikeRule = { kind: 'drop', drop: 0.2 }, grokIndex = -1): number[] {
  const out: number[] = [];
  if (rule.kind === 'drop') {
    for (let i = 1; i < points.length; i++) if (points[i].trainAcc < points[i - 1].trainAcc - rule.drop) out.push(i);
    return out;
  }
  const end = grokIndex < 0 ? points.length : grokIndex;
  for (let i = 0; i < end; i++) if (points[i].trainAcc < rule.trainAcc) out.push(i);
  return out;
}

/** The index of the sync checkpoint under `rule` (needs the grokking index for `plateau`, the spikes for `skip-spikes`), or -1. */
export function syncIndex(points: readonly TrajectoryPoint[], rule: SyncRule, grokIndex: number, options: EventOptions = {}, spikes: ReadonlySet<number> = new Set()): number {
  switch (rule.kind) {
    case 'threshold':
      return firstIndex(points, (p) => p.fsd >= rule.threshold);
    case 'skip-spikes': {
      const level = rule.threshold ?? options.sustainedThreshold ?? 0.8;
      return firstIndex(points, (p, i) => p.fsd >= level && !spikes.has(i) && !(i > 0 && spikes.has(i - 1)));
    }
    case 'sustained': {
      const level = rule.threshold ?? options.sustainedThreshold ?? 0.8;
      let run = 0;
      for (let i = 0; i < points.length; i++) {
        run = points[i].fsd >= level ? run + 1 : 0;
        if (run === rule.count) return i - rule.count + 1;
      }
      return -1;
    }
    case 'plateau': {
      // The post-grokking level: mean FSD of the last `window` checkpoints at or after grokking.
      if (grokIndex < 0) return -1;
      const window = options.plateauWindow ?? 5;
      const tail = points.slice(Math.max(grokIndex, points.length - window));
      const level = tail.reduce((sum, p) => sum + p.fsd, 0) / tail.length;
      // The first checkpoint from which FSD stays within the tolerance of that level.
      let from = -1;
      for (let i = points.length - 1; i >= 0; i--) {
        if (!(Math.abs(points[i].fsd - level) <= rule.tolerance)) break;
        from = i;
      }
      return from;
    }
  }
}

export function detectEvents(points: readonly TrajectoryPoint[], options: EventOptions = {}): TrajectoryEvents {
  const syncRule = typeof options.sync === 'object' ? options.sync : parseSyncRule(options.sync ?? CANONICAL_SYNC_RULE);
  const grokAccuracy = parseGrokRule(options.grok ?? CANONICAL_GROK_RULE);
  const grokIndex = firstIndex(points, (p) => p.valAcc >= grokAccuracy);
  const spikeRule = typeof options.spike === 'object' ? options.spike : parseSpikeRule(options.spike ?? CANONICAL_SPIKE_RULE);
  const spikes = spikeIndices(points, spikeRule, grokIndex);
  const spikeSet = new Set(spikes);
  const event = (index: number): TrajectoryEvent | null =>
    index < 0 ? null : { step: points[index].step, index, onSpike: spikeSet.has(index) };

  const memorisation = event(firstIndex(points, (p) => p.trainAcc >= (options.memorisationAccuracy ?? MEMORISATION_ACCURACY)));
  const sync = event(syncIndex(points, syncRule, grokIndex, options, spikeSet));
  const baselineThreshold = options.baselineLoss ?? 0.5;
  const baselineSync = event(firstIndex(points, (p) => p.baselineLoss !== null && p.baselineLoss < baselineThreshold));
  const grokking = event(grokIndex);

  // Destabilised: the earlier of a non-finite loss (anywhere) and a post-grokking collapse.
  const nonFinite = firstIndex(points, (p) => !Number.isFinite(p.trainLoss) || !Number.isFinite(p.valLoss));
  let collapse = -1;
  if (grokIndex >= 0) {
    const below = options.collapseAccuracy ?? 0.5;
    const need = options.collapseRun ?? 3;
    let run = 0;
    for (let i = grokIndex + 1; i < points.length && collapse < 0; i++) {
      run = points[i].valAcc < below ? run + 1 : 0;
      if (run === need) collapse = i - need + 1;
    }
  }
  let destabilised: DestabilisationEvent | null = null;
  if (nonFinite >= 0 && (collapse < 0 || nonFinite <= collapse)) destabilised = { ...event(nonFinite)!, reason: 'non-finite' };
  else if (collapse >= 0) destabilised = { ...event(collapse)!, reason: 'collapse' };

  return {
    memorisation,
    sync,
    baselineSync,
    grokking,
    destabilised,
    spikes: spikes.map((i) => points[i].step),
    lead: grokking && sync ? grokking.step - sync.step : null,
    baselineLead: grokking && baselineSync ? grokking.step - baselineSync.step : null,
  };
}

/** A checkpoint record as the canonical rules see it: its own FSD (FSD_gen for groups) and grid restricted-logit loss. */
export function recordPoint(r: CircuitSyncRecord): TrajectoryPoint {
  return {
    step: r.step,
    trainAcc: r.train_acc,
    valAcc: r.val_acc,
    trainLoss: r.train_loss,
    valLoss: r.val_loss,
    fsd: r.fsd,
    baselineLoss: r.restricted_logit_loss,
  };
}

export interface EventSteps {
  memorisation: number | null;
  sync: number | null;
  grok: number | null;
}

/**
 * Memorisation, sync and grokking steps of a run's records under the canonical rules, with the run's own sync
 * threshold (0.80, or FSD_gen's 0.50): what training needs while it runs (schedule triggers, the checkpoints
 * it keeps, the stop rule) and where `grokcheck fork --at` starts.
 */
export function eventSteps(records: readonly CircuitSyncRecord[], syncThreshold: number): EventSteps {
  const ev = canonicalEvents(records, syncThreshold);
  return { memorisation: ev.memorisation?.step ?? null, sync: ev.sync?.step ?? null, grok: ev.grokking?.step ?? null };
}


/** Every event of a run's records under the canonical rules (metrics.md), with the run's own sync threshold. */
export function canonicalEvents(records: readonly CircuitSyncRecord[], syncThreshold: number): TrajectoryEvents {
  return detectEvents(records.map(recordPoint), { sync: { kind: 'threshold', threshold: syncThreshold } });
}

/** "sync at 2500 is on a spike checkpoint" for every event that falls on one (metrics.md "Spike"). */
export function spikeFlags(ev: TrajectoryEvents): string[] {
  const named: [string, TrajectoryEvent | null][] = [
    ['memorisation', ev.memorisation],
    ['sync', ev.sync],
    ['baseline sync', ev.baselineSync],
    ['grokking', ev.grokking],
    ['destabilisation', ev.destabilised],
  ];
  return named.filter(([, e]) => e?.onSpike).map(([name, e]) => `${name} at ${e!.step} is on a spike checkpoint`);
}
