/**
 * Shards and merge end to end (design.md "Across machines"): the tiny profile trained as three shards in three
 * processes into three stores and merged gives the same records, byte for byte, and the same verdicts as one
 * unsharded run; merge refuses what a store from another machine must not contain, leaving DEST as it was.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/tempDir.js';
import { MergeError, mergeStores } from './merge.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';

/** What merge checks a circuit-sync run against (the CLI passes every paper's). */
const CHECKS = { records: [circuitSyncMeasures.record.schema], measurements: [] };

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bin', 'grokcheck.js');
const TINY = ['verify', '--profile', 'tiny', '--jobs', '1', '--threads', '1', '--quiet'];

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Every file of a store, relative path -> bytes (status.json left out: it holds wall times). */
function storeFiles(store: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, join(rel, name));
      else if (name !== 'status.json') out.set(join(rel, name), readFileSync(path));
    }
  };
  walk(store, '');
  return out;
}

const claimsOf = (report: string) =>
  (JSON.parse(readFileSync(join(report, 'verdict.json'), 'utf8')).claims as { id: string; verdict: string; ours: string; ours_coarse: string; reason: string }[]).map(
    ({ id, verdict, ours, ours_coarse, reason }) => ({ id, verdict, ours, ours_coarse, reason }),
  );

describe('three shards merged equal one unsharded run', () => {
  let single: string;
  let shards: string[];
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
    single = makeTempDir('gc-shard-single-');
    shards = [0, 1, 2].map(() => makeTempDir('gc-shard-'));
    const results = await Promise.all([
      run([...TINY, '--runs', single, '--train-only']),
      ...shards.map((dir, i) => run([...TINY, '--runs', dir, '--shard', `${i}/3`])),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('splits the profile: every shard trains runs of its own, no run twice', () => {
    const ids = shards.map((s) => readdirSync(s).filter((n) => /^[0-9a-f]{16}$/.test(n)));
    for (const list of ids) expect(list.length).toBeGreaterThan(0);
    const all = ids.flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('merged, has the records of the unsharded run byte for byte, and the same verdicts', async () => {
    const merged = makeTempDir('gc-shard-merged-');
    const result = mergeStores(merged, shards, { records: [circuitSyncMeasures.record.schema], measurements: [{ name: 'ablation', schema: (await import('../papers/circuit-sync/ablation.js')).AblationResultSchema }] });
    expect(result.copied.length).toBeGreaterThan(0);
    const a = storeFiles(merged), b = storeFiles(single);
    expect([...a.keys()].filter((k) => k.endsWith('records.jsonl')).sort()).toEqual([...b.keys()].filter((k) => k.endsWith('records.jsonl')).sort());
    for (const [file, bytes] of b) if (file.endsWith('records.jsonl') || file.endsWith('config.json')) expect(a.get(file)?.equals(bytes), file).toBe(true);
    // verify on the merged store trains nothing and writes the same verdicts.
    const reportA = makeTempDir('gc-shard-report-'), reportB = makeTempDir('gc-shard-report-');
    const onMerged = await run([...TINY, '--runs', merged, '--report-dir', reportA]);
    expect(onMerged.stderr).toMatch(/verify: .*, profile tiny: (\d+) of \1 runs complete/);
    await run([...TINY, '--runs', single, '--report-dir', reportB]);
    expect(claimsOf(reportA)).toEqual(claimsOf(reportB));
    // Merging again changes nothing.
    const before = storeFiles(merged);
    const again = mergeStores(merged, shards, CHECKS);
    expect(again.copied).toEqual([]);
    expect(storeFiles(merged)).toEqual(before);
  }, 300_000);
});

describe('merge refuses what a foreign store must not hold, leaving DEST as it was', () => {
  let source: string;
  beforeAll(() => {
    source = makeTempDir('gc-merge-src-');
    const r = spawnSync(process.execPath, [cli, 'train', '--p', '7', '--d-model', '8', '--heads', '2', '--d-mlp', '16', '--steps', '60', '--eval-every', '20', '--permutations', '0', '--train-frac', '0.5', '--runs', source, '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  const runId = () => readdirSync(source).find((n) => /^[0-9a-f]{16}$/.test(n))!;
  /** A copy of the source with `damage` applied to its one run; merging it into a fresh DEST must throw `pattern`. */
  function refused(damage: (runDir: string, store: string) => void, pattern: RegExp, limits?: Parameters<typeof mergeStores>[3]) {
    const copy = makeTempDir('gc-merge-bad-');
    cpSync(source, copy, { recursive: true });
    damage(join(copy, runId()), copy);
    const dest = makeTempDir('gc-merge-dest-');
    writeFileSync(join(dest, 'keep.txt'), 'untouched');
    const before = storeFiles(dest);
    expect(() => mergeStores(dest, [copy], CHECKS, limits)).toThrow(MergeError);
    expect(() => mergeStores(dest, [copy], CHECKS, limits)).toThrow(pattern);
    expect(storeFiles(dest)).toEqual(before);
  }

  it('merges a clean store, and a second time changes nothing', () => {
    const dest = makeTempDir('gc-merge-dest-');
    expect(mergeStores(dest, [source], CHECKS).copied).toEqual([runId()]);
    const before = storeFiles(dest);
    expect(mergeStores(dest, [source], CHECKS)).toMatchObject({ copied: [], unchanged: [runId()] });
    expect(storeFiles(dest)).toEqual(before);
  });

  it('refuses a conflicting run, naming the run and the file', () => {
    const dest = makeTempDir('gc-merge-dest-');
    mergeStores(dest, [source], CHECKS);
    const other = makeTempDir('gc-merge-other-');
    cpSync(source, other, { recursive: true });
    const records = join(other, runId(), 'records.jsonl');
    // Another record, still valid: the same run id must not hold two different histories.
    writeFileSync(records, readFileSync(records, 'utf8').replace(/"norm":([0-9.]+)/, (_, n) => `"norm":${Number(n) + 1}`));
    const before = storeFiles(dest);
    expect(() => mergeStores(dest, [other], CHECKS)).toThrow(new RegExp(`run ${runId()}: .*records\\.jsonl differs`));
    expect(storeFiles(dest)).toEqual(before);
  });

  it('refuses a corrupt checkpoint, a truncated record, a symbolic link, a foreign name and an oversized file', () => {
    refused((dir) => {
      const ck = join(dir, 'checkpoints', readdirSync(join(dir, 'checkpoints'))[0]);
      const bytes = readFileSync(ck);
      bytes[bytes.length - 5] ^= 0xff;
      writeFileSync(ck, bytes);
    }, /checkpoint|checksum/i);
    refused((dir) => {
      const file = join(dir, 'records.jsonl');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.slice(0, text.length - 30));
    }, /records\.jsonl:\d+: incomplete final line/);
    refused((dir) => symlinkSync('/etc/passwd', join(dir, 'ablation.json')), /symbolic link/);
    refused((dir) => writeFileSync(join(dir, 'notes.txt'), 'x'), /'notes\.txt' is not a file of the run store/);
    refused((_, store) => mkdirSync(join(store, '..%2f..')), /is not a run id/);
    // A folder of exported records is named as such (it once said "not a run id").
    refused((_, store) => writeFileSync(join(store, '0123456789abcdef.jsonl'), '{}\n'), /a folder of exported records .* not a run store/);
    refused((_, store) => symlinkSync('/tmp', join(store, '0123456789abcdef')), /symbolic link/);
    refused(() => {}, /more than merge accepts/, { records: 100 });
  });
});
