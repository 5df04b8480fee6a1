import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { csvParse } from 'd3-dsv';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIM_IDS } from '../papers/circuit-sync/claims/index.js';
import { circuitSync } from '../papers/circuit-sync/index.js';
import { paperProfile } from '../papers/circuit-sync/profiles.js';
import { syntheticRunSet } from '../papers/circuit-sync/testing/syntheticSet.js';
import { evaluatePaper } from '../verify/evaluate.js';
import { runProvenance } from '../verify/provenance.js';
import type { Environment } from './inputs.js';
import { renderPlots } from './plotRender.js';
import { buildVerdictReport, renderMarkdown, writeReport } from './verdict.js';
import { makeTempDir } from '../testing/tempDir.js';

const env: Environment = { git: { commit: 'deadbeef', dirty: false }, node: 'v20', packages: { zod: '4' }, machine: { cpu: 'test', cores: 2, memory_gib: 24, os: 'linux' } };

function reportFor(overrides = {}) {
  const set = syntheticRunSet({ profile: paperProfile, overrides });
  const { results, sensitivity: rows } = evaluatePaper(circuitSync, set, CLAIM_IDS);
  const sweep = new Map(results.filter((r) => r.sweep).map((r) => [r.definition.id, r.sweep!.entries]));
  const plots = circuitSync.plots(set, { sweep });
  const report = buildVerdictReport({ paper: circuitSync, set, results, sensitivity: rows, provenance: runProvenance(set, env), plots, source: 'synthetic', command: 'grokcheck verify --profile paper', generated: new Date('2026-01-02T03:04:05Z') });
  return { set, report, plots };
}

