/** `grokcheck show RUN` and `grokcheck runs`: inspect the run store. */
import { csvFormatRows } from 'd3-dsv';
import { z } from 'zod';
import type { CheckpointMeasures, TrajectoryFigure } from '../train/measures.js';
import { nonFiniteAsString } from '../schema/jsonNumber.js';
import type { CoreRecord } from '../schema/record.js';
import type { RunOutcome } from '../train/loop.js';
import { CLI, UsageError, type Command } from './command.js';
import { Flags, switchFlag, valueFlag } from './flags.js';
import { DEFAULT_PAPER, PAPERS, paperById } from '../papers/index.js';
import type { AnyPaper } from '../paper/paper.js';
import { paperRunsRoot } from './paperPaths.js';
import { defaultStores, distinguishingFields, leafValues, runSourceAt, type RunSource, type RunView } from './runViews.js';

/** The compact trajectory's cadence: the paper's 500-step grid. */
export const TRAJECTORY_EVERY = 500;

export interface OutcomeDescription {
  events: Record<string, number | null>;
  /** Events that fall on spike checkpoints. */
  flags: string[];
  /** The core's figures and the paper's (CheckpointMeasures.figures, by key). */
  trajectory: TrajectoryRow[];
}

export type TrajectoryRow = Pick<CoreRecord, 'step' | 'train_acc' | 'val_acc' | 'norm'> & { [figure: string]: number | null };

/**
 * A run's events as its paper describes them (CheckpointMeasures.describe), and a compact trajectory (every
 * `every` steps, each event and the last checkpoint; 'all': every checkpoint).
 */
export function describeOutcome(
  outcome: Pick<RunOutcome, 'records' | 'config'>,
  measures: Pick<CheckpointMeasures, 'describe' | 'figures'>,
  every: number | 'all' = TRAJECTORY_EVERY,
): OutcomeDescription {
  const records = outcome.records;
  const { events, marks: marked, flags } = measures.describe(records, outcome.config);
  const marks = new Set(marked);
  const trajectory = records
    .filter((r) => every === 'all' || r.step % every === 0 || marks.has(r.step) || r === records.at(-1))
    .map((r) => ({
      step: r.step, train_acc: r.train_acc, val_acc: r.val_acc, norm: r.norm,
      ...Object.fromEntries(measures.figures.map((f) => [f.key, f.value(r)])),
    }));
  return { events, flags, trajectory };
}

/** The events, one per line, then the notes (shared by show and train). */
export function eventLines(d: OutcomeDescription): string[] {
  return [
    ...Object.entries(d.events).map(([name, value]) => `  ${name.padEnd(14)} ${value ?? 'never'}`),
    ...d.flags.map((flag) => `  note: ${flag}`),
  ];
}

const SOURCE_FLAGS = {
  runs: valueFlag(
    'DIR',
    z.string().optional(),
    'a run store, or a folder of exported records (e.g. fixtures/records/paper), read-only\n(default: every run store under runs/: runs/ itself, where train writes, and runs/<profile>,\nwhere verify trains)',
  ),
  paper: valueFlag('ID', z.string().default(DEFAULT_PAPER.id), `the paper whose profiles name the runs: ${PAPERS.map((p) => p.id).join(', ')}`),
  profile: valueFlag('LABEL', z.string().optional(), "name runs by this profile's experiment keys (default: the folder's own name, when it is a profile:\nruns/paper, fixtures/records/small-reordered)"),
};
const SHOW_FLAGS = new Flags({
  ...SOURCE_FLAGS,
  every: valueFlag('N|all', z.union([z.literal('all'), z.coerce.number().int().positive()]).default(TRAJECTORY_EVERY), 'trajectory rows every N steps (and at each event), or every checkpoint'),
  csv: switchFlag('print every checkpoint as CSV (one row per record, one column per metric; nested\nfigures flattened by dotted path, <field>.<key>.<subfield>), for spreadsheets and pandas'),
  json: switchFlag('print {id, keys, config, status, events, flags, trajectory, records}'),
});
const RUN_SORTS = ['key', 'id', 'step', 'grokking', 'lead', 'wall'] as const;
const RUNS_FLAGS = new Flags({
  ...SOURCE_FLAGS,
  key: valueFlag('PREFIX', z.string().optional(), 'only runs with an experiment key that starts with PREFIX (main, main/p97, forks/p53)'),
  sort: valueFlag('BY', z.enum(RUN_SORTS).default('key'), `order: ${RUN_SORTS.join(', ')}`),
  json: switchFlag('print a JSON array of {store, id, keys, state, step, diverged_at, events, wall_s, engine, message,\nsummary, differs, problems}'),
});

/** A paper figure's column: as wide as its header, and at least a 3-decimal figure. */
const figureWidth = (f: TrajectoryFigure) => Math.max(f.header.length, 6);
const formatFigure = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? '    -' : x.toFixed(3));

