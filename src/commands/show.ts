/** `grokcheck show RUN` and `grokcheck runs`: inspect the run store. */
import { z } from 'zod';
import { canonicalEvents, spikeFlags } from '../metrics/events.js';
import { CheckpointRecordSchema, type CheckpointRecord } from '../schema/record.js';
import { openStore, type RunOutcome } from '../train/loop.js';
import { UsageError, type Command } from './command.js';
import { Flags, switchFlag, valueFlag } from './flags.js';

export interface OutcomeDescription {
  events: Record<string, number | null>;
  /** Events that fall on spike checkpoints. */
  flags: string[];
  trajectory: Pick<CheckpointRecord, 'step' | 'train_acc' | 'val_acc' | 'fsd' | 'norm' | 'median_rank' | 'restricted_logit_loss'>[];
}

/**
 * A run's events under the canonical rules of metrics.md "Checkpoint metrics" (src/metrics/events.ts; the
 * verdict report's canonical analysis reads the same), with events on spike checkpoints flagged, and a compact
 * trajectory (every 500 steps, each event and the last checkpoint).
 */
export function describeOutcome(outcome: Pick<RunOutcome, 'records' | 'config'>): OutcomeDescription {
  const records = outcome.records;
  const ev = canonicalEvents(records, outcome.config.metrics.sync_threshold);
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
  const marks = new Set([events.memorisation, events.sync, events.grokking, events.baseline_sync, events.destabilised].filter((s) => s !== null));
  const trajectory = records
    .filter((r) => r.step % 500 === 0 || marks.has(r.step) || r === records.at(-1))
    .map((r) => ({
      step: r.step, train_acc: r.train_acc, val_acc: r.val_acc, fsd: r.fsd, norm: r.norm,
      median_rank: r.median_rank, restricted_logit_loss: r.restricted_logit_loss,
    }));
  return { events, flags: spikeFlags(ev), trajectory };
}

/** The events, one per line, then the notes (shared by show and train). */
export function eventLines(d: OutcomeDescription): string[] {
  return [
    ...Object.entries(d.events).map(([name, value]) => `  ${name.padEnd(14)} ${value ?? 'never'}`),
    ...d.flags.map((flag) => `  note: ${flag}`),
  ];
}

const STORE_FLAG = { runs: valueFlag('DIR', z.string().default('runs'), 'run store folder') };
const SHOW_FLAGS = new Flags({ ...STORE_FLAG, json: switchFlag('print {id, config, status, events, flags, trajectory, records}') });
const RUNS_FLAGS = new Flags({ ...STORE_FLAG, json: switchFlag('print a JSON array') });

const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? '    -' : x.toFixed(3));

export const showCommand: Command = {
  name: 'show',
  summary: 'show one run: events and a compact trajectory table',
  help: `Usage: grokcheck show RUN [flags]

RUN is a run id or a unique prefix of one (see grokcheck runs). Prints the run's config, status, events
(memorisation, sync, baseline sync, grokking, destabilisation, leads; metrics.md "Checkpoint metrics", read
with the canonical rules, with events on spike checkpoints noted) and the trajectory every 500 steps and at
each event.

${SHOW_FLAGS.help()}`,
  async run(argv) {
    const { values: flags, positionals } = SHOW_FLAGS.parse(argv, { positionals: true });
    if (positionals.length !== 1) throw new UsageError('expected one run id (or prefix)');
    const store = openStore(flags.runs);
    const id = store.find(positionals[0]);
    const { config } = store.readConfig(id);
    const status = store.readStatus(id);
    const records = store.readRecords(id, CheckpointRecordSchema);
    const d = describeOutcome({ records, config });
    if (flags.json) {
      console.log(JSON.stringify({ id, config, status, ...d, records }));
      return 0;
    }
    console.log(`run ${id}  ${status?.state ?? 'no status'}${status?.message ? ` (${status.message})` : ''}`);
    console.log(`  ${store.summarize(id).summary}`);
    if (status?.wall_s !== undefined) console.log(`  wall time ${status.wall_s.toFixed(1)} s on ${status.engine ?? '?'}`);
    console.log('events:');
    for (const line of eventLines(d)) console.log(line);
    console.log('\n  step  train   val    FSD    norm   rank  restricted-logit');
    for (const r of d.trajectory)
      console.log(
        `${String(r.step).padStart(6)} ${f3(r.train_acc)} ${f3(r.val_acc)} ${f3(r.fsd)} ${r.norm.toFixed(1).padStart(6)} ${String(r.median_rank ?? '-').padStart(5)}  ${f3(r.restricted_logit_loss)}`,
      );
    return 0;
  },
};

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list the runs in the store',
  help: `Usage: grokcheck runs [flags]

Lists every run of the store: id, status, last step, wall time and a one-line config summary.

${RUNS_FLAGS.help()}`,
  async run(argv) {
    const { values: flags } = RUNS_FLAGS.parse(argv);
    const list = openStore(flags.runs).list();
    if (flags.json) {
      console.log(JSON.stringify(list.map((r) => ({ id: r.id, status: r.status, summary: r.summary, lock: r.lock, problems: r.problems }))));
      return 0;
    }
    if (list.length === 0) console.log(`no runs in ${flags.runs}`);
    for (const r of list) {
      const s = r.status;
      const state = r.lock.state === 'held' ? 'training' : (s?.state ?? '?');
      console.log(`${r.id}  ${state.padEnd(8)} step ${String(s?.step ?? '-').padStart(6)}  ${(s?.wall_s ?? 0).toFixed(0).padStart(5)} s  ${r.summary ?? r.problems.join('; ')}`);
    }
    return 0;
  },
};
