/**
 * What `grokcheck runs` and `show` read: a run store (runs/<id>/...), or a folder of exported records
 * (fixtures/records/<profile>/<id>.jsonl, read-only), so that the run ids a committed report cites can be
 * inspected without training. When the folder belongs to a profile (its name is the profile's label, as
 * `runs/paper` or `fixtures/records/small`, or --profile says so), every run also carries the experiment keys
 * the report names it by (`main/p97/s42`), and `show` takes a key as well as an id.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { CheckpointMeasures } from '../train/measures.js';
import type { AnyPaper, Profile } from '../paper/paper.js';
import type { RoleBase } from '../paper/runSet.js';
import type { LockInspection, RunStatus } from '../runs/store.js';
import { RUN_ID_LENGTH } from '../schema/canonical.js';
import type { CoreRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import { divergedAt, openStore, readRunRecords, summarizeRunConfig } from '../train/loop.js';
import { recordsSource } from '../verify/pipeline.js';
import { exportFileName, isExportFolder, parseRun } from '../verify/recordsExport.js';
import { assembleRunSet } from '../verify/runSet.js';
import { storeSource as profileStoreSource } from '../verify/trainProfile.js';
import { UsageError } from './command.js';

/** The events a reviewer reads first, as the paper names them (CheckpointMeasures.summary), null where none. */
export type RunEvents = Record<string, number | null>;

export interface RunView {
  id: string;
  /**
   * `training` (a live process holds its lock), `interrupted` (running, but no live process holds it),
   * `diverged` (it ended on a non-finite loss: see diverged_at), or the status's state.
   */
  state: string;
  step: number | null;
  wall_s: number | null;
  engine: string | null;
  message: string | null;
  config: RunConfig | null;
  summary: string | null;
  /** The experiment keys of the folder's profile that name this run (a main run is also a replicate); [] when unknown. */
  keys: string[];
  events: RunEvents | null;
  /** The step of the record with a non-finite loss that ended the run, or null. */
  diverged_at: number | null;
  /** Why parts of the run (config, status, lock, records) could not be read; empty for a healthy run. */
  problems: string[];
}

export interface RunSource {
  /** `run store DIR` or `exported records DIR (read-only)`, with its profile when known. */
  describe: string;
  list(): RunView[];
  /** The run named by `ref` (an experiment key, or a unique id prefix), with its records; undefined: not here. */
  find(ref: string): string | undefined;
  load(id: string): { view: RunView; status: RunStatus | null; records: CoreRecord[] };
}

/** `interrupted` for a status that says running while no live process holds the lock (killed, Ctrl-C). */
export function runState(status: RunStatus | null, lock: LockInspection): string {
  if (lock.state === 'held' && lock.alive !== false) return 'training';
  if (status?.state === 'running') return 'interrupted';
  return status?.state ?? 'no status';
}

const RUN_FILE = new RegExp(`^[0-9a-f]{${RUN_ID_LENGTH}}\\.jsonl$`);
const RUN_DIR = new RegExp(`^[0-9a-f]{${RUN_ID_LENGTH}}$`);

function eventsOf(records: readonly CoreRecord[], config: RunConfig | null, measures: CheckpointMeasures): RunEvents | null {
  if (!config || records.length === 0) return null;
  const { events } = measures.describe(records, config);
  return Object.fromEntries(measures.summary.map(({ event }) => [event, events[event] ?? null]));
}

/** A complete run that ended on a diverged record is `diverged`. */
function withDivergence(view: Omit<RunView, 'diverged_at' | 'events'>, records: readonly CoreRecord[], measures: CheckpointMeasures): RunView {
  const at = divergedAt(records);
  return { ...view, state: at !== null && view.state === 'complete' ? 'diverged' : view.state, diverged_at: at, events: eventsOf(records, view.config, measures) };
}

/** Experiment keys by run id, from the profile's plan against this folder (forks are planned from their parents' records). */
type KeyIndex = { keys: Map<string, string[]>; ids: Map<string, string> };

function keyIndex(paper: AnyPaper, profile: Profile, dir: string, exported: boolean): KeyIndex {
  const source = exported ? recordsSource(paper, dir).source : profileStoreSource(dir, paper.checkpoint.record, paper.measurements);
  const set = assembleRunSet<RoleBase, Profile>(profile, source);
  const keys = new Map<string, string[]>();
  const ids = new Map<string, string>();
  for (const run of set.runs.values()) {
    keys.set(run.id, [...(keys.get(run.id) ?? []), run.key]);
    ids.set(run.key, run.id);
  }
  return { keys, ids };
}

/** The profile whose label is `label` (`paper`, `small-reordered`), or undefined. */
export function profileByLabel(paper: AnyPaper, label: string): Profile | undefined {
  for (const name of paper.profileNames)
    for (const perturbed of [false, true]) {
      const profile = paper.profile(name, { perturbed });
      if (profile.label === label) return profile;
    }
  return undefined;
}

/** The run `ref` names among `ids`: an experiment key of the folder's profile, or a unique id prefix; undefined: none here. */
function findRun(ref: string, ids: readonly string[], dir: string, index: () => KeyIndex | undefined): string | undefined {
  const byKey = index()?.ids.get(ref);
  if (byKey) return ids.includes(byKey) ? byKey : undefined;
  if (!/^[0-9a-f]+$/i.test(ref)) return undefined;
  const matches = ids.filter((id) => id.startsWith(ref.toLowerCase()));
  if (matches.length > 1) throw new UsageError(`run id prefix '${ref}' is ambiguous in ${dir}: ${matches.join(', ')}`);
  return matches[0];
}

