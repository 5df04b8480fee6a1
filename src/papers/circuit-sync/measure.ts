/**
 * Circuit-sync's measurements of one checkpoint (metrics.md "Checkpoint metrics"), the paper's CheckpointMeasures
 * (src/train/measures.ts): one full-grid evaluation with the
 * activation captures, from which train/validation loss and accuracy, FSD (canonical site and the named
 * alternatives), the Fourier ranks, the permutation test, the restricted-logit baseline and Nanda's progress
 * measures are derived.
 */
import type { AsyncEngine, TrainingState } from '../../engine/engine.js';
import { fsdAltKey, fsdSitesOf, siteUnits, type SiteName } from '../../schema/sites.js';
import type { Split, Task } from '../../tasks/task.js';
import { fourierFsd, multiplicativeFsd, type FourierFsd } from '../../metrics/fsd.js';
import { summariseFourierFsd } from '../../metrics/fsdSummary.js';
import { canonicalEvents, eventSteps, spikeFlags } from './events.js';
import { gaussianNull, permutationNull, summariseNull } from '../../metrics/fsdNull.js';
import type { CoreRecord } from '../../schema/record.js';
import { circuitSyncRecordLayout, type CircuitSyncRecord, type FsdSummary } from './record.js';
import type { RunConfig } from '../../schema/runConfig.js';
import { taskElements } from '../../schema/task.js';
import { coreRecordFields, type CheckpointCost, type CheckpointMeasures, type MemoryEstimate, type RunDescription } from '../../train/measures.js';
import { circuitSyncMetricOptions, metricOptions } from './metricOptions.js';
import { baselineMeasures, groupFsd, groupFsdBasis } from './circuitMeasures.js';
import { gatherRows } from '../../tasks/rows.js';
import { residualSite } from '../../schema/sites.js';


