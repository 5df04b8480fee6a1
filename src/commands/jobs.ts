/**
 * `verify --jobs N`: N - 1 worker processes (`grokcheck verify --train-only`) train the same run store beside
 * the verify process itself. Runs are locked one by one (src/runs), so the processes split the work without
 * coordination, and forks are planned by whichever process finds their parent trained. Several one-thread
 * processes use two cores better than one two-thread process (BENCHMARKS.md: per-step work is too small to
 * split well, and checkpoint measurement is single-threaded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { onEndingSignal } from '../runs/signals.js';

/** The compiled CLI (dist/cli.js), from both src/commands (tests) and dist/commands (the installed CLI). */
export const COMPILED_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface JobPlan {
  jobs: number;
  /** Engine threads per job. */
  threads: number;
}

/** Default: one job per core (at most 8), one thread each; explicit --jobs / --threads win. */
export function planJobs(requested: { jobs?: number; threads?: number }, cores = cpus().length): JobPlan {
  const jobs = requested.jobs ?? Math.max(1, Math.min(8, cores));
  const threads = requested.threads ?? Math.max(1, Math.floor(cores / jobs));
  return { jobs, threads };
}

export interface Workers {
  /** Process ids of the workers (a run locked by one of them is not "another process" worth a message). */
  pids: Set<number>;
  /** Resolves when every worker has exited, with a line for each that failed. */
  finished(): Promise<string[]>;
}

/**
 * Signals that a supervisor (`kill`, Slurm's scancel, a CI timeout) sends to the verify process alone, passed on
 * to its workers. Without that a worker outlived its parent: a process killed by a signal emits no 'exit', so
 * the exit handler that stops the workers never ran. SIGINT is not passed on: Ctrl-C in a terminal already goes
 * to the whole process group, workers included, and a second SIGINT would cut short a worker's stop.
 */
export const FORWARDED_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

/**
 * Starts `count` workers running `grokcheck verify --train-only` with `args`. Their output lines go to `log`
 * prefixed with the job number (the verify process itself is job 1). Workers are stopped (SIGTERM: they finish
 * the current step, keep everything written and release their lock) when this process exits, and get the
 * FORWARDED_SIGNALS this process gets.
 */
export function startWorkers(count: number, args: string[], log: (line: string) => void): Workers {
  const children: { job: number; child: ChildProcess; exit: Promise<number | null> }[] = [];
  for (let i = 0; i < count; i++) {
    const job = i + 2;
    const child = spawn(process.execPath, [COMPILED_CLI, 'verify', ...args, '--train-only'], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) log(`job ${job}: ${line}`);
      });
      stream?.on('end', () => pending.trim() && log(`job ${job}: ${pending}`));
    }
    const exit = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.on('error', (error) => {
        log(`job ${job}: could not start: ${error.message}`);
        resolve(-1);
      });
    });
    children.push({ job, child, exit });
  }
  const signalAll = (signal: NodeJS.Signals) => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  // Pass the signal on, then die of it as the run locks' handlers do (src/runs/signals.ts); on a plain exit, stop them.
  const uninstall = onEndingSignal(FORWARDED_SIGNALS, { onSignal: signalAll, onExit: () => signalAll('SIGTERM') });
  return {
    pids: new Set(children.map((c) => c.child.pid).filter((pid): pid is number => pid !== undefined)),
    async finished() {
      const codes = await Promise.all(children.map((c) => c.exit));
      uninstall();
      return children.flatMap((c, i) => (codes[i] === 0 ? [] : [`job ${c.job} exited with ${codes[i] === null ? 'a signal' : `code ${codes[i]}`}`]));
    },
  };
}
