/** `grokcheck bench` / `npm run bench`: the speed figures of design.md "Performance targets". */
import { benchDenormals, benchEngine } from '../engine/bench.js';
import { benchFsd } from '../metrics/bench.js';
import { benchCheckpoint } from '../train/bench.js';
import { benchCostModel } from '../verify/costBench.js';
import { DEFAULT_PAPER } from '../papers/index.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants as osConstants } from 'node:os';
import { onEndingSignal } from '../runs/signals.js';
import { COMPILED_CLI } from './jobs.js';
import { CLI, type Command } from './command.js';
import { ENGINE_FLAGS, engineOptionsOf } from './engineFlags.js';
import { z } from 'zod';
import { DEFAULT_ENGINE, ENGINE_KINDS } from '../engine/create.js';
import type { CpuEngineKind } from '../engine/engine.js';
import { Flags, switchFlag, valueFlag } from './flags.js';

const BENCH_FLAGS = new Flags({
  json: switchFlag('print one JSON object {engine, train_step_ms: {p97_2l, p97_1l, p97_attn_only, p113_nanda_full},\neval_grid_ms: {p97_2l}, fsd_perm_ms: {p131_512u_1000}, checkpoint_ms: {p97_2l, p97_2l_null},\ncheckpoint_steps, checkpoint_parts_ms, checkpoint_train_step_ms}'),
  quick: switchFlag('a few iterations only (a smoke test, not figures)'),
  'cost-model': switchFlag('instead: the cost model\'s estimate of the paper\'s main/p97/s42 run against training it\n(minutes; verify --plan\'s estimate, before training and once the grokking step is known)'),
  decayed: switchFlag('instead: one training step from a state deep in the subnormal range (the small profile\'s\nschedule/p43/s42/mem/l10 at step 2000), with denormals kept and flushed'),
  ...ENGINE_FLAGS,
  engine: valueFlag(
    'NAME',
    z.enum([...ENGINE_KINDS, 'webgpu']).default(DEFAULT_ENGINE),
    `${[...ENGINE_KINDS, 'webgpu'].join(', ')}: webgpu measures the lockstep engine (R runs per dispatch) against\nthe native engine in the same call`,
  ),
  runs: valueFlag('R,R,...', z.string().regex(/^\d+(,\d+)*$/, 'expected group sizes like 1,8,32,64').default('1,8,32,64'), 'with --engine webgpu: the group sizes to time'),
  steps: valueFlag('N', z.coerce.number().int().positive().default(20), 'with --engine webgpu: lockstep steps timed per group size'),
});

const BENCH_CHILD = 'GROKCHECK_BENCH_CHILD';

