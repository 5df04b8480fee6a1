/**
 * A run's events (metrics.md "Checkpoint metrics") under the analysis options (options.ts): which FSD series
 * drives sync (site, inputs), which rule finds it, which rule finds grokking, which restricted-logit loss
 * drives the baseline sync, and at which resolution the records are read. Detection itself is metrics' job;
 * this module only selects the series from the stored records.
 */
import type { CircuitSyncRecord } from './record.js';
import type { RunConfig } from '../../schema/runConfig.js';
import { atResolution as onGrid, CANONICAL_SYNC_RULE, detectEvents, parseSyncRule, spikeFlags, type TrajectoryPoint } from './events.js';
import { CANONICAL_FSD_SITE, fsdAltKey, hasSite } from '../../schema/sites.js';
import type { AnalysisOptions } from './options.js';
import { metricOptions } from './metricOptions.js';

export interface RunEvents {
  memorisation: number | null;
  /** FSD sync (FSD_gen sync for group tasks) under the options. */
  sync: number | null;
  /** Restricted-logit baseline sync. */
  baselineSync: number | null;
  grok: number | null;
  /** First step of a post-grokking collapse (metrics.md "Destabilised"), null when stable. */
  destabilised: number | null;
  spikes: number[];
  /** The sync checkpoint is a spike checkpoint under the options' `spike.rule`. */
  syncOnSpike: boolean;
  /** grok - sync (negative: FSD lags); null when either is missing. */
  lead: number | null;
  /** Events that fall on spike checkpoints (metrics.md "Spike"), e.g. "sync at 2500 is on a spike". */
  spikeFlags: string[];
  /** Last checkpoint step read. */
  lastStep: number;
  /** A non-finite loss was recorded. */
  diverged: boolean;
  /** Options that could not be applied to this run (e.g. a site the model lacks), and what was used instead. */
  notes: string[];
}

/** The records read at the chosen resolution: `coarse` keeps only steps that are multiples of coarseStep. */
export function atResolution(records: readonly CircuitSyncRecord[], options: AnalysisOptions, coarseStep: number): CircuitSyncRecord[] {
  return options.resolution === 'fine' ? [...records] : onGrid(records, coarseStep);
}

export interface FsdSeries {
  /** One value per record (null when the record lacks it). */
  fsd: (number | null)[];
  medianRank: (number | null)[];
  /** The `site@inputs` key used, or `configured` for record.fsd. */
  source: string;
  notes: string[];
}

/**
 * The Z_p FSD series under `fsdSite` / `fsdInputs`. The canonical site means the run's configured site
 * (record.fsd); an alternative site the model lacks falls back to the configured one, with a note.
 */
export function fsdSeries(records: readonly CircuitSyncRecord[], config: RunConfig, options: AnalysisOptions): FsdSeries {
  const notes: string[] = [];
  const configured = (): FsdSeries => ({ fsd: records.map((r) => r.fsd), medianRank: records.map((r) => r.median_rank), source: 'configured', notes });
  const fromAlt = (key: string): FsdSeries | null => {
    const fsd = records.map((r) => r.fsd_alt[key]?.fsd ?? null);
    if (fsd.every((v) => v === null)) return null;
    return { fsd, medianRank: records.map((r) => r.fsd_alt[key]?.median_rank ?? null), source: key, notes };
  };
  // fsd.basis: only multiplication has a multiplicative basis; every other task reads its answers additively.
  if (options.fsdBasis === 'multiplicative' && config.task.kind === 'mod_mul') {
    const key = fsdAltKey(metricOptions(config).fsd_site, 'grid', 'multiplicative');
    const series = fromAlt(key);
    if (series) {
      if (options.fsdSite !== CANONICAL_FSD_SITE || options.fsdInputs !== 'grid') notes.push('the multiplicative basis is recorded for the configured site on the grid only');
      return series;
    }
    notes.push(`no records of ${key} (the run predates fsd.basis); used the additive basis`);
  }
  const configuredSite = metricOptions(config).fsd_site;
  let site: string = options.fsdSite === CANONICAL_FSD_SITE ? configuredSite : options.fsdSite;
  if (!hasSite(config.model, site)) {
    notes.push(`site ${site} does not exist in this model; used ${configuredSite}`);
    site = configuredSite;
  }
  if (site === configuredSite && options.fsdInputs === 'grid') return configured();
  const key = fsdAltKey(site, options.fsdInputs);
  const series = fromAlt(key);
  if (series) return series;
  notes.push(`no records of ${key}; used the configured site on the grid`);
  return configured();
}

