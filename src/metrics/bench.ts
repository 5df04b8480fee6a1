/**
 * FSD speed on the paper's largest case (shared/spec/design.md, "Performance targets": FSD with a
 * 1000-replicate permutation test, p = 131, 512 units, <= 0.5 s): median milliseconds of fsdWithNullTest (answer
 * response, spectrum, FSD, ranks and the permutation null on the native kernel) on full-grid Float32
 * activations. Measured with tinybench; speed is never asserted in tests.
 */
import { Bench } from 'tinybench';
import { Rng } from '../random/rng.js';
import { makeTask } from '../tasks/task.js';
import { fsdWithNullTest } from './fsdSummary.js';

export interface FsdBenchFigures {
  fsd_perm_ms: { p131_512u_1000: number };
}

export interface FsdBenchOptions {
  /** A few iterations only: for smoke runs, not for figures. */
  quick?: boolean;
  /** Native kernel threads (default 2). */
  threads?: number;
}

/** Activations with a shared frequency in a third of the units and noise elsewhere, [p^2, units] float32. */
function benchActivations(p: number, units: number): { activations: Float32Array; labels: Int32Array } {
  const task = makeTask('mod_add', p);
  const rng = new Rng(131);
  const activations = new Float32Array(task.gridSize * units);
  for (let row = 0; row < task.gridSize; row++) {
    const s = task.labels[row];
    for (let j = 0; j < units; j++)
      activations[row * units + j] = rng.normal() + (j % 3 === 0 ? Math.cos((2 * Math.PI * 7 * s) / p + j) : 0);
  }
  return { activations, labels: task.labels };
}

export function benchFsd(options: FsdBenchOptions = {}): FsdBenchFigures {
  const p = 131;
  const units = 512;
  const { activations, labels } = benchActivations(p, units);
  const quick = options.quick ?? false;
  const bench = new Bench({
    throws: true,
    ...(quick ? { time: 0, iterations: 2, warmupTime: 0, warmupIterations: 1 } : { time: 3000, iterations: 10, warmupTime: 500, warmupIterations: 2 }),
  });
  bench.add('fsd_perm p131 512u 1000', () => {
    fsdWithNullTest(activations, units, labels, p, { replicates: 1000, seed: 1, kernel: 'native', threads: options.threads ?? 2 });
  });
  bench.runSync();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`FSD benchmark did not complete (${result.state})`);
  return { fsd_perm_ms: { p131_512u_1000: result.latency.p50 } };
}
