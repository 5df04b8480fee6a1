/**
 * Progress-measures end to end on the tiny profile: verify plans, trains, runs the second pass, evaluates the 12
 * claims and writes the report and its plots, from a run store and again from the records it exports.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyCommand } from '../../commands/verify.js';
import { makeTempDir } from '../../testing/tempDir.js';
import { FINAL_KEYS } from './finalKeys.js';

const quietly = async (argv: string[]) => {
  const log = console.log;
  console.log = () => {};
  try {
    return await verifyCommand.run(argv);
  } finally {
    console.log = log;
  }
};

describe('progress-measures on the tiny profile', () => {
  it('verify trains every run, measures the final keys, evaluates N01-N12 and writes the report; the exported records give the same verdicts', async () => {
    const root = makeTempDir('gc-progress-verify-');
    const [runs, records, report, again] = ['runs', 'records', 'report', 'again'].map((d) => join(root, d));
    const code = await quietly(['--paper', 'progress-measures', '--profile', 'tiny', '--runs', runs, '--report-dir', report, '--records-dir', records, '--export-records', '--quiet']);
    expect([0, 1]).toContain(code);
    const verdicts = JSON.parse(readFileSync(join(report, 'verdict.json'), 'utf8'));
    expect(verdicts.paper.id).toBe('progress-measures');
    expect(verdicts.claims.map((c: { id: string }) => c.id)).toEqual(['N01', 'N02', 'N03', 'N04', 'N05', 'N06', 'N07', 'N08', 'N09', 'N10', 'N11', 'N12']);
    expect(verdicts.claims.filter((c: { verdict: string }) => c.verdict === 'not evaluable')).toEqual([]);
    for (const id of readdirSync(runs)) expect(existsSync(join(runs, id, `${FINAL_KEYS}.json`)), id).toBe(true);
    expect(readdirSync(join(report, 'plots')).filter((f) => f.endsWith('.svg'))).toEqual(expect.arrayContaining(['figure7-main-p13-s0.svg', 'fsd-cross-check.svg', 'data-fraction.svg', 'other-primes.svg']));
    expect(verdicts.sections.map((x: { title: string }) => x.title)).toEqual(['Phase boundaries and key frequencies', 'Look-ahead', "Cross-check: FSD (arXiv 2606.12966's metric) on these runs"]);
    const markdown = readFileSync(join(report, 'verdict.md'), 'utf8');
    expect(markdown).toContain('## Look-ahead');
    expect(markdown).not.toContain('over the sweep');
    await quietly(['--paper', 'progress-measures', '--profile', 'tiny', '--records-only', '--records-dir', records, '--report-dir', again, '--quiet']);
    const fromRecords = JSON.parse(readFileSync(join(again, 'verdict.json'), 'utf8'));
    expect(fromRecords.claims.map((c: { verdict: string; ours: string }) => [c.verdict, c.ours])).toEqual(verdicts.claims.map((c: { verdict: string; ours: string }) => [c.verdict, c.ours]));
  }, 120_000);
});
