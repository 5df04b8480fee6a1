import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeExportedRun } from '../verify/recordsExport.js';
import { claimById } from '../papers/circuit-sync/claims/index.js';
import { circuitSync } from '../papers/circuit-sync/index.js';
import { paperProfile } from '../papers/circuit-sync/profiles.js';
import { syntheticRunSet } from '../papers/circuit-sync/testing/syntheticSet.js';
import { UsageError } from './command.js';
import { verifyCommand } from './verify.js';
import { makeTempDir } from '../testing/tempDir.js';
import { circuitSyncRecordLayout } from '../papers/circuit-sync/record.js';

/** Committed records of a synthetic paper-shaped profile, exported the way `verify --export-records` does. */
function exportSynthetic(dir: string, drop: string[] = []) {
  const set = syntheticRunSet({ profile: paperProfile });
  for (const run of set.runs.values()) {
    if (drop.includes(run.key)) continue;
    const measurements = Object.keys(run.measurements).length ? { measurements: run.measurements } : {};
    writeExportedRun(dir, { id: run.id, config: run.config, status: 'complete', engine: 'synthetic', wall_s: 1, records: run.records, ...measurements }, circuitSyncRecordLayout);
  }
}

describe('grokcheck verify --records-only', () => {
  let records: string;
  let log: string[];
  beforeAll(() => {
    records = makeTempDir('gc-verify-records-');
    exportSynthetic(records);
  });
  afterEach(() => vi.restoreAllMocks());
  const capture = () => {
    log = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void log.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => {});
  };

  it('evaluates every claim from committed records, writes the report and prints a summary line', async () => {
    capture();
    const report = makeTempDir('gc-verify-report-');
    const code = await verifyCommand.run(['--profile', 'paper', '--records-only', '--records-dir', records, '--report-dir', report]);
    expect(code).toBe(0);
    expect(log.at(-1)).toMatch(/^verify circuit-sync, profile paper: 16 claim\(s\): 16 reproduced, 0 direction only, 0 inconclusive, 0 not reproduced, 0 not evaluable; report /);
    expect(log.filter((l) => /^C\d\d /.test(l))).toHaveLength(16);
    expect(existsSync(join(report, 'verdict.md'))).toBe(true);
    expect(JSON.parse(readFileSync(join(report, 'verdict.json'), 'utf8')).claims).toHaveLength(16);
    expect(existsSync(join(report, 'plots', 'fsd-main-p97-s42.svg'))).toBe(true);
    // The report names the command that wrote it, quoted so that it can be pasted back into a shell.
    const written = `grokcheck verify --profile paper --records-only --records-dir ${records} --report-dir ${report}`;
    expect(readFileSync(join(report, 'verdict.md'), 'utf8')).toContain(`Written by \`${written}\`.`);
    const odd = makeTempDir("gc-verify-report-it's ");
    await verifyCommand.run(['--profile', 'paper', '--claim', 'C13', '--records-only', '--records-dir', records, '--report-dir', odd]);
    expect(JSON.parse(readFileSync(join(odd, 'verdict.json'), 'utf8')).command).toBe(
      `grokcheck verify --profile paper --claim C13 --records-only --records-dir ${records} --report-dir '${odd.replace("'", "'\\''")}'`,
    );
  }, 180_000);

  it('--claim without --report-dir writes to reports/claims/ID and leaves the profile report alone', async () => {
    capture();
    const cwd = process.cwd();
    const here = makeTempDir('gc-verify-cwd-');
    process.chdir(here);
    try {
      await verifyCommand.run(['--profile', 'paper', '--records-only', '--records-dir', records]);
      const full = readFileSync(join(here, 'reports', 'verdict.md'), 'utf8');
      const plots = readdirSync(join(here, 'reports', 'plots')).length;
      await verifyCommand.run(['--profile', 'paper', '--claim', 'C13', '--records-only', '--records-dir', records]);
      expect(JSON.parse(readFileSync(join(here, 'reports', 'claims', 'C13', 'verdict.json'), 'utf8')).claims.map((c: { id: string }) => c.id)).toEqual(['C13']);
      expect(readFileSync(join(here, 'reports', 'verdict.md'), 'utf8')).toBe(full);
      expect(readdirSync(join(here, 'reports', 'plots'))).toHaveLength(plots);
    } finally {
      process.chdir(cwd);
    }
  }, 180_000);

  it('evaluates one claim with --claim, and exits 1 when it is not evaluable', async () => {
    capture();
    const partial = makeTempDir('gc-verify-records-');
    exportSynthetic(partial, ['fork97/p97/s42/l2']);
    const report = makeTempDir('gc-verify-report-');
    const code = await verifyCommand.run(['--profile', 'paper', '--claim', 'c05', '--records-only', '--records-dir', partial, '--report-dir', report]);
    expect(code).toBe(1);
    expect(log[0]).toMatch(/^C05 fork-monotone\s+not evaluable/);
    expect(log.at(-1)).toMatch(/1 claim\(s\): 0 reproduced, 0 direction only, 0 inconclusive, 0 not reproduced, 1 not evaluable/);
  }, 60_000);

  it('a broken committed file makes only the claims that read its run not evaluable, naming the file and line', async () => {
    capture();
    const broken = makeTempDir('gc-verify-records-');
    exportSynthetic(broken);
    const main = syntheticRunSet({ profile: paperProfile }).runs.get('main/p71/s42')!;
    const file = join(broken, `${main.id}.jsonl`);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[4] = lines[4].slice(0, 20);
    writeFileSync(file, lines.join('\n'));
    const report = makeTempDir('gc-verify-report-');
    const code = await verifyCommand.run(['--profile', 'paper', '--records-only', '--records-dir', broken, '--report-dir', report]);
    expect(code).toBe(1);
    const verdicts = JSON.parse(readFileSync(join(report, 'verdict.json'), 'utf8')).claims as { id: string; verdict: string; reason: string }[];
    const c01 = verdicts.find((c) => c.id === 'C01')!;
    expect(c01.verdict).toBe('not evaluable');
    expect(c01.reason, c01.reason).toContain(`${main.id}.jsonl:5`);
    // Claims that do not read the main runs are evaluated as usual.
    expect(verdicts.find((c) => c.id === 'C05')!.verdict).toBe('reproduced');
    expect(verdicts.find((c) => c.id === 'C12')!.verdict).toBe('reproduced');
  }, 60_000);

  it('--claim C11 trains only the experiment that claim reads (arch and nothing else)', () => {
    const profile = circuitSync.profile('paper');
    const planned = profile.plan(() => undefined, claimById('C11').experiments).runs;
    expect(new Set(planned.map((r) => r.role.experiment))).toEqual(new Set(['arch']));
    expect(planned).toHaveLength(3);
  });

  it('--plan --json lists the runs a claim needs with their estimates and trains nothing', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const store = makeTempDir('gc-verify-plan-');
    const records = makeTempDir('gc-verify-plan-records-');
    expect(await verifyCommand.run(['--profile', 'small', '--claim', 'C11', '--plan', '--json', '--runs', store, '--records-dir', records])).toBe(0);
    const plan = JSON.parse(out.join('\n')) as { runs: { key: string; id: string; experiment: string; state: string; estimated_s: number; basis: string }[]; total_estimated_s: number; method: string };
    const expected = circuitSync.profile('small').plan(() => undefined, claimById('C11').experiments).runs;
    expect(plan.runs.map((r) => r.key).sort()).toEqual(expected.map((r) => r.key).sort());
    for (const r of plan.runs) expect(r).toMatchObject({ experiment: 'arch', state: 'missing', basis: 'prior' });
    expect(plan.runs.every((r) => r.estimated_s > 0)).toBe(true);
    expect(plan.total_estimated_s).toBeCloseTo(plan.runs.reduce((s, r) => s + r.estimated_s, 0), 6);
    expect(plan.method).toMatch(/measured cost of one step/);
    expect(readdirSync(store)).toEqual([]);
  }, 60_000);

  it("--reorder --plan: runs its own records do not hold are estimated from the unperturbed profile's committed records", async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const store = makeTempDir('gc-verify-plan-reorder-');
    const records = makeTempDir('gc-verify-plan-reorder-records-');
    expect(await verifyCommand.run(['--profile', 'small', '--claim', 'C11', '--reorder', '--plan', '--json', '--runs', store, '--records-dir', records])).toBe(0);
    const plan = JSON.parse(out.join('\n')) as { runs: { state: string; basis: string; expected_stop: number }[]; method: string };
    expect(plan.runs.length).toBeGreaterThan(0);
    // The plain plan above, with the same empty records, falls back to the prior for every run.
    for (const r of plan.runs) expect(r).toMatchObject({ state: 'missing', basis: 'median' });
    expect(plan.method).toMatch(/unperturbed profile's committed records/);
  }, 60_000);

  it('rejects bad flags with usage errors that name the flag', async () => {
    await expect(verifyCommand.run(['--claim', 'C17'])).rejects.toThrow(UsageError);
    await expect(verifyCommand.run(['--claim', 'C17'])).rejects.toThrow(/--claim: expected one of C01/);
    await expect(verifyCommand.run(['--profile', 'huge'])).rejects.toThrow(/--profile/);
    await expect(verifyCommand.run(['--records-only', '--export-records'])).rejects.toThrow(/cannot also export/);
    await expect(verifyCommand.run(['--write-baseline', 'x.json'])).rejects.toThrow(/needs --perturbed-report/);
    await expect(verifyCommand.run(['--reorder', '--profile', 'paper', '--records-only', '--records-dir', '/nonexistent/records'])).rejects.toThrow(/no committed records/);
  });

  it('its help names every flag it accepts', () => {
    for (const flag of ['--profile', '--claim', '--engine', '--backend', '--threads', '--runs', '--records-only', '--export-records', '--records-dir', '--strict', '--report-dir', '--quiet', '--reorder', '--write-baseline', '--perturbed-report'])
      expect(verifyCommand.help).toContain(flag);
  });

  it("its --reorder line states each profile's perturbation as the profile states it", () => {
    for (const name of circuitSync.profileNames) {
      const profile = circuitSync.profile(name);
      expect(verifyCommand.help).toContain(`${name}: ${profile.perturbationMethod}, on ${profile.perturbedExperiments?.join(', ') ?? 'every experiment'}`);
      expect(profile.perturbation).toContain(profile.perturbationMethod);
    }
  });
});
