/**
 * Memory a run's checkpoint needs, checked before anything is allocated: one checkpoint evaluates the full grid
 * (p^2 rows, or (n!)^2 for S_n) with the paper's captures and the logits kept, so at p = 997 it needs tens of
 * GiB (a user's `--p 997` run once took 19.9 GB of a 24 GB machine before anything was written). A configuration
 * that does not fit the machine's available memory is refused with the paper's estimate (CheckpointMeasures.memory).
 */
import { existsSync, readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { ConfigError } from '../schema/parse.js';
import type { RunConfig } from '../schema/runConfig.js';
import type { CheckpointMeasures, MemoryEstimate } from './measures.js';


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

/**
 * Throws a ConfigError (exit 2) when one checkpoint of `config` would not fit `available` bytes, as the paper's
 * checkpoint measures estimate it (CheckpointMeasures.memory).
 */
export function checkMemory(config: RunConfig, measures: Pick<CheckpointMeasures, 'memory'>, available: number = availableMemory()): MemoryEstimate {
  const estimate = measures.memory(config);
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
