/** `grokcheck compare` on the committed reports: a report against itself, and against its rounding twin. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareReports, ComparedReportSchema, renderComparison } from './compare.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const report = (path: string) => ComparedReportSchema.parse(JSON.parse(readFileSync(join(root, path), 'utf8')));

describe('compare', () => {
  const paper = report('reports/verdict.json');
  const twin = report('reports/paper-reordered/verdict.json');

  it('finds nothing moved between a report and itself', () => {
    const c = compareReports(paper, paper);
    expect(c.regressions).toBe(0);
    expect(c.claims.every((x) => !x.verdict && !x.figure && x.moves.length === 0)).toBe(true);
    expect(renderComparison(c, { old: 'a', new: 'a' })).toContain('Nothing moved');
  });

  it('against the rounding twin: lists the fragile claims with their verdict changes, and flags robust figures that moved', () => {
    const c = compareReports(paper, twin);
    const fragile = paper.claims.filter((x) => x.robustness === 'fragile').map((x) => x.id);
    expect(fragile.length).toBeGreaterThan(0);
    // A fragile verdict is one the twin changes: every fragile claim shows its verdict change, and no robust one does.
    expect(c.claims.filter((x) => x.verdict).map((x) => x.id)).toEqual(fragile);
    // Robust verdicts hold there, but their figures move (other runs): regressions by this command's rule.
    for (const x of c.claims.filter((y) => y.regression)) expect(x.robustness).toBe('robust');
    expect(c.regressions).toBeGreaterThan(0);
    const md = renderComparison(c, { old: 'reports', new: 'reports/paper-reordered' });
    for (const id of fragile) expect(md).toMatch(new RegExp(`\\| ${id} [a-z0-9-]+ \\| fragile \\| \\*\\*`));
  });

  it('one number of one robust claim changed beyond the tolerance is a regression; within it, not', () => {
    const edited = structuredClone(paper);
    const robust = edited.claims.find((x) => x.robustness === 'robust' && typeof (x.data as Record<string, unknown>).grok === 'number')!;
    (robust.data as Record<string, number>).grok += 100;
    const c = compareReports(paper, edited);
    expect(c.claims.filter((x) => x.regression).map((x) => x.id)).toEqual([robust.id]);
    expect(c.claims.find((x) => x.id === robust.id)!.moves).toEqual([{ path: 'grok', old: expect.any(Number), new: expect.any(Number) }]);
    expect(compareReports(paper, edited, 0.5).regressions).toBe(0);
  });

  it('the CLI exits 0 for a report against itself and 1 against the twin, and 2 on a file that is not a report', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'grokcheck.js'), 'compare', ...args], { cwd: root, encoding: 'utf8' });
    expect(cli('reports', 'reports/verdict.json').status).toBe(0);
    const against = cli('reports', 'reports/paper-reordered');
    expect(against.status).toBe(1);
    expect(against.stdout).toMatch(/robust claim\(s\) moved/);
    expect(cli('reports', 'package.json').status).toBe(2);
  }, 60_000);
});
