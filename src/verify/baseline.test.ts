import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBaseline, compareWithBaseline, readBaseline, type ReportClaims } from './baseline.js';
import type { ClaimOutcome, FigureData, Verdict } from '../paper/claim.js';
import { makeTempDir } from '../testing/tempDir.js';

const report = (verdicts: Record<string, Verdict>, data: Record<string, FigureData> = {}): ReportClaims => ({
  claims: Object.entries(verdicts).map(([id, verdict]) => ({ id, name: `name-${id}`, verdict, ours: `figure of ${id} (${verdict})`, reason: 'because', data: data[id] ?? {} })),
});
const meta = { profile: 'small', generated: new Date('2026-01-01T00:00:00Z'), commit: 'abc', engine: 'native', fragility: 'batch order shifted' };
const outcome = (verdict: Verdict, figure = 'new figure', data: FigureData = {}): ClaimOutcome => ({ verdict, reason: 'new reason', figure, data, runIds: [], notes: [] });

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
    const fragile = compareWithBaseline(baseline, 'C02', outcome('not reproduced'));
    expect(fragile.status).toBe('changed (fragile)');
    expect(fragile.message).toContain("rounding-perturbed re-run gave 'not reproduced'");
    expect(compareWithBaseline(baseline, 'C03', outcome('reproduced')).status).toBe('not in baseline');
  });

  it('keeps every number with a tolerance of twice the twin\'s move, and fails a robust claim whose number moves beyond it', () => {
    const b = buildBaseline(
      report({ C01: 'reproduced', C02: 'direction only' }, { C01: { mean: 400, ci: [100, 700], positive: 9, fork: null }, C02: { p: 0.02 } }),
      report({ C01: 'reproduced', C02: 'not reproduced' }, { C01: { mean: 450, ci: [100, 650], positive: 9 }, C02: { p: 0.3 } }),
      meta,
    );
    expect(b.claims.C01.figures).toEqual({
      mean: { value: 400, tolerance: 100 },
      'ci.0': { value: 100, tolerance: 0 },
      'ci.1': { value: 700, tolerance: 100 },
      positive: { value: 9, tolerance: 0 },
    });
    const data = (mean: number, positive = 9) => ({ mean, ci: [100, 700], positive, fork: null });
    expect(compareWithBaseline(b, 'C01', outcome('reproduced', 'f', data(490))).status).toBe('same');
    const moved = compareWithBaseline(b, 'C01', outcome('reproduced', 'f', data(520, 8)));
    expect(moved.status).toBe('figures moved (robust)');
    expect(moved.message).toContain('mean: 400 -> 520 (tolerance 100)');
    expect(moved.message).toContain('positive: 9 -> 8 (tolerance 0)');
    // A number that is gone (a lead that became null: never synced) has moved.
    expect(compareWithBaseline(b, 'C01', outcome('reproduced', 'f', { ci: [100, 700], positive: 9 })).message).toContain('mean: 400 -> null');
    // A fragile claim's numbers are not checked; its verdict may move to its twin's, not beyond.
    expect(compareWithBaseline(b, 'C02', outcome('direction only', 'f', { p: 0.9 })).status).toBe('same');
    expect(compareWithBaseline(b, 'C02', outcome('not reproduced')).status).toBe('changed (fragile)');
    expect(compareWithBaseline(b, 'C02', outcome('reproduced')).status).toBe('changed beyond its twin (fragile)');
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
