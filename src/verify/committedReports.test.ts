/**
 * The committed reports regenerate from their committed records (issue 28: the core was reshaped for any paper,
 * and no verdict or figure may move). The small profile's report is written again into a temporary folder and
 * compared with reports/small: every verdict, figure, table and plot's data the same; only the lines that say
 * when, by which command and by which commit it was written may differ. (The paper profile's reports are
 * checked the same way by hand when the report code changes: verify --profile paper --records-only.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/tempDir.js';
import { verifyCommand } from '../commands/verify.js';

const COMMITTED = fileURLToPath(new URL('../../reports/small/', import.meta.url));

/** verdict.json without what records when, how and by which code it was written. */
function substance(path: string): Record<string, unknown> {
  const { command: _command, generated: _generated, provenance, evidence: _evidence, ...rest } = JSON.parse(readFileSync(path, 'utf8'));
  const { git: _git, machine: _machine, node: _node, packages: _packages, ...trained } = provenance;
  return { ...rest, provenance: trained };
}

/** verdict.md without the lines that name the command, the date or the commit that wrote it. */
function markdownSubstance(path: string): string[] {
  const volatile = /Generated |[Ww]ritten by `|Code that wrote this report|Runtime: Node|Machine that wrote this report/;
  return readFileSync(path, 'utf8').split('\n').filter((line) => !volatile.test(line));
}

describe('committed reports', () => {
  it('reports/small regenerates from fixtures/records/small with every verdict, figure and plot data unchanged', async () => {
    const dir = makeTempDir('gc-regenerate-small-');
    const log = console.log;
    console.log = () => {};
    try {
      expect(await verifyCommand.run(['--profile', 'small', '--records-only', '--report-dir', dir, '--quiet'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(substance(join(dir, 'verdict.json'))).toEqual(substance(join(COMMITTED, 'verdict.json')));
    expect(markdownSubstance(join(dir, 'verdict.md'))).toEqual(markdownSubstance(join(COMMITTED, 'verdict.md')));
    const data = (root: string) => readdirSync(join(root, 'plots')).filter((f) => f.endsWith('.csv')).sort();
    expect(data(dir)).toEqual(data(COMMITTED));
    for (const file of data(COMMITTED)) expect(readFileSync(join(dir, 'plots', file), 'utf8'), file).toBe(readFileSync(join(COMMITTED, 'plots', file), 'utf8'));
  }, 300_000);
});
