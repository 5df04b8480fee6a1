/** `grokcheck train`: train (or resume) one run into the run store, with a progress bar. */
import { z } from 'zod';
import { parseConfig, readJsonFile } from '../schema/parse.js';
import { RunConfigSchema, type RunConfig } from '../schema/runConfig.js';
import { DEFAULT_PAPER } from '../papers/index.js';
import { ActivationSchema, InitSchemeSchema, LossPrecisionSchema, NormSchema } from '../schema/model.js';
import { completeRunConfig } from '../train/measures.js';
import { isPrime, taskElements } from '../schema/task.js';
import { trainLockstep } from '../train/lockstep.js';
import { nonFiniteAsString } from '../schema/jsonNumber.js';
import { divergedAt, trainRun, type RunOutcome } from '../train/loop.js';
import { CLI, UsageError, type Command } from './command.js';
import { ENGINE_FLAGS, engineOptionsOf, LOCKSTEP_FLAGS, lockstepLine } from './engineFlags.js';
import { Flags, inGroup, switchFlag, valueFlag, type FlagValues } from './flags.js';
import { barProgress, noticesOnly } from './progress.js';
import { describeOutcome, eventLines } from './show.js';

const int = (min: number) => z.coerce.number().int().min(min);

/** What `train` and `fork` share: the engine, the store and how the outcome is shown. */
export const RUN_FLAGS = {
  ...ENGINE_FLAGS,
  runs: valueFlag('DIR', z.string().default('runs'), 'run store folder'),
  json: switchFlag('print the outcome as JSON: id, status, diverged_at, message, wall_s, engine, events, flags, trajectory'),
  quiet: switchFlag('no progress bar (notices still print)'),
};
export type RunFlagValues = FlagValues<typeof RUN_FLAGS>;

/**
 * The paper whose checkpoint measures `train` and `fork` record (its metric flags and schedule triggers among
 * `train`'s flags): the default paper.
 */
export const TRAINING_PAPER = DEFAULT_PAPER;
const paperTriggers = Object.keys(TRAINING_PAPER.checkpoint.triggers);

const TASK = 'Task';
const SEEDS = 'Seeds';
const MODEL = 'Model (model.md)';
const OPTIMISER = 'Optimiser (AdamW, PyTorch semantics)';
const STOP = 'Schedule and stopping';
const METRICS = `Metrics (${TRAINING_PAPER.id}'s: the run config's \`metrics\`)`;
const ENGINE = 'Engine and output';

