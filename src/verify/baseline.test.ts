import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBaseline, compareWithBaseline, readBaseline, type ReportClaims } from './baseline.js';
import type { ClaimOutcome, Verdict } from '../paper/claim.js';
import { makeTempDir } from '../testing/tempDir.js';

const report = (verdicts: Record<string, Verdict>): ReportClaims => ({
  claims: Object.entries(verdicts).map(([id, verdict]) => ({ id, name: `name-${id}`, verdict, ours: `figure of ${id} (${verdict})`, reason: 'because' })),
});
const meta = { profile: 'small', generated: new Date('2026-01-01T00:00:00Z'), commit: 'abc', engine: 'native', fragility: 'batch order shifted' };
const outcome = (verdict: Verdict, figure = 'new figure'): ClaimOutcome => ({ verdict, reason: 'new reason', figure, data: {}, runIds: [], notes: [] });

describe('regression baseline', () => {
  const baseline = buildBaseline(report({ C01: 'reproduced', C02: 'direction only' }), report({ C01: 'reproduced', C02: 'not reproduced' }), meta);

  it('marks a verdict fragile exactly when the perturbed re-run disagrees', () => {
    expect(baseline.claims.C01).toMatchObject({ verdict: 'reproduced', fragile: false });
    expect(baseline.claims.C02).toMatchObject({ verdict: 'direction only', fragile: true, perturbed_verdict: 'not reproduced' });
  });

  it('refuses a perturbed report that lacks a claim', () => {
    expect(() => buildBaseline(report({ C01: 'reproduced' }), report({}), meta)).toThrow(/no verdict for C01/);
  });

  it('sorts a new verdict into same, fragile change and robust change, with a readable diff', () => {
    expect(compareWithBaseline(baseline, 'C01', outcome('reproduced')).status).toBe('same');
    const robust = compareWithBaseline(baseline, 'C01', outcome('not reproduced', '3/9 positive'));
    expect(robust.status).toBe('changed (robust)');
    expect(robust.message).toContain("from the baseline's 'reproduced' (robust) to 'not reproduced'");
    expect(robust.message).toContain('baseline figure: figure of C01 (reproduced)');
    expect(robust.message).toContain('figure now:      3/9 positive');
    const fragile = compareWithBaseline(baseline, 'C02', outcome('reproduced'));
    expect(fragile.status).toBe('changed (fragile)');
    expect(fragile.message).toContain("rounding-perturbed re-run gave 'not reproduced'");
    expect(compareWithBaseline(baseline, 'C03', outcome('reproduced')).status).toBe('not in baseline');
  });

  it('reads back what it wrote, and names a malformed file', () => {
    const dir = makeTempDir('gc-baseline-');
    writeFileSync(join(dir, 'b.json'), JSON.stringify(baseline));
    expect(readBaseline(join(dir, 'b.json'))).toEqual(baseline);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...baseline, claims: { C01: { verdict: 'maybe' } } }));
    expect(() => readBaseline(join(dir, 'bad.json'))).toThrow(/bad\.json: not a baseline: claims\.C01/);
    expect(() => readBaseline(join(dir, 'none.json'))).toThrow(/--write-baseline/);
  });
});
