import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/tempDir.js';
import { collectEnvironment } from './provenance.js';

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
