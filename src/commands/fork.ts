/** `grokcheck fork RUN`: continue a run from one of its checkpoints with a new weight decay (claims.md forks). */
import { z } from 'zod';
import { accuracyEventSteps } from '../metrics/accuracyEvents.js';
import { forkRunConfig } from '../train/fork.js';
import { openStore, readRunRecords } from '../train/loop.js';
import { CLI, UsageError, type Command } from './command.js';
import { Flags, valueFlag } from './flags.js';
import { printOutcome, RUN_FLAGS, runWithProgress, TRAINING_PAPER } from './train.js';

const FORK_FLAGS = new Flags({
  wd: valueFlag('LAMBDA', z.coerce.number().min(0).optional(), 'the new weight decay (required)'),
  at: valueFlag(
    'WHERE',
    z.union([z.enum(['sync', 'mem', 'grok']), z.coerce.number().int().min(0)]).default('sync'),
    "sync (the parent's sync step, FSD >= its threshold), mem (memorisation step),\ngrok (grokking step) or a step number; the parent must have kept that checkpoint\n(kept: every 1000 steps, the event steps and the last one)",
  ),
  'batch-seed': valueFlag('N', z.coerce.number().int().min(0).optional(), 'a new batch order from the same checkpoint ("training-noise replicates")'),
  steps: valueFlag('N', z.coerce.number().int().positive().optional(), 'step cap (default: fork step + 8000)'),
  'after-grok': valueFlag('N|none', z.union([z.literal('none'), z.coerce.number().int().min(0)]).default(500), 'stop N steps after grokking (none: run to the cap)'),
  ...RUN_FLAGS,
});

export const forkCommand: Command = {
  name: 'fork',
  summary: 'start a run from a checkpoint of another run with a new weight decay',
  help: `Usage: ${CLI} fork RUN --wd LAMBDA [flags]

Restores the parent's parameters, both Adam moments, the step count and the batch-order RNG at the chosen
checkpoint and continues with weight decay LAMBDA (claims.md "fork97" and "forks").

${FORK_FLAGS.help()}

Exit code: 0 when the fork is complete, 1 when it failed, 2 on bad flags or a parent without that checkpoint.`,
  async run(argv) {
    const { values: f, positionals } = FORK_FLAGS.parse(argv, { positionals: true });
    if (positionals.length !== 1) throw new UsageError('expected one parent run id (or prefix)');
    if (f.wd === undefined) throw new UsageError('--wd is required');
    const store = openStore(f.runs);
    const parentId = store.find(positionals[0]);
    const parent = store.readConfig(parentId).config;
    const records = readRunRecords(store, parentId, parent, TRAINING_PAPER.checkpoint.record);
    let step: number;
    if (typeof f.at === 'number') step = f.at;
    else {
      // mem and grok are every run's events; sync is the paper's (circuit-sync's FSD sync).
      const core = accuracyEventSteps(records);
      const at = f.at === 'mem' ? core.memorisation : f.at === 'grok' ? core.grok : (TRAINING_PAPER.checkpoint.events(records, parent)[f.at] ?? null);
      if (at === null) throw new UsageError(`the parent run ${parentId} has no ${f.at} step in its records`);
      step = at;
    }
    if (f.steps !== undefined && f.steps <= step)
      throw new UsageError(`--steps: ${f.steps} is not past the fork step ${step}; the fork would train nothing (give a cap above ${step})`);
    const kept = store.listCheckpoints(parentId).map((c) => c.step);
    if (!kept.includes(step)) throw new UsageError(`the parent run ${parentId} has no checkpoint at step ${step} (kept: ${kept.join(', ')})`);
    const config = forkRunConfig(parent, parentId, {
      step,
      weightDecay: f.wd,
      stop: { max_steps: f.steps ?? step + 8000, ...(f['after-grok'] === 'none' ? {} : { after_grok: f['after-grok'] }) },
      ...(f['batch-seed'] === undefined ? {} : { batchSeed: f['batch-seed'] }),
    });
    const outcome = await runWithProgress(config, f);
    printOutcome(outcome, f.json);
    return outcome.status === 'failed' ? 1 : 0;
  },
};
