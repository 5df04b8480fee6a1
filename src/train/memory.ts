/**
 * Memory a run's checkpoint needs, checked before anything is allocated: one checkpoint evaluates the full grid
 * (p^2 rows, or (n!)^2 for S_n) with every FSD site captured and the logits kept, so at p = 997 it needs tens of
 * GiB (a user's `--p 997` run once took 19.9 GB of a 24 GB machine before anything was written). A configuration
 * that does not fit the machine's available memory is refused with the estimate.
 */
import { existsSync, readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { ConfigError } from '../schema/parse.js';
import type { RunConfig } from '../schema/runConfig.js';
import { fsdSitesOf, siteUnits } from '../schema/sites.js';
import { taskElements } from '../schema/task.js';

export interface MemoryEstimate {
  bytes: number;
  /** The grid rows evaluated at each checkpoint. */
  gridRows: number;
  /** What the estimate counts, in words. */
  parts: string;
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
  const captured = fsdSitesOf(model).reduce((n, site) => n + siteUnits(model, site), 0);
  const canonical = siteUnits(model, config.metrics.fsd_site);
  const perRow = 4 * captured + 4 * canonical + 4 * model.d_mlp + (4 + 4 + 8 + 8) * model.classes;
  return {
    bytes: rows * perRow,
    gridRows: rows,
    parts: `${rows} grid rows x (${captured} captured units + ${canonical} canonical-site copies + ${model.d_mlp} override values, 4 bytes each, + ${model.classes} classes x 24 bytes of logits and projections)`,
  };
}

/**
 * What the kernel says a new allocation can take without swapping (MemAvailable), else the free memory; the
 * environment variable GROKCHECK_MEMORY_GIB caps it (to keep grokcheck within a share of a shared machine).
 */
export function availableMemory(): number {
  const cap = Number(process.env.GROKCHECK_MEMORY_GIB);
  const machine = machineAvailable();
  return Number.isFinite(cap) && cap > 0 ? Math.min(cap * 2 ** 30, machine) : machine;
}

function machineAvailable(): number {
  const meminfo = '/proc/meminfo';
  if (existsSync(meminfo)) {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync(meminfo, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  }
  return freemem();
}

/** The share of the available memory a run may plan to take. */
export const MEMORY_HEADROOM = 0.8;

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Throws a ConfigError (exit 2) when one checkpoint of `config` would not fit `available` bytes. */
export function checkMemory(config: RunConfig, available: number = availableMemory()): MemoryEstimate {
  const estimate = checkpointMemory(config);
  if (estimate.bytes > MEMORY_HEADROOM * available) {
    const size = config.task.kind === 'sym' ? `S_${config.task.n}` : `p = ${config.task.n}`;
    throw new ConfigError(
      `${size} needs about ${gib(estimate.bytes)} for one checkpoint's full-grid evaluation (${estimate.parts}); ` +
        `this machine has ${gib(available)} available, and a run may plan on ${Math.round(100 * MEMORY_HEADROOM)}% of it. ` +
        'Use a smaller p (the paper uses p <= 131) or a machine with more memory.',
    );
  }
  return estimate;
}