type SourceFlags = { runs?: string; paper: string; profile?: string };

function paperOf(flags: SourceFlags): AnyPaper {
  const paper = paperById(flags.paper);
  if (!paper) throw new UsageError(`--paper: expected one of ${PAPERS.map((p) => p.id).join(', ')}`);
  return paper;
}

/** The folders to read: --runs, or every store of the paper under runs/ (none there: a usage error naming the folder). */
function sourcesOf(flags: SourceFlags): RunSource[] {
  const paper = paperOf(flags);
  const options = { paper, ...(flags.profile === undefined ? {} : { profile: flags.profile }) };
  if (flags.runs !== undefined) return [runSourceAt(flags.runs, options)];
  const root = paperRunsRoot(paper);
  const stores = defaultStores(root, PAPERS.filter((p) => p.id !== paper.id).map((p) => p.id));
  if (stores.length === 0) throw new UsageError(`no run store under ${root}/ here: train one (train, verify), or name a folder with --runs (e.g. fixtures/records/paper)`);
  return stores.map((dir) => runSourceAt(dir, options));
}

/** A run's state as a column: `diverged@STEP` for a diverged one. */
export function stateLabel(view: Pick<RunView, 'state' | 'diverged_at'>): string {
  return view.state === 'diverged' ? `diverged@${view.diverged_at}` : view.state;
}

/** One run's checkpoints as CSV rows: scalar fields as they are, nested summaries flattened by dotted path. */
export function recordsCsv(records: readonly CoreRecord[]): string {
  const flat = records.map((r) => new Map([...leafValues(r)].map(([path, leaf]) => [path, Array.isArray(leaf) ? leaf.join(' ') : leaf])));
  const columns = [...new Set(flat.flatMap((row) => [...row.keys()]))];
  const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  return csvFormatRows([columns, ...flat.map((row) => columns.map((c) => cell(row.get(c))))]) + '\n';
}

export const showCommand: Command = {
  name: 'show',
  summary: 'show one run: events and its trajectory (or every checkpoint as CSV)',
  help: `Usage: ${CLI} show RUN [flags]

RUN is an experiment key (main/p97/s42, as the report names runs: see ${CLI} runs) or a run id or a unique
prefix of one. Prints the run's config, status, events (memorisation, sync, baseline sync, grokking,
destabilisation, leads; metrics.md "Checkpoint metrics", read with the canonical rules, with events on spike
checkpoints noted) and the trajectory every 500 steps and at each event (--every: another cadence or every
checkpoint). Reads a run store or a folder of exported records (the run ids a committed report cites).

${SHOW_FLAGS.help()}

Examples:
  ${CLI} show main/p97/s42 --runs fixtures/records/paper --every 100
  ${CLI} show main/p97/s42 --runs fixtures/records/paper --csv > p97-s42.csv`,
  async run(argv) {
    const { values: flags, positionals } = SHOW_FLAGS.parse(argv, { positionals: true });
    if (positionals.length !== 1) throw new UsageError('expected one run: an experiment key or a run id (prefix)');
    const ref = positionals[0];
    const found = sourcesOf(flags).flatMap((source) => {
      const id = source.find(ref);
      return id ? [{ source, id }] : [];
    });
    if (found.length === 0) throw new UsageError(`no run '${ref}' in ${sourcesOf(flags).map((s) => s.describe).join('; ')}`);
    if (found.length > 1) throw new UsageError(`'${ref}' names runs in several folders (${found.map((f) => f.source.describe).join('; ')}): choose one with --runs`);
    const { view, status, records } = found[0].source.load(found[0].id);
    const config = view.config!;
    if (flags.csv) {
      process.stdout.write(recordsCsv(records));
      return 0;
    }
    const d = describeOutcome({ records, config }, paperOf(flags).checkpoint, flags.every);
    if (flags.json) {
      console.log(JSON.stringify({ id: view.id, keys: view.keys, config, status, state: view.state, diverged_at: view.diverged_at, problems: view.problems, ...d, records }, nonFiniteAsString));
      return 0;
    }
    console.log(`run ${view.id}${view.keys.length ? ` (${view.keys.join(', ')})` : ''}  ${stateLabel(view)}${view.message ? ` (${view.message})` : ''}`);
    console.log(`  ${view.summary}`);
    console.log(`  from ${found[0].source.describe}`);
    if (view.wall_s !== null) console.log(`  wall time ${view.wall_s.toFixed(1)} s on ${view.engine ?? '?'}`);
    for (const problem of view.problems) console.log(`  problem: ${problem}`);
    console.log('events:');
    for (const line of eventLines(d)) console.log(line);
    const figures = paperOf(flags).checkpoint.figures;
    const note = flags.every === 'all' ? '' : `   (every ${flags.every} steps and at each event; --every all for every checkpoint)`;
    console.log(`\n  step  train   val    norm${figures.map((f) => ` ${f.header.padStart(figureWidth(f))}`).join('')}${note}`);
    for (const r of d.trajectory)
      console.log(
        `${String(r.step).padStart(6)} ${f3(r.train_acc)} ${f3(r.val_acc)} ${(Number.isFinite(r.norm) ? r.norm.toFixed(1) : String(r.norm)).padStart(6)}` +
          figures.map((f) => ` ${formatFigure(r[f.key] ?? null, f.digits).padStart(figureWidth(f))}`).join(''),
      );
    return 0;
  },
};

