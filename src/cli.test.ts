/** The CLI as a user meets it: help, replay of fixtures, clear errors for bad input (never a stack trace). */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
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

  it('bench stops at SIGTERM at once (its timed work runs in a child process)', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'grokcheck.js'), 'bench', '--quick'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((r) => setTimeout(r, 3000));
    const sent = Date.now();
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    expect(Date.now() - sent).toBeLessThan(2000);
    // It dies of the signal, as with no handler at all (a shell says exit 143).
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(stderr).toMatch(/bench: stopped by SIGTERM/);
  }, 30_000);

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
    expectCleanError(grokcheck('show', 'zzzz', '--runs', makeTempDir('grokcheck-empty-')), 2, /no run 'zzzz' in run store/);
    // A folder that is not there is named, not listed as an empty store (issue 26).
    expectCleanError(grokcheck('runs', '--runs', '/nonexistent'), 2, /--runs: \/nonexistent is not a folder/);
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

  it('runs and show read a folder of exported records by experiment key (the names a committed report uses)', () => {
    const records = join(root, 'fixtures', 'records', 'small');
    const listed = grokcheck('runs', '--runs', records, '--key', 'main', '--json');
    expect(listed.status, listed.stderr).toBe(0);
    const runs = JSON.parse(listed.stdout) as { id: string; keys: string[]; state: string; events: { grokking: number | null }; problems: string[] }[];
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.keys.some((k) => k.startsWith('main/'))).toBe(true);
      expect(run.state).toBe('complete');
      expect(run.problems).toEqual([]);
    }
    const key = runs[0].keys.find((k) => k.startsWith('main/'))!;
    const table = grokcheck('runs', '--runs', records, '--key', 'main').stdout.split('\n');
    expect(table[0]).toMatch(/profile small of circuit-sync: \d+ of \d+ runs/);
    expect(table[1]).toMatch(/^key\s+id\s+state\s+step\s+mem\s+sync\s+grok\s+lead\s+wall_s\s+problems\s+config$/);
    const byKey = grokcheck('show', key, '--runs', records);
    expect(byKey.status, byKey.stderr).toBe(0);
    expect(byKey.stdout).toMatch(new RegExp(`^run ${runs[0].id} \\(.*${key}.*\\)  complete`));
    expect(byKey.stdout).toMatch(/grokking\s+\d+/);
    expect(grokcheck('show', runs[0].id.slice(0, 8), '--runs', records).stdout).toMatch(new RegExp(`^run ${runs[0].id}`));
    // Every checkpoint on request, and as CSV: one row per record, its first column the step.
    const all = JSON.parse(grokcheck('show', key, '--runs', records, '--every', 'all', '--json').stdout);
    expect(all.trajectory).toHaveLength(all.records.length);
    const csv = grokcheck('show', key, '--runs', records, '--csv').stdout.trim().split('\n');
    expect(csv).toHaveLength(all.records.length + 1);
    expect(csv[0].split(',').slice(0, 3)).toEqual(['step', 'weight_decay', 'train_loss']);
    expect(csv[0]).toContain('fsd_alt.block0.mlp.post@grid.fsd');
    expect(Number(csv.at(-1)!.split(',')[0])).toBe(all.records.at(-1).step);
  });

  it('a diverged run is a state: train exits 1 and says so, runs and show read it, merge takes it', () => {
    const runs = makeTempDir('grokcheck-cli-diverged-');
    const args = ['train', '--p', '31', '--d-model', '32', '--steps', '100', '--lr', '1e6', '--permutations', '0', '--runs', runs, '--quiet'];
    const trained = grokcheck(...args);
    expect(trained.status).toBe(1);
    expect(trained.stdout).toMatch(/: diverged at step 100/);
    expect(trained.stderr).toMatch(/diverged at step 100 \(a non-finite loss/);
    // Again: the run is found and read (its records, NaN norm included, parse), not broken.
    expect(grokcheck(...args).status).toBe(1);
    const [run] = JSON.parse(grokcheck('runs', '--runs', runs, '--json').stdout);
    expect(run).toMatchObject({ state: 'diverged', diverged_at: 100, problems: [] });
    expect(grokcheck('runs', '--runs', runs).stdout).toMatch(/diverged@100/);
    const shown = grokcheck('show', run.id, '--runs', runs, '--json');
    expect(shown.status, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).records.at(-1)).toMatchObject({ diverged: true, norm: 'NaN' });
    const merged = grokcheck('merge', join(runs, '..', `${runs.split('/').at(-1)}-merged`), runs);
    expect(merged.status, merged.stderr).toBe(0);
  }, 60_000);

  it('train --config takes a run config file (a run\'s own config.json names the same run) and refuses config flags beside it', () => {
    const runs = makeTempDir('grokcheck-cli-config-');
    const first = grokcheck('train', '--p', '23', '--d-model', '16', '--heads', '2', '--d-mlp', '32', '--steps', '100', '--permutations', '0', '--runs', runs, '--quiet', '--json');
    expect(first.status, first.stderr).toBe(0);
    const id = JSON.parse(first.stdout).id;
    const again = grokcheck('train', '--config', join(runs, id, 'config.json'), '--runs', runs, '--quiet', '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).id).toBe(id);
    const config = JSON.parse(readFileSync(join(runs, id, 'config.json'), 'utf8')).config;
    config.stop.max_steps = 200;
    writeFileSync(join(runs, 'longer.json'), JSON.stringify(config));
    const longer = grokcheck('train', '--config', join(runs, 'longer.json'), '--runs', runs, '--quiet', '--json');
    expect(longer.status, longer.stderr).toBe(0);
    expect(JSON.parse(longer.stdout).trajectory.at(-1).step).toBe(200);
    expectCleanError(grokcheck('train', '--config', join(runs, 'longer.json'), '--p', '31'), 2, /--config gives the whole run config: drop --p/);
    writeFileSync(join(runs, 'bad.json'), JSON.stringify({ ...config, optimizer: { ...config.optimizer, lr: -1 } }));
    expectCleanError(grokcheck('train', '--config', join(runs, 'bad.json'), '--runs', runs), 2, /run config .*bad\.json\.optimizer\.lr/);
  }, 60_000);

  it('a complete run whose last record was cut short is repaired by the command that trained it', () => {
    const runs = makeTempDir('grokcheck-cli-cut-');
    const args = ['train', '--p', '31', '--d-model', '32', '--steps', '300', '--permutations', '0', '--runs', runs, '--quiet'];
    expect(grokcheck(...args).status).toBe(0);
    const [run] = JSON.parse(grokcheck('runs', '--runs', runs, '--json').stdout);
    const file = join(runs, run.id, 'records.jsonl');
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 50));
    const [cut] = JSON.parse(grokcheck('runs', '--runs', runs, '--json').stdout);
    expect(cut.problems.join(' ')).toMatch(/incomplete final line .* run the command that trained it .* again/);
    const again = grokcheck(...args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/was complete but its last record is cut short: measuring that checkpoint again/);
    expect(readFileSync(file)).toEqual(whole);
  }, 60_000);

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
    for (const key of ['id', 'status', 'diverged_at', 'wall_s', 'engine', 'events', 'flags', 'trajectory']) expect(outcome).toHaveProperty(key);
    expect(grokcheck('train', '--help').stdout).toContain('--json                  print the outcome as JSON: id, status, diverged_at, message, wall_s, engine, events, flags, trajectory');
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
