/**
 * scripts/python/grokcheck_load.py, the numpy-only reader of docs/formats.md, on runs grokcheck wrote: a run of a
 * store with its checkpoint (shapes as the engines lay parameters out, the norm as the record measured it), an
 * exported records file, and a damaged checkpoint it must refuse.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { paramSpecs } from '../../src/model/params.js';
import { makeTempDir } from '../../src/testing/tempDir.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const loader = join(root, 'scripts', 'python', 'grokcheck_load.py');

/** The first python3 with numpy (.ci/run installs Debian's python3-numpy where none has it). */
function python(): string {
  for (const candidate of ['python3', '/usr/bin/python3'])
    if (spawnSync(candidate, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0) return candidate;
  throw new Error('no python3 with numpy here: apt-get install python3-numpy (as .ci/run does)');
}

const load = (...args: string[]) => spawnSync(python(), [loader, ...args], { encoding: 'utf8' });

describe('grokcheck_load.py', () => {
  it('reads a run of a store and its checkpoint: every record, the model\'s shapes, the norm the record measured', () => {
    const runs = makeTempDir('gc-python-');
    const trained = spawnSync(process.execPath, [join(root, 'bin', 'grokcheck.js'), 'train', '--p', '23', '--d-model', '16', '--heads', '2', '--d-mlp', '32', '--steps', '300', '--permutations', '0', '--runs', runs, '--quiet', '--json'], { encoding: 'utf8' });
    expect(trained.status, trained.stderr).toBe(0);
    const id = JSON.parse(trained.stdout).id as string;
    const dir = join(runs, id);
    const checkpoint = readdirSync(join(dir, 'checkpoints')).sort().at(-1)!;
    const result = load(dir, join(dir, 'checkpoints', checkpoint));
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    const records = readFileSync(join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(summary).toMatchObject({ id, source: 'run store', state: 'complete', records: records.length, last_step: records.at(-1).step });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).config;
    expect(summary.checkpoint.params).toEqual(Object.fromEntries(paramSpecs(config.model).map((p) => [p.name, p.shape])));
    const measured = records.find((r) => r.step === summary.checkpoint.step).norm;
    expect(Math.abs(summary.checkpoint.param_norm - measured) / measured).toBeLessThan(1e-6);

    // One flipped bit in the payload: refused, naming the file.
    const bytes = readFileSync(join(dir, 'checkpoints', checkpoint));
    bytes[bytes.length - 3] ^= 0x10;
    const damaged = join(runs, 'damaged.ckpt');
    writeFileSync(damaged, bytes);
    const refused = load(dir, damaged);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/damaged\.ckpt: the payload is cut short or its SHA-256 does not match/);
  }, 60_000);

  it("follows the model switches: a run of Nanda et al.'s model (no LayerNorm, no biases) has the engines' shapes", () => {
    const runs = makeTempDir('gc-python-switches-');
    const flags = ['--p', '23', '--layers', '1', '--d-model', '16', '--heads', '2', '--d-mlp', '32', '--norm', 'none', '--act', 'relu', '--no-attn-bias', '--no-unembed-bias', '--init', 'nanda', '--separator-logit', '--batch-size', 'full', '--warmup-steps', '10'];
    const trained = spawnSync(process.execPath, [join(root, 'bin', 'grokcheck.js'), 'train', ...flags, '--steps', '100', '--permutations', '0', '--runs', runs, '--quiet', '--json'], { encoding: 'utf8' });
    expect(trained.status, trained.stderr).toBe(0);
    const dir = join(runs, JSON.parse(trained.stdout).id as string);
    const checkpoint = readdirSync(join(dir, 'checkpoints')).sort().at(-1)!;
    const result = load(dir, join(dir, 'checkpoints', checkpoint));
    expect(result.status, result.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).config;
    expect(config.model).toMatchObject({ norm: 'none', act: 'relu', attn_bias: false, unembed_bias: false, init: 'nanda', classes: 24 });
    const shapes = JSON.parse(result.stdout).checkpoint.params;
    expect(shapes).toEqual(Object.fromEntries(paramSpecs(config.model).map((p) => [p.name, p.shape])));
    expect(Object.keys(shapes).some((name) => name.includes('ln') || name.endsWith('b_U') || name.endsWith('b_Q'))).toBe(false);
  }, 60_000);

  it('reads an exported records file as the CLI does (fixtures/records)', () => {
    const file = join(root, 'fixtures', 'records', 'small', readdirSync(join(root, 'fixtures', 'records', 'small')).filter((n) => n.endsWith('.jsonl')).sort()[0]);
    const result = load(file);
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    const shown = spawnSync(process.execPath, [join(root, 'bin', 'grokcheck.js'), 'show', summary.id, '--runs', join(root, 'fixtures', 'records', 'small'), '--json'], { encoding: 'utf8' });
    const cli = JSON.parse(shown.stdout);
    expect(summary).toMatchObject({ source: 'exported records', state: 'complete', records: cli.records.length, last_step: cli.records.at(-1).step });
    expect(summary.max_val_acc).toBe(Math.max(...cli.records.map((r: { val_acc: number }) => r.val_acc)));
  }, 60_000);
});
