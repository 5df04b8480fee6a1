import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/tempDir.js';
import { tinyProfile } from '../papers/circuit-sync/profiles.js';
import { syntheticRunSet } from '../papers/circuit-sync/testing/syntheticSet.js';
import { collectEnvironment, trainersOf } from './provenance.js';

describe('collectEnvironment', () => {
  it('marks the code dirty for a changed source file, not for regenerated reports, records or docs', () => {
    const repo = makeTempDir('gc-provenance-');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    for (const dir of ['src', 'reports', 'fixtures/records']) mkdirSync(join(repo, dir), { recursive: true });
    const files = ['src/a.ts', 'reports/verdict.md', 'fixtures/records/r.jsonl', 'README.md'];
    for (const f of files) writeFileSync(join(repo, f), 'v1\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    expect(collectEnvironment(repo).git.dirty).toBe(false);
    for (const f of files.slice(1)) writeFileSync(join(repo, f), 'v2\n');
    expect(collectEnvironment(repo).git.dirty).toBe(false);
    writeFileSync(join(repo, 'src/a.ts'), 'v2\n');
    const env = collectEnvironment(repo);
    expect(env.git.dirty).toBe(true);
    expect(env.git.commit).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('trainersOf', () => {
  it('counts distinct runs per commit, CPU and engine that trained them, with the first and last date, and the untraced ones', () => {
    const set = syntheticRunSet({ profile: tinyProfile });
    const runs = [...set.runs.values()];
    const a = { commit: 'a'.repeat(40), dirty: false, cpu: 'cpu A', engine: 'native', started: '2026-12-01T10:00:00.000Z', from_step: 0 };
    const b = { ...a, commit: 'b'.repeat(40), started: '2026-12-03T10:00:00.000Z', from_step: 100 };
    // Every role of a run id carries the same source data (a schedule's constant run is a main run).
    const first = runs[0].id, second = runs.find((r) => r.id !== first)!.id;
    for (const r of runs) if (r.id === first) r.trained_by = [a, b];
    for (const r of runs) if (r.id === second) r.trained_by = [{ ...a, started: '2026-12-02T10:00:00.000Z' }];
    const ids = new Set(runs.filter((r) => r.state === 'complete' || r.state === 'failed').map((r) => r.id));
    const { trainers, untraced_runs } = trainersOf(set);
    expect(trainers).toEqual([
      { commit: a.commit, dirty: false, cpu: 'cpu A', engine: 'native', runs: 2, first: a.started, last: '2026-12-02T10:00:00.000Z' },
      { commit: b.commit, dirty: false, cpu: 'cpu A', engine: 'native', runs: 1, first: b.started, last: b.started },
    ]);
    expect(untraced_runs).toBe(ids.size - 2);
  });
});