export interface EventSeriesChoice {
  /** Which series drives sync: `fsd` (options' site/inputs), `fsd_gen`, or `control` (plain FSD at the configured site on the grid). */
  series?: 'fsd' | 'fsd_gen' | 'control';
  /** Sync at this threshold (`threshold:X`) whatever the options' rule: C12's matched comparisons. */
  threshold?: number;
}

/**
 * The sync rule for the chosen series. FSD_gen syncs at its own threshold (0.50, metrics.md "FSD_gen"); the
 * thresholds of the alternatives and of the sweep are stated for FSD, so FSD_gen keeps its own (noted).
 */
function syncRuleFor(options: AnalysisOptions, groupThreshold: number | null, notes: string[]): string {
  if (groupThreshold === null) return options.syncRule;
  const rule = parseSyncRule(options.syncRule);
  const own = groupThreshold.toFixed(2);
  const keep = () => notes.push(`${options.syncRule} applies to FSD; FSD_gen keeps its threshold ${own}`);
  switch (rule.kind) {
    case 'threshold':
      if (options.syncRule !== CANONICAL_SYNC_RULE) keep();
      return `threshold:${own}`;
    case 'sustained':
      if (rule.threshold !== undefined) keep();
      return `sustained:${rule.count}@${own}`;
    case 'skip-spikes':
      if (rule.threshold !== undefined) keep();
      return `skip-spikes@${own}`;
    case 'plateau':
      return options.syncRule;
  }
}

export function runEvents(
  records: readonly CircuitSyncRecord[],
  config: RunConfig,
  options: AnalysisOptions,
  coarseStep: number,
  choice: EventSeriesChoice = {},
): RunEvents {
  const rs = atResolution(records, options, coarseStep);
  const notes: string[] = [];
  const isGroup = config.task.kind === 'sym';
  const series = choice.series ?? (isGroup ? 'fsd_gen' : 'fsd');
  let fsdValues: (number | null)[];
  let groupThreshold: number | null = null;
  if (series === 'fsd_gen') {
    fsdValues = rs.map((r) => r.fsd_gen);
    groupThreshold = metricOptions(config).sync_threshold;
    if (options.fsdSite !== CANONICAL_FSD_SITE || options.fsdInputs !== 'grid') notes.push('FSD_gen is recorded for the configured site on the grid only');
  } else if (series === 'control') {
    // For group tasks record.fsd is FSD_gen; the Z_{n!} control is plain FSD at the configured site (train/measure.ts).
    const key = fsdAltKey(metricOptions(config).fsd_site, 'grid');
    fsdValues = rs.map((r) => (isGroup ? (r.fsd_alt[key]?.fsd ?? null) : r.fsd));
  } else {
    const s = fsdSeries(rs, config, options);
    fsdValues = s.fsd;
    notes.push(...s.notes);
  }
  const syncRule = choice.threshold === undefined ? syncRuleFor(options, groupThreshold, notes) : `threshold:${choice.threshold}`;
  const points: TrajectoryPoint[] = rs.map((r, i) => ({
    step: r.step,
    trainAcc: r.train_acc,
    valAcc: r.val_acc,
    trainLoss: r.train_loss,
    valLoss: r.val_loss,
    fsd: fsdValues[i] ?? 0,
    baselineLoss: options.baselineInputs === 'grid' ? r.restricted_logit_loss : r.restricted_logit_loss_train,
  }));
  // `sustained:N` holds the series at the sync threshold of its kind (0.80 for FSD, 0.50 for FSD_gen).
  const ev = detectEvents(points, { sync: syncRule, grok: options.grokRule, spike: options.spikeRule, sustainedThreshold: groupThreshold ?? 0.8 });
  return {
    memorisation: ev.memorisation?.step ?? null,
    sync: ev.sync?.step ?? null,
    baselineSync: ev.baselineSync?.step ?? null,
    grok: ev.grokking?.step ?? null,
    destabilised: ev.destabilised?.step ?? null,
    spikes: ev.spikes,
    syncOnSpike: ev.sync?.onSpike ?? false,
    lead: ev.lead,
    spikeFlags: spikeFlags(ev),
    lastStep: rs.at(-1)?.step ?? -1,
    diverged: rs.some((r) => r.diverged),
    notes,
  };
}
