import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../testing/tempDir.js';
import { FORWARDED_SIGNALS, planJobs, startWorkers } from './jobs.js';
import { verifyCommand } from './verify.js';

describe('planJobs', () => {
  it('defaults to one single-threaded job per core, at most 8, and keeps explicit choices', () => {
    expect(planJobs({}, 2)).toEqual({ jobs: 2, threads: 1 });
    expect(planJobs({}, 1)).toEqual({ jobs: 1, threads: 1 });
    expect(planJobs({}, 16)).toEqual({ jobs: 8, threads: 2 });
    expect(planJobs({ jobs: 1 }, 2)).toEqual({ jobs: 1, threads: 2 });
    expect(planJobs({ threads: 2 }, 2)).toEqual({ jobs: 2, threads: 2 });
    expect(planJobs({ jobs: 3, threads: 1 }, 2)).toEqual({ jobs: 3, threads: 1 });
  });
});

describe('startWorkers', () => {
  it('runs grokcheck verify --train-only workers, prefixes their output and reports the ones that fail', async () => {
    const lines: string[] = [];
    const store = makeTempDir('gc-jobs-');
    // C13 reads no runs, so a worker plans nothing and exits 0; an unknown profile is a usage error (exit 2).
    const ok = startWorkers(1, ['--profile', 'small', '--claim', 'C13', '--runs', store, '--jobs', '1', '--quiet'], (l) => lines.push(l));
    const bad = startWorkers(1, ['--profile', 'huge', '--runs', store], (l) => lines.push(l));
    expect(ok.pids.size).toBe(1);
    expect(await ok.finished()).toEqual([]);
    expect(await bad.finished()).toEqual(['job 2 exited with code 2']);
    expect(lines).toContain(`job 2: verify: trained 0 run(s) into ${store} (--train-only: no evaluation)`);
    expect(lines.some((l) => /^job 2: grokcheck verify: --profile: /.test(l))).toBe(true);
  }, 60_000);
});

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Resolves when `check` holds, polling; rejects after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Steps trained in a store, as its runs' status files say (each is written at every checkpoint). */
function stepsInStore(store: string): number {
  let steps = 0;
  for (const id of readdirSync(store)) {
    const status = join(store, id, 'status.json');
    if (existsSync(status)) steps += (JSON.parse(readFileSync(status, 'utf8')) as { step: number }).step;
  }
  return steps;
}

// Each signal in turn. The SIGHUP variant once failed in CI (its worker trained 1550 more steps after the parent
// died): the forwarded signal had landed in a native call, and the run dropped its handlers before Node handed
// the signal to them (fixed in src/train/loop.ts; resume.test.ts reproduces it).
describe.each(FORWARDED_SIGNALS)('verify --jobs 2 sent %s alone', (signal) => {
  it('passes it on: the worker stops at once instead of training on without its parent', async () => {
    const store = makeTempDir('gc-jobs-signal-');
    // C01's main runs take minutes, so a worker that is not told keeps training long after the parent is gone.
    const parent = spawn(process.execPath, [CLI, 'verify', '--profile', 'small', '--claim', 'C01', '--jobs', '2', '--threads', '1', '--runs', store, '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [parent.stdout, parent.stderr]) stream.on('data', (chunk) => (output += chunk));
    const parentExit = new Promise<void>((resolve) => parent.on('exit', () => resolve()));
    let worker = 0;
    try {
      await until(() => output.includes('training in 2 processes'), 60_000, 'the workers to start');
      worker = Number(execFileSync('pgrep', ['-P', String(parent.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
      expect(worker).toBeGreaterThan(0);
      parent.kill(signal);
      await parentExit;
      const stepsWhenParentDied = stepsInStore(store);
      await until(() => !alive(worker), 60_000, `worker ${worker} to stop`);
      // An orphaned worker trained on to the end of its run (it died only when it next wrote to the closed pipe):
      // hundreds of steps more. A worker told stops between two steps, at most finishing one checkpoint.
      expect(stepsInStore(store) - stepsWhenParentDied).toBeLessThanOrEqual(50);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      if (worker && alive(worker)) process.kill(worker, 'SIGKILL');
    }
  }, 150_000);
});

describe('grokcheck verify --jobs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('starts the workers, waits for them and still writes the report', async () => {
    const said: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a) => void said.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const store = makeTempDir('gc-jobs-');
    const report = makeTempDir('gc-jobs-report-');
    const code = await verifyCommand.run(['--profile', 'small', '--claim', 'C13', '--jobs', '2', '--threads', '1', '--runs', store, '--report-dir', report, '--quiet']);
    expect(code).toBe(0);
    expect(said).toContain('verify: training in 2 processes, 1 engine thread(s) each');
    expect(said).toContain(`job 2: verify: trained 0 run(s) into ${store} (--train-only: no evaluation)`);
  }, 120_000);

  it('refuses --train-only with --records-only', async () => {
    await expect(verifyCommand.run(['--records-only', '--train-only'])).rejects.toThrow(/--records-only trains nothing/);
    await expect(verifyCommand.run(['--jobs', '0'])).rejects.toThrow(/--jobs/);
  });
});