export async function measureCheckpoint(
  engine: AsyncEngine,
  task: Task,
  split: Split,
  config: RunConfig,
  step: number,
  weightDecay: number,
  previous: readonly CircuitSyncRecord[],
  /** The engine's state when the caller has already read it (the loop writes it as the checkpoint too). */
  known?: TrainingState,
): Promise<CircuitSyncRecord> {
  const sites = fsdSitesOf(config.model);
  // One pass captures every FSD site and the residual the restricted-logit losses finish from (circuitMeasures.ts).
  const residual = task.kind === 'sym' ? null : residualSite(config);
  const grid = await engine.evaluate({ tokens: task.tokens, labels: task.labels, capture: residual ? [...sites, residual] : sites, logits: true });
  const logits = grid.logits!;
  const state = known ?? (await engine.getState());
  const options = metricOptions(config);
  const canonicalSite = options.fsd_site;
  const head = coreRecordFields({ logits, classes: config.model.classes, params: state.params, step, weightDecay }, task, split);
  if (!Number.isFinite(grid.loss)) return divergedRecord(head);
  const isGroup = task.kind === 'sym';

  // FSD (Z_p) or its cyclic "Z_n! control" (sym) at every site on the grid, and at the configured site on
  // the train and validation rows (metrics.md `fsd.inputs`).
  const fsdAlt: Record<string, FsdSummary> = {};
  const gridFsd: Partial<Record<SiteName, FourierFsd>> = {};
  let canonical: FourierFsd | undefined;
  for (const site of sites) {
    const units = siteUnits(config.model, site);
    const acts = grid.captures[site]!;
    const result = fourierFsd(acts, units, task.labels, task.classes);
    gridFsd[site] = result;
    fsdAlt[fsdAltKey(site, 'grid')] = summariseFourierFsd(result);
    if (site === canonicalSite) {
      canonical = result;
      for (const [name, rows] of [['train', split.train], ['validation', split.validation]] as const) {
        const subset = gatherRows(acts, units, rows) as Float32Array;
        fsdAlt[fsdAltKey(site, name)] = summariseFourierFsd(fourierFsd(subset, units, gatherRows(task.labels, 1, rows) as Int32Array, task.classes));
      }
      if (task.kind === 'mod_mul') fsdAlt[fsdAltKey(site, 'grid', 'multiplicative')] = summariseFourierFsd(multiplicativeFsd(acts, units, task.labels, task.n));
    }
  }
  if (!canonical) throw new Error(`site ${canonicalSite} is not available for a ${config.model.variant} model`);
  const canonicalSummary = fsdAlt[fsdAltKey(canonicalSite, 'grid')];
  const fsdGen = isGroup ? groupFsd(grid.captures[canonicalSite]!, siteUnits(config.model, canonicalSite), task) : null;
  const syncFigure = fsdGen ?? canonicalSummary.fsd;

  // Permutation test (metrics.md) at the paper's 500-step grid and at the first sync checkpoint.
  const firstSync = syncFigure >= options.sync_threshold && eventSteps(previous, options.sync_threshold).sync === null;
  let permutation: CircuitSyncRecord['permutation'] = null;
  if (options.permutations > 0 && !isGroup && (step % 500 === 0 || firstSync)) {
    const counted = Uint8Array.from(canonical.dominant, (d) => (d >= 0 ? 1 : 0));
    const nullDist = permutationNull(canonical.centred, counted, canonical.basis, { replicates: options.permutations, seed: step, denormals: engine.denormals });
    permutation = summariseNull(canonical.fsd, nullDist.values);
  }
  // FSD_gen's null (metrics.md "FSD_gen": i.i.d. Gaussian activations of the same shape), on the same steps.
  let gaussian: CircuitSyncRecord['gaussian_null'] = undefined;
  if (isGroup) {
    gaussian = null;
    if (options.permutations > 0 && (step % 500 === 0 || firstSync)) {
      const units = siteUnits(config.model, canonicalSite);
      const basis = groupFsdBasis(task);
      const nullDist = gaussianNull(units, answerCounts(task.labels, basis.size), basis, { replicates: options.permutations, seed: step, denormals: engine.denormals });
      gaussian = summariseNull(fsdGen!, nullDist.values);
    }
  }

  const baselines = await baselineMeasures(engine, task, split, config, grid, { params: state.params, gridFsd });
  const diverged = !Number.isFinite(head.train_loss) || !Number.isFinite(head.val_loss) || !Number.isFinite(grid.loss);
  return {
    ...head,
    fsd: syncFigure,
    top_frequency: canonicalSummary.top_frequency,
    participation: canonicalSummary.participation,
    median_rank: canonicalSummary.median_rank,
    rank1_fraction: canonicalSummary.rank1_fraction,
    fsd_alt: fsdAlt,
    fsd_gen: fsdGen,
    ...baselines,
    permutation,
    ...(gaussian === undefined ? {} : { gaussian_null: gaussian }),
    diverged,
  };
}

/**
 * An upper estimate of one checkpoint's peak memory (circuit-sync's checkpoint measures): the engine's outputs (logits, 4 bytes
 * per class, and every site's capture, 4 bytes per unit, per row), the train/validation copies of the canonical
 * site, the restricted-logit override (d_mlp per row) with its logits, and Nanda's excluded and restricted
 * logits (2 x 4 bytes per class) with their float64 projections (8 bytes per class) per row.
 */
export function checkpointMemory(config: RunConfig): MemoryEstimate {
  const elements = taskElements(config.task.kind, config.task.n);
  const rows = elements * elements;
  const { model } = config;
  const captured = capturedUnits(model);
  const canonical = siteUnits(model, metricOptions(config).fsd_site);
  const perRow = 4 * captured + 4 * canonical + 4 * model.d_mlp + (4 + 4 + 8 + 8) * model.classes;
  return {
    bytes: rows * perRow,
    gridRows: rows,
    parts: `${rows} grid rows x (${captured} captured units + ${canonical} canonical-site copies + ${model.d_mlp} override values, 4 bytes each, + ${model.classes} classes x 24 bytes of logits and projections)`,
  };
}

/**
 * Circuit-sync's checkpoint measures for the training loop: its records (above), its sync event (FSD >= the run's
 * sync threshold; its checkpoint is kept, and `grokcheck fork --at sync` starts there) and the schedule trigger
 * `fsd` that fires at it.
 */