const TRAIN_FLAGS = new Flags({
  config: valueFlag(
    'FILE',
    z.string().optional(),
    "the run's whole config as JSON (the run config schema, src/schema/runConfig.ts): a file of your own,\na run's config.json, or the `config` that `show RUN --json` prints; the flags of the groups below\nthen stay unset (the engine and output flags still apply)",
    { group: 'Config file' },
  ),
  task: valueFlag('add|sub|mul|sym', z.enum(['add', 'sub', 'mul', 'sym']).default('add'), 'the operation (sym = symmetric group S_n composition)', { group: TASK }),
  p: valueFlag('N', int(2).optional(), 'the modulus for add/sub/mul (default 97)', { group: TASK }),
  n: valueFlag('N', int(2).max(6).optional(), 'n of S_n for sym (default 5)', { group: TASK }),
  'allow-composite': switchFlag('accept a --p that is not prime (Z_p multiplication is a group, and the Fourier claims hold,\nonly for a prime p)', { group: TASK }),
  'train-frac': valueFlag('F', z.coerce.number().gt(0).lt(1).optional(), 'training fraction (default 0.3 for Z_p, 0.7 for sym)', { group: TASK }),
  seed: valueFlag('N', int(0).default(42), 'one seed for init, split and batch order', { group: SEEDS }),
  seeds: valueFlag(
    'LIST',
    z.string().regex(/^\d+(,\d+)*$/, 'expected seeds separated by commas, e.g. 1,2,3').optional(),
    'several runs, one per seed (each as --seed), e.g. 42,123,0: in lockstep on --engine webgpu\n(--group-size), one after another on the others',
    { group: SEEDS },
  ),
  'init-seed': valueFlag('N', int(0).optional(), 'override the init seed', { group: SEEDS }),
  'split-seed': valueFlag('N', int(0).optional(), 'override the split seed', { group: SEEDS }),
  'batch-seed': valueFlag('N', int(0).optional(), 'override the batch-order seed', { group: SEEDS }),
  variant: valueFlag('V', z.enum(['standard', 'attn_only', 'mlp_only']).default('standard'), 'standard, attn_only or mlp_only', { group: MODEL }),
  layers: valueFlag('N', int(1).max(2).default(2), '1 or 2 blocks', { group: MODEL }),
  'd-model': valueFlag('N', int(1).default(128), 'residual width', { group: MODEL }),
  heads: valueFlag('N', int(1).default(4), 'attention heads', { group: MODEL }),
  'd-mlp': valueFlag('N', int(1).default(512), 'MLP width', { group: MODEL }),
  norm: valueFlag('NAME', NormSchema.optional(), 'layernorm (before attention, MLP and unembedding) or none (default layernorm)', { group: MODEL }),
  act: valueFlag('NAME', ActivationSchema.optional(), "the MLP's nonlinearity: gelu or relu (default gelu)", { group: MODEL }),
  'no-attn-bias': switchFlag('no b_Q, b_K, b_V, b_O', { group: MODEL }),
  'no-unembed-bias': switchFlag('no b_U', { group: MODEL }),
  init: valueFlag('NAME', InitSchemeSchema.optional(), "init scales: pytorch (PyTorch's defaults) or nanda (Nanda et al.'s) (default pytorch)", { group: MODEL }),
  'separator-logit': switchFlag('a logit for the separator token too (classes = p + 1, as Nanda et al.)', { group: MODEL }),
  'loss-precision': valueFlag('P', LossPrecisionSchema.optional(), 'log-softmax and loss in f32 or f64 (f64: native engine only; default f32)', { group: MODEL }),
  lr: valueFlag('X', z.coerce.number().positive().default(1e-3), 'learning rate', { group: OPTIMISER }),
  wd: valueFlag('X', z.coerce.number().min(0).default(1.0), 'weight decay', { group: OPTIMISER }),
  beta1: valueFlag('X', z.coerce.number().min(0).lt(1).default(0.9), 'Adam beta1', { group: OPTIMISER }),
  beta2: valueFlag('X', z.coerce.number().min(0).lt(1).default(0.999), 'Adam beta2', { group: OPTIMISER }),
  'batch-size': valueFlag('N|full', z.union([z.literal('full'), int(1)]).default(512), 'minibatch size (full: the whole training set every step)', { group: OPTIMISER }),
  'warmup-steps': valueFlag('N', int(0).default(0), 'linear learning-rate warm-up over N updates (the first has lr 0)', { group: OPTIMISER }),
  steps: valueFlag('N', int(1).default(10000), 'step cap', { group: STOP }),
  'after-grok': valueFlag('N|none', z.union([z.literal('none'), int(0)]).default(1000), 'stop N steps after grokking (none: run to the cap)', { group: STOP }),
  'eval-every': valueFlag('N', int(1).default(100), 'checkpoint cadence', { group: STOP }),
  schedule: valueFlag(
    'L@TRIGGER',
    z.string().regex(new RegExp(`^\\d+(\\.\\d+)?@(mem|step:\\d+${paperTriggers.map((t) => `|${t}`).join('')})$`), `expected LAMBDA@TRIGGER, e.g. 10@mem, 3@step:500${paperTriggers.map((t) => `, 5@${t}`).join('')}`).optional(),
    `raise the weight decay to L at TRIGGER: mem (memorisation step), step:N${paperTriggers.map((t) => `,\nor ${t} (${TRAINING_PAPER.checkpoint.triggers[t]} step, ${TRAINING_PAPER.id}'s)`).join('')}`,
    { group: STOP },
  ),
  // What the checkpoints measure is the paper's (its run-config `metrics` block): its flags, as it declares them.
  ...Object.fromEntries(TRAINING_PAPER.checkpoint.options.flags.map((o) => [o.flag, valueFlag(o.metavar, o.value.optional(), o.help, { group: METRICS })])),
  ...inGroup(ENGINE, { ...RUN_FLAGS, ...LOCKSTEP_FLAGS }),
});

type TrainFlagValues = FlagValues<typeof TRAIN_FLAGS.table>;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train (or resume) one run into the run store',
  help: `Usage: ${CLI} train [flags]

Trains one run of the model of shared/spec/model.md (defaults: the paper's configuration, p = 97 addition,
seed 42) and stores it in the run store; a run that exists is resumed, a complete one is only shown.
With --seeds, one run per seed (--seeds replaces --seed): on --engine webgpu they train in lockstep, R runs
per dispatch, each with the records it gets alone.
Interrupt it at any time (Ctrl-C, kill -9): the next identical command continues where it stopped.

${TRAIN_FLAGS.help()}

Exit code: 0 when the run is complete, 1 when it failed, 2 on bad flags or an invalid config.
Example: ${CLI} train --p 53 --seed 42 --steps 8000
         ${CLI} train --config run.json      (e.g. a run's config.json, edited)
         ${CLI} train --p 97 --seeds 42,123,0,1,2 --engine webgpu`,
  async run(argv) {
    const { values: f } = TRAIN_FLAGS.parse(argv);
    if (f.config !== undefined) {
      const clashing = Object.entries(TRAIN_FLAGS.table)
        .filter(([name, spec]) => spec.group !== ENGINE && spec.group !== 'Config file' && argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)))
        .map(([name]) => `--${name}`);
      if (clashing.length) throw new UsageError(`--config gives the whole run config: drop ${clashing.join(', ')} (or edit the file)`);
    }
    if (f.seeds === undefined) {
      const outcome = await runWithProgress(f.config !== undefined ? configFromFile(f.config) : trainConfig(f, f.seed), f);
      printOutcome(outcome, f.json);
      return outcome.status === 'failed' || divergedAt(outcome.records) !== null ? 1 : 0;
    }
    const seeds = f.seeds.split(',').map(Number);
    if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds: ${f.seeds} names a seed twice`);
    const configs = seeds.map((seed) => trainConfig(f, seed));
    if (new Set(configs.map((c) => JSON.stringify(c))).size !== configs.length)
      throw new UsageError('--seeds: the runs would be identical (--init-seed, --split-seed and --batch-seed fix all three seeds)');
    const outcomes = await trainSeeds(configs, seeds, f);
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') printOutcome(outcome.value, f.json);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    for (const [i, o] of outcomes.entries()) if (o.status === 'rejected') console.error(`train: seed ${seeds[i]}: ${(o.reason as Error).message}`);
    return failed.length > 0 || outcomes.some((o) => o.status === 'fulfilled' && (o.value.status === 'failed' || divergedAt(o.value.records) !== null)) ? 1 : 0;
  },
};


/** The runs of `--seeds`: in lockstep on the webgpu engine, else one after another with a bar each. */
async function trainSeeds(configs: RunConfig[], seeds: number[], f: TrainFlagValues): Promise<PromiseSettledResult<RunOutcome>[]> {
  if (f.engine === 'webgpu') {
    const runs = configs.map((config, i) => ({ config, storeRoot: f.runs, engine: f.engine, engineOptions: engineOptionsOf(f), measures: TRAINING_PAPER.checkpoint, progress: noticesOnly(`seed ${seeds[i]}`) }));
    return trainLockstep(runs, { groupSize: f['group-size'], onGroup: (g) => !f.quiet && console.error(`train: ${lockstepLine(g)}`), onSettled: (i, r) => !f.quiet && console.error(`train: seed ${seeds[i]} ${r.status === 'fulfilled' ? r.value.status : 'failed'}`) });
  }
  const out: PromiseSettledResult<RunOutcome>[] = [];
  for (const config of configs)
    try {
      out.push({ status: 'fulfilled', value: await runWithProgress(config, f) });
    } catch (reason) {
      out.push({ status: 'rejected', reason });
    }
  return out;
}

/** A run config from a JSON file: a bare config, or a run's config.json ({hash, config}); validated, errors name the field. */
function configFromFile(path: string): RunConfig {
  const json = readJsonFile(path, 'run config');
  const isRunFile = json !== null && typeof json === 'object' && 'config' in json && 'hash' in json;
  return completeRunConfig(TRAINING_PAPER.checkpoint, parseConfig(RunConfigSchema, isRunFile ? (json as { config: unknown }).config : json, `run config ${path}`));
}

/** The run config of the flags with `seed` as --seed. */
function trainConfig(f: TrainFlagValues, seed: number): RunConfig {
  const isSym = f.task === 'sym';
  const n = isSym ? (f.n ?? 5) : (f.p ?? 97);
  if (!isSym && !isPrime(n) && !f['allow-composite'])
    throw new UsageError(`--p: ${n} is not prime; Z_p tasks need a prime modulus (give --allow-composite to train it anyway)`);
  const elements = taskElements(isSym ? 'sym' : 'mod_add', n);
  const schedule = f.schedule ? { lambda_high: Number(f.schedule.split('@')[0]), trigger: f.schedule.split('@')[1] } : undefined;
  const config: RunConfig = parseConfig(
    RunConfigSchema,
    {
      task: { kind: isSym ? 'sym' : `mod_${f.task}`, n, train_frac: f['train-frac'] ?? (isSym ? 0.7 : 0.3), split_seed: f['split-seed'] ?? seed },
      model: {
        vocab: elements + 1,
        classes: f['separator-logit'] ? elements + 1 : elements,
        d_model: f['d-model'],
        n_heads: f.heads,
        d_mlp: f['d-mlp'],
        n_layers: f.layers,
        variant: f.variant,
        norm: f.norm,
        act: f.act,
        ...(f['no-attn-bias'] ? { attn_bias: false } : {}),
        ...(f['no-unembed-bias'] ? { unembed_bias: false } : {}),
        init: f.init,
        loss_precision: f['loss-precision'],
      },
      optimizer: { lr: f.lr, weight_decay: f.wd, beta1: f.beta1, beta2: f.beta2, warmup_steps: f['warmup-steps'] },
      batch_size: f['batch-size'],
      init_seed: f['init-seed'] ?? seed,
      batch_seed: f['batch-seed'] ?? seed,
      eval_every: f['eval-every'],
      stop: { max_steps: f.steps, ...(f['after-grok'] === 'none' ? {} : { after_grok: f['after-grok'] }) },
      ...(schedule ? { schedule } : {}),
      metrics: metricsOf(f),
    },
    'run config',
  );
  return completeRunConfig(TRAINING_PAPER.checkpoint, config);
}

export async function runWithProgress(config: RunConfig, f: RunFlagValues): Promise<RunOutcome> {
  const progress = f.quiet ? noticesOnly('train') : barProgress('train', config, TRAINING_PAPER.checkpoint.figures);
  try {
    return await trainRun({ config, storeRoot: f.runs, engine: f.engine, engineOptions: engineOptionsOf(f), measures: TRAINING_PAPER.checkpoint, progress });
  } finally {
    progress?.stop();
  }
}

export function printOutcome(outcome: RunOutcome, json: boolean): void {
  if (json)
    console.log(
      JSON.stringify({ id: outcome.id, status: outcome.status, diverged_at: divergedAt(outcome.records), message: outcome.message, wall_s: outcome.wall_s, engine: outcome.engine, ...describeOutcome(outcome, TRAINING_PAPER.checkpoint) }, nonFiniteAsString),
    );
  else {
    const diverged = divergedAt(outcome.records);
    const state = diverged === null ? outcome.status : `diverged at step ${diverged}`;
    console.log(`run ${outcome.id}: ${state}${outcome.message && diverged === null ? ` (${outcome.message})` : ''}, ${outcome.wall_s.toFixed(1)} s on ${outcome.engine}`);
    if (diverged !== null) console.error(`train: run ${outcome.id} diverged at step ${diverged} (a non-finite loss; its records keep the non-finite values, flagged): lower --lr or raise --wd`);
    for (const line of eventLines(describeOutcome(outcome, TRAINING_PAPER.checkpoint))) console.log(line);
  }
}

/** The run config's `metrics` block from the paper's metric flags that were given. */
function metricsOf(f: TrainFlagValues): Record<string, unknown> {
  const values = f as Record<string, unknown>;
  return Object.fromEntries(TRAINING_PAPER.checkpoint.options.flags.filter((o) => values[o.flag] !== undefined).map((o) => [o.key, values[o.flag]]));
}
