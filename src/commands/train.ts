/** `grokcheck train`: train (or resume) one run into the run store, with a progress bar. */
import { z } from 'zod';
import { DEFAULT_ENGINE } from '../engine/create.js';
import { RunConfigSchema, type RunConfig } from '../schema/runConfig.js';
import { trainRun, type RunOutcome } from '../train/loop.js';
import { parseConfig } from '../schema/parse.js';
import { barProgress, noticesOnly } from './progress.js';
import { parseFlags, validateFlags, type Command } from './command.js';
import { describeOutcome, eventLines } from './show.js';

const int = (min: number) => z.coerce.number().int().min(min);
const pos = () => z.coerce.number().positive();

export const EngineFlagsSchema = z.object({
  engine: z.enum(['native', 'tfjs']).default(DEFAULT_ENGINE),
  backend: z.string().optional(),
  threads: int(1).optional(),
  runs: z.string().default('runs'),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
});

export const engineFlagOptions = {
  engine: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  runs: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

export const ENGINE_FLAGS_HELP = `  --engine NAME       native (default, C++ addon) or tfjs (reference)
  --backend NAME      tfjs backend: tensorflow, wasm or cpu (default: the best available)
  --threads N         native engine threads (default: all cores; results do not depend on it)
  --runs DIR          run store folder (default: runs)
  --json              print the outcome as JSON (events and records)
  --quiet             no progress bar`;

const TrainFlagsSchema = EngineFlagsSchema.extend({
  task: z.enum(['add', 'sub', 'mul', 'sym']).default('add'),
  p: int(2).optional(),
  n: int(2).max(6).optional(),
  seed: int(0).default(42),
  'split-seed': int(0).optional(),
  'batch-seed': int(0).optional(),
  'init-seed': int(0).optional(),
  'train-frac': z.coerce.number().gt(0).lt(1).optional(),
  variant: z.enum(['standard', 'attn_only', 'mlp_only']).default('standard'),
  layers: int(1).max(2).default(2),
  'd-model': int(1).default(128),
  heads: int(1).default(4),
  'd-mlp': int(1).default(512),
  lr: pos().default(1e-3),
  wd: z.coerce.number().min(0).default(1.0),
  beta1: z.coerce.number().min(0).lt(1).default(0.9),
  beta2: z.coerce.number().min(0).lt(1).default(0.999),
  'batch-size': int(1).default(512),
  steps: int(1).default(10000),
  'after-grok': z.union([z.literal('none'), int(0)]).default(1000),
  'eval-every': int(1).default(100),
  schedule: z
    .string()
    .regex(/^\d+(\.\d+)?@(fsd|mem|step:\d+)$/, 'expected LAMBDA@TRIGGER, e.g. 5@fsd, 10@mem, 3@step:500')
    .optional(),
  'fsd-site': z.enum(['block0.mlp.post', 'block0.mlp.pre', 'block1.mlp.post', 'block0.attn.out']).optional(),
  permutations: int(0).default(1000),
});

export const trainCommand: Command = {
  name: 'train',
  summary: 'train (or resume) one run into the run store',
  help: `Usage: grokcheck train [flags]

Trains one run of the model of shared/spec/model.md (defaults: the paper's configuration, p = 97 addition,
seed 42) and stores it in the run store; a run that exists is resumed, a complete one is only shown.
Interrupt it at any time (Ctrl-C, kill -9): the next identical command continues where it stopped.

Task:
  --task add|sub|mul|sym  the operation (default add; sym = symmetric group S_n composition)
  --p N                   the modulus for add/sub/mul (default 97)
  --n N                   n of S_n for sym (default 5)
  --train-frac F          training fraction (default 0.3 for Z_p, 0.7 for sym)
Seeds:
  --seed N                one seed for init, split and batch order (default 42)
  --init-seed N, --split-seed N, --batch-seed N   override one of them
Model (model.md):
  --variant standard|attn_only|mlp_only (default standard)   --layers 1|2 (default 2)
  --d-model N (128)  --heads N (4)  --d-mlp N (512)
Optimiser (AdamW, PyTorch semantics):
  --lr X (1e-3)  --wd X (1.0)  --beta1 X (0.9)  --beta2 X (0.999)  --batch-size N (512)
Schedule and stopping:
  --steps N               step cap (default 10000)
  --after-grok N|none     stop N steps after grokking (default 1000)
  --eval-every N          checkpoint cadence (default 100)
  --schedule L@TRIGGER    raise the weight decay to L at TRIGGER: fsd (sync step), mem (memorisation step)
                          or step:N
Metrics:
  --fsd-site SITE         block0.mlp.post (default), block0.mlp.pre, block1.mlp.post, block0.attn.out
                          (attn_only models default to block0.attn.out)
  --permutations N        permutation-test replicates at every 500th step and at sync (default 1000; 0 = off)
Engine and output:
${ENGINE_FLAGS_HELP}

Example: npx grokcheck train --p 53 --seed 42 --steps 8000`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...engineFlagOptions,
      task: { type: 'string' }, p: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' },
      'split-seed': { type: 'string' }, 'batch-seed': { type: 'string' }, 'init-seed': { type: 'string' },
      'train-frac': { type: 'string' }, variant: { type: 'string' }, layers: { type: 'string' },
      'd-model': { type: 'string' }, heads: { type: 'string' }, 'd-mlp': { type: 'string' }, lr: { type: 'string' },
      wd: { type: 'string' }, beta1: { type: 'string' }, beta2: { type: 'string' }, 'batch-size': { type: 'string' },
      steps: { type: 'string' }, 'after-grok': { type: 'string' }, 'eval-every': { type: 'string' },
      schedule: { type: 'string' }, 'fsd-site': { type: 'string' }, permutations: { type: 'string' },
    });
    const f = validateFlags(TrainFlagsSchema, values);
    const isSym = f.task === 'sym';
    const n = isSym ? (f.n ?? 5) : (f.p ?? 97);
    let elements = n;
    if (isSym) for (let i = n - 1; i > 1; i--) elements *= i;
    const schedule = f.schedule
      ? { lambda_high: Number(f.schedule.split('@')[0]), trigger: f.schedule.split('@')[1] }
      : undefined;
    const config: RunConfig = parseConfig(
      RunConfigSchema,
      {
        task: {
          kind: isSym ? 'sym' : `mod_${f.task}`,
          n,
          train_frac: f['train-frac'] ?? (isSym ? 0.7 : 0.3),
          split_seed: f['split-seed'] ?? f.seed,
        },
        model: {
          vocab: elements + 1, classes: elements, d_model: f['d-model'], n_heads: f.heads, d_mlp: f['d-mlp'],
          n_layers: f.layers, variant: f.variant,
        },
        optimizer: { lr: f.lr, weight_decay: f.wd, beta1: f.beta1, beta2: f.beta2 },
        batch_size: f['batch-size'],
        init_seed: f['init-seed'] ?? f.seed,
        batch_seed: f['batch-seed'] ?? f.seed,
        eval_every: f['eval-every'],
        stop: { max_steps: f.steps, ...(f['after-grok'] === 'none' ? {} : { after_grok: f['after-grok'] }) },
        ...(schedule ? { schedule } : {}),
        metrics: {
          fsd_site: f['fsd-site'] ?? (f.variant === 'attn_only' ? 'block0.attn.out' : 'block0.mlp.post'),
          permutations: f.permutations,
          ...(isSym ? { sync_threshold: 0.5 } : {}),
        },
      },
      'run config',
    );
    const outcome = await runWithProgress(config, f);
    printOutcome(outcome, f.json);
    return outcome.status === 'failed' ? 1 : 0;
  },
};

export async function runWithProgress(config: RunConfig, f: z.infer<typeof EngineFlagsSchema>): Promise<RunOutcome> {
  const progress = f.quiet ? noticesOnly('train') : barProgress('train');
  try {
    return await trainRun({ config, storeRoot: f.runs, engine: f.engine, threads: f.threads, backend: f.backend, progress });
  } finally {
    progress?.stop();
  }
}

export function printOutcome(outcome: RunOutcome, json: boolean): void {
  if (json) console.log(JSON.stringify({ id: outcome.id, status: outcome.status, message: outcome.message, wall_s: outcome.wall_s, engine: outcome.engine, ...describeOutcome(outcome) }));
  else {
    console.log(`run ${outcome.id}: ${outcome.status}${outcome.message ? ` (${outcome.message})` : ''}, ${outcome.wall_s.toFixed(1)} s on ${outcome.engine}`);
    const d = describeOutcome(outcome);
    for (const line of eventLines(d)) console.log(line);
  }
}
