import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../testing/tempDir.js';
import { planJobs, startWorkers } from './jobs.js';
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
