/** `grokcheck fork RUN`: continue a run from one of its checkpoints with a new weight decay (claims.md forks). */
import { z } from 'zod';
import { openStore, onlineEvents } from '../train/loop.js';
import { RunConfigSchema } from '../schema/runConfig.js';
import { CheckpointRecordSchema } from '../schema/record.js';
import { parseConfig } from '../schema/parse.js';
import { parseFlags, UsageError, validateFlags, type Command } from './command.js';
import { ENGINE_FLAGS_HELP, EngineFlagsSchema, engineFlagOptions, printOutcome, runWithProgress } from './train.js';

const ForkFlagsSchema = EngineFlagsSchema.extend({
  wd: z.coerce.number().min(0),
  at: z.union([z.enum(['sync', 'mem', 'grok']), z.coerce.number().int().min(0)]).default('sync'),
  'batch-seed': z.coerce.number().int().min(0).optional(),
  steps: z.coerce.number().int().positive().optional(),
  'after-grok': z.union([z.literal('none'), z.coerce.number().int().min(0)]).default(500),
});

export const forkCommand: Command = {
  name: 'fork',
  summary: 'start a run from a checkpoint of another run with a new weight decay',
  help: `Usage: grokcheck fork RUN --wd LAMBDA [--at sync|mem|grok|STEP] [--batch-seed N] [--steps N] [--after-grok N|none]

Restores the parent's parameters, both Adam moments, the step count and the batch-order RNG at the chosen
checkpoint and continues with weight decay LAMBDA (claims.md "fork97" and "forks").
  --wd LAMBDA        the new weight decay (required)
  --at WHERE         sync (default: the parent's sync step, FSD >= its threshold), mem (memorisation step),
                     grok (grokking step) or a step number; the parent must have kept that checkpoint
                     (kept: every 1000 steps, the event steps and the last one)
  --batch-seed N     a new batch order from the same checkpoint ("training-noise replicates")
  --steps N          step cap (default: fork step + 8000)
  --after-grok N     stop N steps after grokking (default 500; none = run to the cap)
${ENGINE_FLAGS_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...engineFlagOptions, wd: { type: 'string' }, at: { type: 'string' }, 'batch-seed': { type: 'string' }, steps: { type: 'string' }, 'after-grok': { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('expected one parent run id (or prefix)');
    if (values.wd === undefined) throw new UsageError('--wd is required');
    const f = validateFlags(ForkFlagsSchema, values);
    const store = openStore(f.runs);
    const parentId = store.find(positionals[0]);
    const parent = store.readConfig(parentId).config;
    const records = store.readRecords(parentId, CheckpointRecordSchema);
    let step: number;
    if (typeof f.at === 'number') step = f.at;
    else {
      const ev = onlineEvents(records, parent.metrics.sync_threshold);
      const at = f.at === 'sync' ? ev.sync : f.at === 'mem' ? ev.mem : ev.grok;
      if (at === null) throw new UsageError(`the parent run ${parentId} has no ${f.at} step in its records`);
      step = at;
    }
    const kept = store.listCheckpoints(parentId).map((c) => c.step);
    if (!kept.includes(step)) throw new UsageError(`the parent run ${parentId} has no checkpoint at step ${step} (kept: ${kept.join(', ')})`);
    const { batch_seed: _dropped, schedule: _noSchedule, ...rest } = parent;
    const config = parseConfig(
      RunConfigSchema,
      {
        ...rest,
        optimizer: { ...parent.optimizer, weight_decay: f.wd },
        ...(f['batch-seed'] !== undefined ? { batch_seed: f['batch-seed'] } : {}),
        fork: { parent: parentId, step },
        stop: { max_steps: f.steps ?? step + 8000, ...(f['after-grok'] === 'none' ? {} : { after_grok: f['after-grok'] }) },
      },
      'fork config',
    );
    const outcome = await runWithProgress(config, f);
    printOutcome(outcome, f.json);
    return outcome.status === 'failed' ? 1 : 0;
  },
};