export const circuitSyncMeasures: CheckpointMeasures<CircuitSyncRecord> = {
  options: circuitSyncMetricOptions,
  record: circuitSyncRecordLayout,
  figures: [
    { key: 'fsd', header: 'FSD', digits: 3, progress: true, value: (r) => r.fsd },
    { key: 'median_rank', header: 'rank', digits: 0, progress: false, value: (r) => r.median_rank },
    { key: 'restricted_logit_loss', header: 'restricted-logit', digits: 3, progress: false, value: (r) => r.restricted_logit_loss },
  ],
  measure: measureCheckpoint,
  events: (records, config) => ({ sync: eventSteps(records, metricOptions(config).sync_threshold).sync }),
  triggers: { fsd: 'sync' },
  memory: checkpointMemory,
  cost: checkpointCost,
  costKey: (config) => {
    const { fsd_site, permutations } = metricOptions(config);
    return [fsd_site, permutations];
  },
  describe: describeRun,
  summary: [
    { column: 'mem', event: 'memorisation' },
    { column: 'sync', event: 'sync' },
    { column: 'grok', event: 'grokking' },
    { column: 'lead', event: 'lead' },
  ],
};

/**
 * A checkpoint's multiply-adds beyond the grid forward: the FSDs of every site (4 per unit and row) and the
 * losses' projections (8 per class and row); the permutation null at every 500th step (metrics.md), each
 * replicate an FSD of the canonical site.
 */
function checkpointCost(config: RunConfig): CheckpointCost {
  const { model } = config;
  const elements = taskElements(config.task.kind, config.task.n);
  const grid = elements * elements;
  const fsdUnits = capturedUnits(model);
  const { permutations, fsd_site } = metricOptions(config);
  return {
    units: grid * (fsdUnits * 4 + model.classes * 8),
    dear: permutations > 0 ? { every: 500, units: permutations * siteUnits(model, fsd_site) * grid } : null,
  };
}

/**
 * A run's events under the canonical rules of metrics.md "Checkpoint metrics" (events.ts; the
 * verdict report's canonical analysis reads the same), with the events on spike checkpoints flagged.
 */
function describeRun(records: readonly CircuitSyncRecord[], config: RunConfig): RunDescription {
  const ev = canonicalEvents(records, metricOptions(config).sync_threshold);
  const step = (e: { step: number } | null) => e?.step ?? null;
  const events = {
    memorisation: step(ev.memorisation),
    sync: step(ev.sync),
    baseline_sync: step(ev.baselineSync),
    grokking: step(ev.grokking),
    destabilised: step(ev.destabilised),
    lead: ev.lead,
    baseline_lead: ev.baselineLead,
  };
  const marks = [events.memorisation, events.sync, events.grokking, events.baseline_sync, events.destabilised].filter((s): s is number => s !== null);
  return { events, marks, flags: spikeFlags(ev) };
}

/** The units a checkpoint captures: every FSD site of the model (measureCheckpoint's one evaluation). */
function capturedUnits(model: RunConfig['model']): number {
  return fsdSitesOf(model).reduce((n, site) => n + siteUnits(model, site), 0);
}

function answerCounts(labels: Int32Array, size: number): Int32Array {
  const counts = new Int32Array(size);
  for (const c of labels) counts[c]++;
  return counts;
}

/** The fields every record has whatever happened to the metrics. */
type RecordHead = Omit<CoreRecord, 'diverged'>;

/** A checkpoint whose loss is not finite: the metrics are undefined (NaN), the run stops here (loop.ts). */
function divergedRecord(head: RecordHead): CircuitSyncRecord {
  return {
    ...head,
    fsd: NaN,
    top_frequency: null,
    participation: NaN,
    median_rank: null,
    rank1_fraction: NaN,
    fsd_alt: {},
    fsd_gen: null,
    restricted_logit_loss: null,
    restricted_logit_loss_train: null,
    nanda_excluded_loss: null,
    nanda_restricted_loss: null,
    permutation: null,
    diverged: true,
  };
}
