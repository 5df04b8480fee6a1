/** The CLI as a user meets it: help, replay of fixtures, clear errors for bad input (never a stack trace). */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './testing/tempDir.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const fixtures = join(root, '..', 'shared', 'fixtures', 'reference');

function grokcheck(...args: string[]) {
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  // A fixed memory budget, so the memory refusal below does not depend on the machine.
  return spawnSync(process.execPath, [join(root, 'bin', 'grokcheck.js'), ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, GROKCHECK_MEMORY_GIB: '16' } });
}

function expectCleanError(result: ReturnType<typeof grokcheck>, code: number, pattern: RegExp) {
  expect(result.status).toBe(code);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
}

describe('grokcheck CLI', () => {
  it('lists its commands and each has truthful help', () => {
    const help = grokcheck('--help');
    expect(help.status).toBe(0);
    for (const name of ['verify', 'train', 'fork', 'runs', 'show', 'replay', 'fsd', 'bench']) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${name}\\s`));
      const sub = grokcheck(name, '--help');
      expect(sub.status).toBe(0);
      expect(sub.stdout).toMatch(new RegExp(`Usage: node bin/grokcheck.js ${name}`));
    }
    expectCleanError(grokcheck('frobnicate'), 2, /unknown command 'frobnicate'/);
  });

  it('replays every public fixture within tolerance (--json)', () => {
    for (const name of ['add11-1l-standard', 'add11-2l-attn_only', 'add11-2l-mlp_only', 'add11-2l-standard', 'add97-2l-paper']) {
      const result = grokcheck('replay', join(fixtures, `${name}.json`), '--json');
      expect(result.status, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.name).toBe(name);
      expect(report.ok).toBe(true);
      expect(report.max_rel_loss_err).toBeLessThan(1e-4);
      for (const key of ['losses', 'grid_loss', 'grid_acc', 'max_abs_param_err']) expect(report).toHaveProperty(key);
    }
  }, 120_000);

  it('a replay outside tolerance exits 1, a malformed fixture exits 2 naming the field', () => {
    const dir = makeTempDir('grokcheck-cli-');
    const fixture = JSON.parse(readFileSync(join(fixtures, 'add11-1l-standard.json'), 'utf8'));
    fixture.expected.loss[3] *= 1.01;
    writeFileSync(join(dir, 'off.json'), JSON.stringify(fixture));
    const off = grokcheck('replay', join(dir, 'off.json'), '--json');
    expect(off.status).toBe(1);
    expect(JSON.parse(off.stdout).ok).toBe(false);

    fixture.model.d_model = 'thirty-two';
    fixture.batches[2] = [0, 9999];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(fixture));
    const bad = grokcheck('replay', join(dir, 'bad.json'));
    expectCleanError(bad, 2, /model\.d_model/);
    writeFileSync(join(dir, 'cut.json'), '{"name": "x", "model": {');
    expectCleanError(grokcheck('replay', join(dir, 'cut.json')), 2, /cannot read fixture/);
    expectCleanError(grokcheck('replay'), 2, /expected exactly one fixture file/);
  });

  it('fsd prints the documented JSON fields from a fixture and from an activations file', () => {
    const result = grokcheck('fsd', '--fixture', join(fixtures, 'add11-2l-standard.json'), '--permutations', '200', '--json');
    expect(result.status, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json).sort()).toEqual(
      ['fsd', 'top_frequency', 'participation', 'median_rank', 'rank1_fraction', 'p_value', 'null_mean', 'null_q95', 'silent_units'].sort(),
    );
    expect(json.fsd).toBeGreaterThanOrEqual(0);
    expect(json.fsd).toBeLessThanOrEqual(1);
    // The same activations through --activations give the same FSD.
    const fixture = JSON.parse(readFileSync(join(fixtures, 'add11-2l-standard.json'), 'utf8'));
    const dir = makeTempDir('grokcheck-fsd-');
    writeFileSync(join(dir, 'acts.json'), JSON.stringify({ p: 11, op: 'add', units: fixture.model.d_mlp, data: fixture.expected.block0_mlp_hidden_last }));
    const viaFile = JSON.parse(grokcheck('fsd', '--activations', join(dir, 'acts.json'), '--permutations', '200', '--json').stdout);
    expect(viaFile).toEqual(json);
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ p: 11, op: 'add', units: 3, data: [1, 2] }));
    expectCleanError(grokcheck('fsd', '--activations', join(dir, 'short.json')), 2, /data: must hold p \* p \* units = 11 \* 11 \* 3 = 363 values .*, got 2/);
  });

  it('train validates every flag and names the bad one', () => {
    expectCleanError(grokcheck('train', '--p', 'ninety-seven'), 2, /--p/);
    expectCleanError(grokcheck('train', '--variant', 'mlp_heavy'), 2, /--variant/);
    expectCleanError(grokcheck('train', '--d-model', '130', '--heads', '4'), 2, /n_heads|divisible/);
    expectCleanError(grokcheck('train', '--schedule', '5@never'), 2, /--schedule/);
    expectCleanError(grokcheck('train', '--p', '3'), 2, /p >= 5/);
    expectCleanError(grokcheck('train', '--bogus'), 2, /bogus/);
    expectCleanError(grokcheck('show', 'zzzz', '--runs', makeTempDir('grokcheck-empty-')), 1, /not a run id prefix/);
  });

  it('refuses a composite modulus unless asked, and a grid too large for the machine before allocating it', () => {
    const runs = makeTempDir('grokcheck-cli-inputs-');
    expectCleanError(grokcheck('train', '--p', '91', '--task', 'mul', '--runs', runs), 2, /--p: 91 is not prime/);
    const tinyArgs = ['--d-model', '8', '--heads', '2', '--d-mlp', '16', '--steps', '1', '--permutations', '0', '--runs', runs, '--quiet'];
    const composite = grokcheck('train', '--p', '15', '--allow-composite', ...tinyArgs);
    expect(composite.status, composite.stderr).toBe(0);
    const started = Date.now();
    expectCleanError(grokcheck('train', '--p', '997', '--steps', '1', '--runs', runs), 2, /p = 997 needs about \d+\.\d GiB for one checkpoint's full-grid evaluation .* 16\.0 GiB available/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('runs and show read a folder of exported records (the runs a committed report cites)', () => {
    const records = join(root, 'fixtures', 'records', 'small');
    const listed = grokcheck('runs', '--runs', records);
    expect(listed.status, listed.stderr).toBe(0);
    const first = listed.stdout.split('\n')[0];
    expect(first).toMatch(/^[0-9a-f]{16}  complete /);
    const shown = grokcheck('show', first.slice(0, 8), '--runs', records);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^run [0-9a-f]{16}  complete/);
    expect(shown.stdout).toMatch(/grokking\s+\d+/);
  });

  it('trains, lists, shows and forks a small run', () => {
    const runs = makeTempDir('grokcheck-cli-runs-');
    const small = ['--p', '11', '--d-model', '16', '--heads', '2', '--d-mlp', '32', '--batch-size', '16', '--train-frac', '0.5',
      '--lr', '3e-3', '--steps', '1000', '--permutations', '20', '--eval-every', '50', '--runs', runs, '--quiet'];
    const trained = grokcheck('train', ...small, '--json');
    expect(trained.status, trained.stderr).toBe(0);
    const outcome = JSON.parse(trained.stdout);
    expect(outcome.status).toBe('complete');
    expect(outcome.events).toHaveProperty('memorisation');
    // What --help says --json prints (message only when there is one).
    for (const key of ['id', 'status', 'wall_s', 'engine', 'events', 'flags', 'trajectory']) expect(outcome).toHaveProperty(key);
    expect(grokcheck('train', '--help').stdout).toContain('--json                  print the outcome as JSON: id, status, message, wall_s, engine, events, flags, trajectory');
    const listed = grokcheck('runs', '--runs', runs);
    expect(listed.stdout).toContain(outcome.id);
    const shown = grokcheck('show', outcome.id.slice(0, 6), '--runs', runs);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/memorisation\s+\d+/);
    const forked = grokcheck('fork', outcome.id.slice(0, 6), '--wd', '3', '--at', 'mem', '--steps', '1200', '--after-grok', 'none', '--runs', runs, '--quiet', '--json');
    expect(forked.status, forked.stderr).toBe(0);
    const fork = JSON.parse(forked.stdout);
    expect(fork.id).not.toBe(outcome.id);
    expect(fork.trajectory.at(-1).step).toBe(1200);
    expectCleanError(grokcheck('fork', outcome.id, '--wd', '3', '--at', '123', '--runs', runs), 2, /no checkpoint at step 123/);
    const mem = String(outcome.events.memorisation);
    expectCleanError(grokcheck('fork', outcome.id, '--wd', '3', '--at', 'mem', '--steps', mem, '--runs', runs), 2, new RegExp(`--steps: ${mem} is not past the fork step ${mem}`));
    // A run that differs from the first only in its cap is told apart in the listing.
    const capped = grokcheck('train', ...small.map((a, i) => (small[i - 1] === '--steps' ? '300' : a)), '--after-grok', 'none');
    expect(capped.status, capped.stderr).toBe(0);
    const lines = grokcheck('runs', '--runs', runs).stdout.split('\n').filter((l) => l.includes('add p=11 2L standard d16 wd=1 init'));
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/stop\.max_steps=1000/);
    expect(lines.join('\n')).toMatch(/stop\.max_steps=300/);
  }, 120_000);
});
