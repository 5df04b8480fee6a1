/**
 * What `grokcheck runs` and `show` read: a run store (runs/<id>/...), or a folder of exported records
 * (fixtures/records/<profile>/<id>.jsonl, read-only), so that the run ids a committed report cites can be
 * inspected without training.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LockInspection, RunStatus } from '../runs/store.js';
import type { CheckpointRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import { openStore, readRunRecords, summarizeRunConfig } from '../train/loop.js';
import { exportFileName, parseRun } from '../verify/recordsExport.js';

export interface RunView {
  id: string;
  /** `training` (a live process holds its lock), `interrupted` (running, but no live process holds it), or the status's state. */
  state: string;
  step: number | null;
  wall_s: number | null;
  engine: string | null;
  message: string | null;
  config: RunConfig | null;
  summary: string | null;
  /** Why parts of the run could not be read; empty for a healthy run. */
  problems: string[];
}

export interface RunSource {
  /** `run store DIR` or `exported records DIR (read-only)`. */
  describe: string;
  list(): RunView[];
  /** The run whose id starts with `prefix` (exactly one), with its records. */
  load(prefix: string): { view: RunView; status: RunStatus | null; records: CheckpointRecord[] };
}

/** `interrupted` for a status that says running while no live process holds the lock (killed, Ctrl-C). */
export function runState(status: RunStatus | null, lock: LockInspection): string {
  if (lock.state === 'held' && lock.alive !== false) return 'training';
  if (status?.state === 'running') return 'interrupted';
  return status?.state ?? 'no status';
}

function isExportFolder(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((n) => /^[0-9a-f]{16}\.jsonl$/.test(n));
}

function storeSource(dir: string): RunSource {
  const store = openStore(dir);
  const view = (id: string): RunView => {
    const s = store.summarize(id);
    return {
      id,
      state: runState(s.status, s.lock),
      step: s.status?.step ?? null,
      wall_s: s.status?.wall_s ?? null,
      engine: s.status?.engine ?? null,
      message: s.status?.message ?? null,
      config: s.identity?.config ?? null,
      summary: s.summary,
      problems: s.problems,
    };
  };
  return {
    describe: `run store ${dir}`,
    list: () => store.ids().map(view),
    load(prefix) {
      const id = store.find(prefix);
      const { config } = store.readConfig(id);
      return { view: view(id), status: store.readStatus(id), records: readRunRecords(store, id, config) };
    },
  };
}

function exportSource(dir: string): RunSource {
  const files = () => readdirSync(dir).filter((n) => /^[0-9a-f]{16}\.jsonl$/.test(n)).sort();
  const read = (name: string) => parseRun(readFileSync(join(dir, name), 'utf8'), join(dir, name));
  const view = (name: string): RunView => {
    const id = name.slice(0, 16);
    try {
      const run = read(name);
      return {
        id,
        state: run.status,
        step: run.records.at(-1)?.step ?? null,
        wall_s: run.wall_s,
        engine: run.engine,
        message: run.message ?? null,
        config: run.config,
        summary: summarizeRunConfig(run.config),
        problems: [],
      };
    } catch (error) {
      return { id, state: 'unreadable', step: null, wall_s: null, engine: null, message: null, config: null, summary: null, problems: [(error as Error).message] };
    }
  };
  return {
    describe: `exported records ${dir} (read-only)`,
    list: () => files().map(view),
    load(prefix) {
      const wanted = prefix.trim().toLowerCase();
      const matches = files().filter((n) => n.startsWith(wanted));
      if (matches.length !== 1)
        throw new Error(matches.length === 0 ? `no run id starts with '${wanted}' in ${dir}` : `run id prefix '${wanted}' is ambiguous in ${dir}: ${matches.map((m) => m.slice(0, 16)).join(', ')}`);
      const run = read(matches[0]);
      if (matches[0] !== exportFileName(run.id)) throw new Error(`${join(dir, matches[0])}: holds run ${run.id}`);
      const status: RunStatus = { state: run.status, step: run.records.at(-1)?.step ?? 0, updated: '', engine: run.engine, wall_s: run.wall_s, ...(run.message ? { message: run.message } : {}) };
      return { view: view(matches[0]), status, records: run.records };
    },
  };
}

/** A run store, or an exported records folder when `dir` holds `<id>.jsonl` files. */
export function runSourceAt(dir: string): RunSource {
  return isExportFolder(dir) ? exportSource(dir) : storeSource(dir);
}

/** Leaf values of a config by dotted path (`stop.max_steps`), for telling apart runs with the same summary. */
function leaves(value: unknown, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) for (const [p, x] of leaves(v, path ? `${path}.${k}` : k)) out.set(p, x);
  } else out.set(path, JSON.stringify(value));
  return out;
}

/**
 * For each run, the config fields (beyond its one-line summary) in which it differs from another run with the
 * same summary, as `path=value`: runs that differ only in step cap, batch size or eval cadence are told apart.
 */
export function distinguishingFields(views: readonly RunView[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const bySummary = new Map<string, RunView[]>();
  for (const v of views) if (v.summary && v.config) bySummary.set(v.summary, [...(bySummary.get(v.summary) ?? []), v]);
  for (const group of bySummary.values()) {
    if (group.length < 2) continue;
    const flat = group.map((v) => leaves(v.config));
    const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].filter((p) => new Set(flat.map((f) => f.get(p))).size > 1).sort();
    group.forEach((v, i) => out.set(v.id, paths.map((p) => `${p}=${flat[i].get(p) ?? 'absent'}`)));
  }
  return out;
}