const sortValue = (v: RunView, by: (typeof RUN_SORTS)[number]): string | number | null => {
  switch (by) {
    case 'key': return v.keys[0] ?? null;
    case 'id': return v.id;
    case 'step': return v.step;
    case 'grokking':
    case 'lead':
      return v.events?.[by] ?? null;
    case 'wall': return v.wall_s;
  }
};

/** Sorted and filtered for `runs`: experiment keys in natural order (p53 before p101); runs without the value (no key, never grokked) last. */
export function selectRuns(views: readonly RunView[], options: { key?: string; sort: (typeof RUN_SORTS)[number] }): RunView[] {
  const collator = new Intl.Collator('en', { numeric: true });
  const wanted = options.key;
  const kept = wanted === undefined ? views : views.filter((v) => v.keys.some((k) => k === wanted || k.startsWith(wanted.endsWith('/') ? wanted : `${wanted}/`)));
  const compare = (x: string | number | null, y: string | number | null): number => {
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
  };
  return [...kept].sort((a, b) => compare(sortValue(a, options.sort), sortValue(b, options.sort)) || collator.compare(a.id, b.id));
}

/** A run's key for the table: the one --key asked for (else its first), and how many more name it. */
const keyCell = (keys: readonly string[], wanted: string | undefined): string => {
  if (keys.length === 0) return '-';
  const first = (wanted === undefined ? undefined : keys.find((k) => k.startsWith(wanted))) ?? keys[0];
  return keys.length > 1 ? `${first} (+${keys.length - 1})` : first;
};

const cellOf = (x: number | null | undefined) => (x === null || x === undefined ? '-' : String(x));

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list the runs (by experiment key, with their events and problems) of a store or records folder',
  help: `Usage: ${CLI} runs [flags]

Lists every run: its experiment key (when the folder belongs to a profile), id, state, last step, the events
a claim reads (memorisation, sync, grokking, and the lead = grokking - sync, metrics.md), wall time, problems
(a config, status, lock or record that cannot be read: such a run is never used by a claim) and a one-line
config summary, with the config fields in which it differs from runs of the same summary. The state is
\`training\` while a live process holds the run, \`interrupted\` when it was stopped (Ctrl-C, kill) before it
completed (the same command resumes it), \`diverged@STEP\` when it ended on a non-finite loss.

${RUNS_FLAGS.help()}

Examples:
  ${CLI} runs --runs fixtures/records/paper --key main --sort lead
  ${CLI} runs --json`,
  async run(argv) {
    const { values: flags, positionals } = RUNS_FLAGS.parse(argv, { positionals: true });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (a folder goes with --runs)`);
    const sources = sourcesOf(flags);
    const listed = sources.map((source) => {
      const all = source.list();
      return { source, all, views: selectRuns(all, { ...(flags.key === undefined ? {} : { key: flags.key }), sort: flags.sort }) };
    });
    if (flags.json) {
      console.log(JSON.stringify(listed.flatMap(({ source, all, views }) => {
        const differs = distinguishingFields(all);
        return views.map(({ config: _config, ...v }) => ({ store: source.describe, ...v, differs: differs.get(v.id) ?? [] }));
      })));
      return 0;
    }
    for (const { source, all, views } of listed) {
      const differs = distinguishingFields(all);
      console.log(`${source.describe}: ${views.length === all.length ? `${all.length} run(s)` : `${views.length} of ${all.length} runs`}`);
      if (views.length === 0) continue;
      const columns = paperOf(flags).checkpoint.summary;
      const rows = views.map((r) => [
        keyCell(r.keys, flags.key), r.id, stateLabel(r), cellOf(r.step), ...columns.map(({ event }) => cellOf(r.events?.[event])),
        r.wall_s === null ? '-' : r.wall_s.toFixed(0),
        r.problems.length ? r.problems.join('; ') : '-',
        `${r.summary ?? ''}${differs.get(r.id)?.length ? `  [${differs.get(r.id)!.join(', ')}]` : ''}`,
      ]);
      const header = ['key', 'id', 'state', 'step', ...columns.map(({ column }) => column), 'wall_s', 'problems', 'config'];
      const widths = header.map((h, i) => (i >= header.length - 2 ? 0 : Math.max(h.length, ...rows.map((row) => row[i].length))));
      for (const row of [header, ...rows]) console.log(row.map((c, i) => (widths[i] ? c.padEnd(widths[i]) : c)).join('  ').trimEnd());
    }
    return 0;
  },
};
