/** What is committed and what git ignores agree: regenerating a report or training never dirties git by surprise. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

describe('repository', () => {
  it('tracks no file that .gitignore ignores (the committed reports and records are not ignored)', () => {
    const tracked = git('ls-files', '-z').split('\0').filter(Boolean);
    expect(tracked.some((f) => f.startsWith('reports/'))).toBe(true);
    expect(tracked.some((f) => f.startsWith('fixtures/records/'))).toBe(true);
    let ignored = '';
    try {
      ignored = execFileSync('git', ['check-ignore', '--no-index', '--stdin'], { cwd: root, encoding: 'utf8', input: tracked.join('\n') });
    } catch (error) {
      // git check-ignore exits 1 when nothing matches.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    expect(ignored.trim().split('\n').filter(Boolean)).toEqual([]);
  });

  it("types no figure of the report in the README's Findings (they come from reports/SUMMARY.md, generated)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const findings = readme.slice(readme.indexOf('\n## Findings'), readme.indexOf('\n## ', readme.indexOf('\n## Findings') + 1));
    expect(findings.length).toBeGreaterThan(100);
    expect(findings.replace(/\(reports\/[^)]*\)/g, '').match(/\d/g)).toBeNull();
  });

  it('ignores what training and verifying write: run stores, builds, temporary reports', () => {
    const probe = ['runs/paper/0123456789abcdef/records.jsonl', 'dist/cli.js', 'build/Release/x.node', 'reports/tmp/verdict.md', 'node_modules/x/index.js', '.grokcheck-build.lock/x'];
    expect(git('check-ignore', '--no-index', ...probe).trim().split('\n')).toEqual(probe);
  });
});
