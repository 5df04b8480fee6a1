/** `grokcheck show RUN` and `grokcheck runs`: inspect the run store. */
import { z } from 'zod';
import { canonicalEvents, spikeFlags } from '../metrics/events.js';
import type { CheckpointRecord } from '../schema/record.js';
import type { RunOutcome } from '../train/loop.js';
import { CLI, UsageError, type Command } from './command.js';
import { Flags, switchFlag, valueFlag } from './flags.js';
import { distinguishingFields, runSourceAt } from './runViews.js';

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

const STORE_FLAG = { runs: valueFlag('DIR', z.string().default('runs'), 'run store folder, or a folder of exported records (e.g. fixtures/records/paper), read-only') };
const SHOW_FLAGS = new Flags({ ...STORE_FLAG, json: switchFlag('print {id, config, status, events, flags, trajectory, records}') });
const RUNS_FLAGS = new Flags({ ...STORE_FLAG, json: switchFlag('print a JSON array of {id, state, step, wall_s, engine, message, summary, differs, problems}') });

const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? '    -' : x.toFixed(3));

export const showCommand: Command = {
  name: 'show',
  summary: 'show one run: events and a compact trajectory table',
  help: `Usage: ${CLI} show RUN [flags]

RUN is a run id or a unique prefix of one (see grokcheck runs). Prints the run's config, status, events
(memorisation, sync, baseline sync, grokking, destabilisation, leads; metrics.md "Checkpoint metrics", read
with the canonical rules, with events on spike checkpoints noted) and the trajectory every 500 steps and at
each event. Reads a run store or a folder of exported records (the run ids a committed report cites).

${SHOW_FLAGS.help()}`,
  async run(argv) {
    const { values: flags, positionals } = SHOW_FLAGS.parse(argv, { positionals: true });
    if (positionals.length !== 1) throw new UsageError('expected one run id (or prefix)');
    const { view, status, records } = runSourceAt(flags.runs).load(positionals[0]);
    const config = view.config!;
    const d = describeOutcome({ records, config });
    if (flags.json) {
      console.log(JSON.stringify({ id: view.id, config, status, ...d, records }));
      return 0;
    }
    console.log(`run ${view.id}  ${view.state}${view.message ? ` (${view.message})` : ''}`);
    console.log(`  ${view.summary}`);
    if (view.wall_s !== null) console.log(`  wall time ${view.wall_s.toFixed(1)} s on ${view.engine ?? '?'}`);
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
  summary: 'list the runs in the store (or in a folder of exported records)',
  help: `Usage: ${CLI} runs [flags]

Lists every run: id, state, last step, wall time and a one-line config summary, followed by the config fields
in which it differs from other runs with the same summary (e.g. stop.max_steps=6000). The state is
\`training\` while a live process holds the run, \`interrupted\` when it was stopped (Ctrl-C, kill) before it
completed: the same command resumes it.

${RUNS_FLAGS.help()}`,
  async run(argv) {
    const { values: flags } = RUNS_FLAGS.parse(argv);
    const source = runSourceAt(flags.runs);
    const list = source.list();
    const differs = distinguishingFields(list);
    if (flags.json) {
      console.log(JSON.stringify(list.map(({ config: _config, ...v }) => ({ ...v, differs: differs.get(v.id) ?? [] }))));
      return 0;
    }
    if (list.length === 0) console.log(`no runs in ${source.describe}`);
    for (const r of list) {
      const extra = differs.get(r.id)?.length ? `  [${differs.get(r.id)!.join(', ')}]` : '';
      console.log(`${r.id}  ${r.state.padEnd(11)} step ${String(r.step ?? '-').padStart(6)}  ${(r.wall_s ?? 0).toFixed(0).padStart(5)} s  ${r.summary ?? r.problems.join('; ')}${extra}`);
    }
    return 0;
  },
};
