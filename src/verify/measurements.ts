/**
 * A paper's measurements after training (src/paper/paper.ts `Measurement`, e.g. C14's ablation): stored as
 * runs/<id>/<name>.json beside the run, read back with the measurement's schema, exported with the records.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineKind, EngineOptions } from '../engine/engine.js';
import type { AnyPaper, CheckpointReader, Measurement } from '../paper/paper.js';
import type { RunData, RunSet } from '../paper/runSet.js';
import { writeFileAtomic } from '../runs/atomic.js';
import { formatZodError } from '../schema/parse.js';
import { engineAtCheckpoint, openStore } from '../train/loop.js';

export function measurementFile(runDir: string, name: string): string {
  return join(runDir, `${name}.json`);
}

/** The stored result of `measurement` for the run in `runDir`, validated; undefined when there is none. */
export function readMeasurement(runDir: string, measurement: Pick<Measurement, 'name' | 'schema'>): unknown {
  const file = measurementFile(runDir, measurement.name);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = measurement.schema.safeParse(json);
  if (!parsed.success) throw new Error(`${file}: not a valid ${measurement.name} result: ${formatZodError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}

/** Every stored measurement of the run in `runDir`, by name. */
export function readMeasurements(runDir: string, measurements: readonly Pick<Measurement, 'name' | 'schema'>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of measurements) {
    const value = readMeasurement(runDir, m);
    if (value !== undefined) out[m.name] = value;
  }
  return out;
}

/** A run's kept checkpoints, read from the store when asked. */
function checkpointReader(store: ReturnType<typeof openStore>, id: string): CheckpointReader {
  return { steps: store.listCheckpoints(id).map((c) => c.step), read: (step) => store.readCheckpoint(id, step).state };
}

export function writeMeasurement(runDir: string, name: string, value: unknown): void {
  writeFileAtomic(measurementFile(runDir, name), `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Makes every measurement the set asks for that is not stored yet (or belongs to another run or step), with an
 * engine restored at the target checkpoint; returns the set with each run's measurements attached.
 */
export async function ensureMeasurements<S extends RunSet>(
  paper: AnyPaper,
  set: S,
  storeRoot: string,
  engine: EngineKind,
  engineOptions?: EngineOptions,
  /** Measure only runs this accepts (a shard measures its own runs). */
  include: (run: RunData) => boolean = () => true,
): Promise<S> {
  const store = openStore(storeRoot);
  const runs = new Map(set.runs);
  for (const measurement of paper.measurements as readonly Measurement[])
    for (const target of measurement.targets(set)) {
      const run = runs.get(target.key);
      if (!run || run.state !== 'complete' || !include(run)) continue;
      const dir = store.paths(run.id).dir;
      const stored = existsSync(dir) ? readMeasurement(dir, measurement) : undefined;
      let value = stored;
      if (stored === undefined || !measurement.isCurrent(stored, run.id, target.step)) {
        const e = await engineAtCheckpoint(storeRoot, run.id, target.step, engine, engineOptions);
        try {
          value = await measurement.measure(e, run, target.step, checkpointReader(store, run.id));
        } finally {
          e.dispose();
        }
        writeMeasurement(dir, measurement.name, value);
      }
      runs.set(target.key, { ...run, measurements: { ...run.measurements, [measurement.name]: value } });
    }
  return { ...set, runs };
}