function storeSource(dir: string, index: () => KeyIndex | undefined, profileNote: string, measures: CheckpointMeasures): RunSource {
  const store = openStore(dir);
  const view = (id: string): { view: RunView; records: CoreRecord[] } => {
    const s = store.summarize(id);
    const problems = [...s.problems];
    let records: CoreRecord[] = [];
    if (s.identity)
      try {
        records = readRunRecords(store, id, s.identity.config, measures.record);
      } catch (error) {
        problems.push((error as Error).message);
      }
    const base = {
      id,
      state: runState(s.status, s.lock),
      step: s.status?.step ?? null,
      wall_s: s.status?.wall_s ?? null,
      engine: s.status?.engine ?? null,
      message: s.status?.message ?? null,
      config: s.identity?.config ?? null,
      summary: s.summary,
      keys: index()?.keys.get(id) ?? [],
      problems,
    };
    return { view: withDivergence(base, records, measures), records };
  };
  return {
    describe: `run store ${dir}${profileNote}`,
    list: () => store.ids().map((id) => view(id).view),
    find: (ref) => findRun(ref, store.ids(), dir, index),
    load(id) {
      const { view: v, records } = view(id);
      return { view: v, status: store.readStatus(id), records };
    },
  };
}

function exportSource(dir: string, index: () => KeyIndex | undefined, profileNote: string, measures: CheckpointMeasures): RunSource {
  const files = () => readdirSync(dir).filter((n) => RUN_FILE.test(n)).sort();
  const read = (id: string): { view: RunView; records: CoreRecord[]; status: RunStatus | null } => {
    const name = exportFileName(id);
    const keys = index()?.keys.get(id) ?? [];
    try {
      const run = parseRun(readFileSync(join(dir, name), 'utf8'), join(dir, name), measures.record);
      if (run.id !== id) throw new Error(`${join(dir, name)}: holds run ${run.id}`);
      const base = {
        id, state: run.status, step: run.records.at(-1)?.step ?? null, wall_s: run.wall_s, engine: run.engine, message: run.message ?? null,
        config: run.config, summary: summarizeRunConfig(run.config), keys, problems: [],
      };
      const status: RunStatus = { state: run.status, step: run.records.at(-1)?.step ?? 0, updated: '', engine: run.engine, wall_s: run.wall_s, ...(run.message ? { message: run.message } : {}) };
      return { view: withDivergence(base, run.records, measures), records: run.records, status };
    } catch (error) {
      const view: RunView = {
        id, state: 'unreadable', step: null, wall_s: null, engine: null, message: null, config: null, summary: null, keys,
        events: null, diverged_at: null, problems: [(error as Error).message],
      };
      return { view, records: [], status: null };
    }
  };
  return {
    describe: `exported records ${dir} (read-only)${profileNote}`,
    list: () => files().map((n) => read(n.slice(0, RUN_ID_LENGTH)).view),
    find: (ref) => findRun(ref, files().map((n) => n.slice(0, RUN_ID_LENGTH)), dir, index),
    load(id) {
      const { view, records, status } = read(id);
      if (view.state === 'unreadable') throw new Error(view.problems[0]);
      return { view, status, records };
    },
  };
}

export interface SourceOptions {
  paper: AnyPaper;
  /** The profile label whose experiment keys name the runs; default the folder's own name when it is one. */
  profile?: string;
}

/** A run store, or an exported records folder when `dir` holds `<id>.jsonl` files. */
export function runSourceAt(dir: string, options: SourceOptions): RunSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--runs: ${dir} is not a folder (no run store or records there)`);
  const label = options.profile ?? basename(dir);
  const profile = profileByLabel(options.paper, label);
  if (options.profile !== undefined && !profile) throw new UsageError(`--profile: ${options.profile} is not a profile of ${options.paper.id}`);
  const exported = isExportFolder(dir);
  let cached: KeyIndex | undefined;
  const index = () => (profile ? (cached ??= keyIndex(options.paper, profile, dir, exported)) : undefined);
  const note = profile ? `, profile ${profile.label} of ${options.paper.id}` : '';
  const shown = relative(process.cwd(), dir) || '.';
  return exported ? exportSource(shown, index, note, options.paper.checkpoint) : storeSource(shown, index, note, options.paper.checkpoint);
}

/**
 * The folders `runs` and `show` read when --runs is not given: every run store under `runs/` (`runs/` itself,
 * where `train` writes, and each profile's `runs/<profile>`, where `verify` trains). So whichever command
 * trained a run, `runs` lists it.
 */
export function defaultStores(root = 'runs', otherPapers: readonly string[] = []): string[] {
  if (!existsSync(root)) return [];
  // Another paper's stores sit in a folder named by its id (paperPaths.ts): not this paper's.
  const entries = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !otherPapers.includes(e.name));
  const own = entries.some((e) => RUN_DIR.test(e.name)) ? [root] : [];
  const profiles = entries.filter((e) => !RUN_DIR.test(e.name)).map((e) => join(root, e.name)).sort();
  return [...own, ...profiles];
}

/** Leaf values by dotted path (`stop.max_steps`, `fsd_alt.block0.mlp.post@grid.fsd`); an array is one leaf. */
export function leafValues(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) leafValues(v, path ? `${path}.${k}` : k, out);
  else out.set(path, value);
  return out;
}

/** A config's leaves as JSON text, for telling apart runs with the same summary. */
function leaves(value: unknown): Map<string, string> {
  return new Map([...leafValues(value)].map(([path, leaf]) => [path, JSON.stringify(leaf)]));
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