/** Runs `bench ARGV` in a child process and ends it (SIGKILL: it holds no state worth a cleanup) on SIGINT, SIGTERM or SIGHUP. */
async function benchInChild(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, [COMPILED_CLI, 'bench', ...argv], { stdio: 'inherit', env: { ...process.env, [BENCH_CHILD]: '1' } });
  const uninstall = onEndingSignal(['SIGINT', 'SIGTERM', 'SIGHUP'], {
    onSignal: (signal) => {
      child.kill('SIGKILL');
      console.error(`bench: stopped by ${signal}; no figures printed`);
    },
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  uninstall();
  return code ?? (signal ? 128 + (osConstants.signals[signal] ?? 9) : 1);
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure training-step, grid-evaluation and FSD speed',
  help: `Usage: ${CLI} bench [flags]

Median milliseconds (tinybench) of: one training step, batch 512, p = 97, for the paper model (2 layers,
d_model 128, 4 heads, d_mlp 512), its 1-layer and attention-only variants, and of Nanda et al.'s model (p = 113,
1 layer, no LayerNorm, ReLU, one full batch of 3830 pairs, float64 loss on native); one full-grid evaluation of the
paper model with the captures a checkpoint needs; FSD with a 1000-replicate permutation test at p = 131 over
512 units; one whole checkpoint at p = 97 as the training loop measures it (and one with the permutation null),
in ms and in training steps measured in the same run, with where its time goes. Targets (design.md): train
step <= 25 ms, FSD + permutation test <= 500 ms on 2 cores, a checkpoint <= 20 training steps.

${BENCH_FLAGS.help()}`,
  async run(argv) {
    // The timed work runs in a child process that a signal ends at once: in this process the benchmarks run
    // synchronously for minutes between two turns of the event loop, and a signal waited for them (issue 26:
    // a bench ran 7 minutes past a `timeout 120`).
    if (process.env[BENCH_CHILD] !== '1') return benchInChild(argv);
    const { values: f } = BENCH_FLAGS.parse(argv);
    if (f.engine === 'webgpu') {
      const runs = f.runs.split(',').map(Number);
      // Loaded only here: the lockstep bench pulls in the native addon and the WebGPU binding.
      const { benchLockstep } = await import('../engine/webgpu/bench.js');
      const timed = f.quick ? runs.filter((r) => r <= 2) : runs;
      const w = await benchLockstep({ runs: timed, steps: f.quick ? 2 : f.steps });
      // A checkpoint (grid evaluation on the GPU, FSD and the rest on the CPU) for the smallest and largest group.
      const { benchGroupCheckpoint } = await import('../train/lockstepBench.js');
      for (const r of [...new Set([Math.min(...timed), Math.max(...timed)])]) w.checkpoint.push(await benchGroupCheckpoint(r, DEFAULT_PAPER.checkpoint));
      if (f.json) console.log(JSON.stringify(w));
      else {
        console.log(`adapter: ${w.adapter}${w.software ? '   (a CPU implementation: these figures only show that the code runs)' : ''}`);
        console.log(`${w.model}, batch ${w.batch}, ${w.steps_timed} queued steps per group size`);
        console.log('| runs R | ms per lockstep step | run-steps per s |');
        console.log('|---|---|---|');
        for (const l of w.lockstep) console.log(`| ${l.runs} | ${l.ms_per_lockstep_step.toFixed(2)} | ${l.run_steps_per_s.toFixed(1)} |`);
        console.log(`native engine (${w.native.threads}): ${w.native.ms_per_step.toFixed(2)} ms per step, ${w.native.run_steps_per_s.toFixed(1)} run-steps per s`);
        console.log(`best lockstep / native: ${w.speedup_over_native.toFixed(2)}x`);
        for (const c of w.checkpoint) console.log(`one checkpoint of ${c.runs} run(s) in a group: ${c.ms.toFixed(0)} ms (${c.ms_per_run.toFixed(0)} ms per run)`);
      }
      return 0;
    }
    // The CPU engines' figures below (the webgpu engine is not an Engine of create.ts).
    const cpu = { ...f, engine: f.engine as CpuEngineKind };
    if (f['cost-model']) {
      const c = await benchCostModel(DEFAULT_PAPER, 'main/p97/s42', cpu.engine, engineOptionsOf(cpu));
      if (f.json) console.log(JSON.stringify(c));
      else {
        console.log(`${c.run}: trained in ${c.measured_s.toFixed(1)} s`);
        console.log(`  estimate before training (expected stop ${c.expected_stop.prior}): ${c.estimated_s.prior.toFixed(1)} s, ratio ${c.ratio.prior.toFixed(2)}`);
        console.log(`  estimate knowing its stop (${c.expected_stop.actual}): ${c.estimated_s.knowing_grok.toFixed(1)} s, ratio ${c.ratio.knowing_grok.toFixed(2)}`);
      }
      return 0;
    }
    if (f.decayed) {
      const d = await benchDenormals(cpu.engine, { quick: f.quick, engine: engineOptionsOf(cpu) });
      if (f.json) console.log(JSON.stringify(d));
      else {
        console.log(`engine: ${d.engine}; state at step ${d.state_step}: ${d.subnormal_values} of ${d.state_values} values subnormal${f.quick ? '   (--quick: not figures to record)' : ''}`);
        console.log('| denormals | ms per decayed training step (median) |');
        console.log('|---|---|');
        console.log(`| keep  | ${d.decayed_step_ms.keep.toFixed(2)} |`);
        console.log(`| flush | ${d.decayed_step_ms.flush.toFixed(2)} |`);
        console.log(`keep / flush = ${(d.decayed_step_ms.keep / d.decayed_step_ms.flush).toFixed(2)}`);
      }
      return 0;
    }
    const engine = await benchEngine(cpu.engine, { quick: f.quick, engine: engineOptionsOf(cpu) });
    const fsd = benchFsd({ quick: f.quick });
    const checkpoint = await benchCheckpoint(cpu.engine, DEFAULT_PAPER.checkpoint, { quick: f.quick, engine: engineOptionsOf(cpu) });
    const figures = {
      ...engine,
      ...fsd,
      checkpoint_ms: checkpoint.checkpoint_ms,
      checkpoint_steps: checkpoint.checkpoint_steps,
      checkpoint_parts_ms: checkpoint.parts_ms,
      checkpoint_train_step_ms: checkpoint.train_step_ms,
    };
    if (f.json) console.log(JSON.stringify(figures));
    else {
      const ms = (x: number) => `${x.toFixed(2).padStart(9)} ms`;
      console.log(`engine: ${engine.engine}${f.quick ? '   (--quick: not figures to record)' : ''}`);
      console.log('| measure                                   | median       | target   |');
      console.log('|-------------------------------------------|--------------|----------|');
      console.log(`| train step, paper model (p97_2l)          | ${ms(engine.train_step_ms.p97_2l)} | <= 25 ms |`);
      console.log(`| train step, 1 layer (p97_1l)              | ${ms(engine.train_step_ms.p97_1l)} |          |`);
      console.log(`| train step, attention only (p97_attn_only)| ${ms(engine.train_step_ms.p97_attn_only)} |          |`);
      console.log(`| train step, Nanda et al.'s model, full batch of 3830 (p113_nanda_full) | ${ms(engine.train_step_ms.p113_nanda_full)} | >= 2x PyTorch: scripts/bench/pytorch_nanda_step.py |`);
      console.log(`| full-grid eval with captures (p97_2l)     | ${ms(engine.eval_grid_ms.p97_2l)} |          |`);
      console.log(`| FSD + 1000 permutations, p131, 512 units  | ${ms(fsd.fsd_perm_ms.p131_512u_1000)} | <= 500 ms|`);
      const steps = (x: number) => `${x.toFixed(1).padStart(5)} steps`;
      console.log(`| one checkpoint (p97_2l)                   | ${ms(checkpoint.checkpoint_ms.p97_2l)} | <= 20 steps: ${steps(checkpoint.checkpoint_steps.p97_2l)} |`);
      console.log(`| one checkpoint with the null (every 500)  | ${ms(checkpoint.checkpoint_ms.p97_2l_null)} | <= 20 steps: ${steps(checkpoint.checkpoint_steps.p97_2l_null)} |`);
      console.log(`\nwhere a checkpoint's time goes (a training step here: ${checkpoint.train_step_ms.p97_2l.toFixed(2)} ms):`);
      for (const [name, x] of Object.entries(checkpoint.parts_ms)) console.log(`  ${name.padEnd(72)} ${ms(x)} ${steps(x / checkpoint.train_step_ms.p97_2l)}`);
    }
    return 0;
  },
};