describe('verdict report', () => {
  const shared = reportFor();

  it('has one row per claim with the paper\'s figure, ours at both resolutions, the band and the verdict', () => {
    const { report } = shared;
    expect(report.claims.map((c) => c.id)).toEqual([...CLAIM_IDS]);
    expect(report.summary).toEqual({ reproduced: 16, 'direction only': 0, inconclusive: 0, 'not reproduced': 0, 'not evaluable': 0 });
    const md = renderMarkdown(report);
    expect(md).toContain('**16 claims: 16 reproduced, 0 direction only, 0 inconclusive, 0 not reproduced, 0 not evaluable.**');
    expect(md).toMatch(/\| C01 fsd-leads \| 9\/9, leads \+500\.\.\+3000 \| 9\/9 positive; leads \+1500\.\.\+1800; FSD at grokking [\d.]+ \|/);
    expect(md).toContain('## Sensitivity to our choices');
    expect(md).toContain('| `sync.rule=plateau:0.05` |');
    expect(md).toContain('- Code that wrote this report: git deadbeef.');
    // Synthetic runs say nothing of who trained them.
    expect(md).toMatch(/- Trained by \(from each run's records: commit, CPU, engine\): not recorded\.\n {2}- \d+ run\(s\) trained before records named their trainer: unknown\./);
    expect(md).toContain('Written by `grokcheck verify --profile paper`.');
  });

  it('opens with page one: the paper\'s questions answered from the verdicts, a short row per claim, the headline plot', () => {
    const { report } = shared;
    const md = renderMarkdown(report);
    const pageOne = md.slice(0, md.indexOf('## Details'));
    expect(pageOne).toMatch(/\*\*Does FSD synchronise before grokking\?\*\* On the paper's main configurations: C01 .*: \*\*reproduced\*\* \(9\/9 positive\)/);
    expect(pageOne).toMatch(/On the 25 replicate configurations \(every seed of every prime\): C01 \*\*reproduced\*\*/);
    expect(pageOne).toMatch(/\*\*Does weight decay set the gap\?\*\* C05 /);
    expect(pageOne).toContain('Of the 16 claims, 16 reproduced, 0 direction only, 0 inconclusive, 0 not reproduced, 0 not evaluable');
    const rows = pageOne.split('\n').filter((l) => /^\| C\d\d /.test(l));
    expect(rows).toHaveLength(16);
    // Short cells: a row fits a screen (the details table's rows run to hundreds of characters).
    for (const row of rows) expect(row.length, row).toBeLessThan(200);
    expect(report.page_one.headline_plot).toBe('plots/leads-vs-threshold-replicates.svg');
    expect(pageOne).toContain('![FSD leads grokking in how many replicates configurations (25), by sync threshold](plots/leads-vs-threshold-replicates.svg)');
  });

  it('lists the verdicts that change under an alternative option and flags them in the table', () => {
    // Synthetic FSD is 0.85 at sync and reaches 0.90 only 1000 steps later: under threshold:0.90 every lead
    // shrinks by 1000, so C03's mean lead (~+680) leaves the paper's CI while C01 still sees 9/9 positive.
    const { report } = shared;
    const row = report.sensitivity.variants.find((v) => v.variant === 'sync.rule=threshold:0.90')!;
    expect(row.changes.map((c) => c.claim)).toContain('C03');
    expect(row.changes.map((c) => c.claim)).not.toContain('C01');
    const c03 = report.claims.find((c) => c.id === 'C03')!;
    expect(c03.changes_under_options).toContain('sync.rule=threshold:0.90 -> direction only');
    expect(renderMarkdown(report)).toMatch(/\| C03 lead-size .*\*\*reproduced\*\* \* (†|\|)/);
    const md = renderMarkdown(report);
    const details = md.slice(md.indexOf('## Details'));
    for (const c of report.claims) {
      const row = details.split('\n').find((l) => l.startsWith(`| ${c.id} `))!;
      const verdictCell = row.split(' | ').at(-3)!;
      expect(verdictCell.replace(/\*\*[^*]+\*\*/, '').includes('*'), `${c.id}: ${c.changes_under_options.join('; ')}`).toBe(c.changes_under_options.length > 0);
    }
  });

  it('accounts for every planned run with its state, and the wall time per experiment', () => {
    const { report, set } = reportFor({ 'main/p71/s42': 'failed' });
    expect(report.runs).toHaveLength(set.runs.size);
    expect(report.runs.find((r) => r.key === 'main/p71/s42')).toMatchObject({ state: 'failed', message: 'synthetic failure' });
    const main = report.provenance.experiments.find((e) => e.experiment === 'main')!;
    expect(main).toMatchObject({ runs: 9, complete: 8, seeds: [0, 1, 2, 42, 123], wall_s: 8 });
    expect(report.claims.find((c) => c.id === 'C01')!.verdict).toBe('not evaluable');
  });

  it('writes verdict.md, verdict.json and every plot with its data and spec, and removes plots it no longer draws', async () => {
    const { report, plots } = shared;
    const dir = makeTempDir('gc-report-');
    mkdirSync(join(dir, 'plots'));
    writeFileSync(join(dir, 'plots', 'old-plot.svg'), '<svg/>');
    writeFileSync(join(dir, 'plots', 'notes.txt'), 'mine');
    const written = writeReport(dir, report, await renderPlots(plots));
    expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(readFileSync(written.markdown, 'utf8')).toBe(renderMarkdown(report));
    // SUMMARY.md: page one alone (what verdict.md opens with), then a link to the whole report.
    const summary = readFileSync(join(dir, 'SUMMARY.md'), 'utf8');
    expect(renderMarkdown(report).startsWith(summary.replace('The whole report: [verdict.md](verdict.md).\n', ''))).toBe(true);
    expect(summary).toMatch(/\[verdict\.md\]\(verdict\.md\)/);
    const expected = plots.flatMap((p) => [`${p.file}.svg`, `${p.file}.csv`, `${p.file}.vl.json`]);
    expect(readdirSync(join(dir, 'plots')).sort()).toEqual([...expected, 'notes.txt'].sort());
    for (const p of report.plots) {
      expect(readFileSync(join(dir, p.file), 'utf8')).toMatch(/^<svg /);
      const spec = JSON.parse(readFileSync(join(dir, p.spec), 'utf8'));
      const csv = csvParse(readFileSync(join(dir, p.data), 'utf8'));
      expect(csv.length).toBe(spec.data.values.length);
    }
  }, 60_000);

  it('carries each swept claim\'s sweep in verdict.json and states its ranges in words', () => {
    const { report } = shared;
    const c01 = report.claims.find((c) => c.id === 'C01')!;
    // 3 thresholded rules x 10 thresholds + plateau, at both resolutions, on the paper's 9 and on all 25.
    const bySet = (set: string) => c01.sweep.filter((e) => e.set === set);
    expect(bySet('paper')).toHaveLength(62);
    expect(bySet('replicates')).toHaveLength(62);
    expect(new Set(bySet('paper').map((e) => e.configurations))).toEqual(new Set([9]));
    expect(new Set(bySet('replicates').map((e) => e.configurations))).toEqual(new Set([25]));
    expect(c01.configurations).toBe(9);
    expect(report.claims.find((c) => c.id === 'C08')!.sweep.every((e) => e.set === 'paper')).toBe(true);
    expect(c01.sweep[0]).toMatchObject({ set: 'paper', rule: 'threshold:0.50', resolution: 100, verdict: 'reproduced' });
    expect(c01.sweep[0].figure).toMatchObject({ positive: 9, of: 9 });
    expect(report.claims.find((c) => c.id === 'C13')!.sweep).toEqual([]);
    const md = renderMarkdown(report);
    expect(md).toContain('## Evidence: the sync-rule sweep');
    expect(md).toMatch(/- `threshold` @100: reproduced (at every threshold 0\.50-0\.95|for thresholds <= )/);
  });
});
