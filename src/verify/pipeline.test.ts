/**
 * The report's rounding marks for the sensitivity rows: each verdict that changes under one of the paper's
 * alternatives is marked by the same alternative on the perturbed re-run (the committed small-reordered
 * records), as the verdicts themselves are.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AnyPaper } from '../paper/paper.js';
import { circuitSync } from '../papers/circuit-sync/index.js';
import { perturbedEvaluation, runsFromRecords, verdictReport } from './pipeline.js';

const RECORDS = join(fileURLToPath(new URL('../../', import.meta.url)), 'fixtures', 'records');
const ids = circuitSync.claims.map((c) => c.id);

describe('rounding marks of the verdicts that change under an alternative', () => {
  const canonical = runsFromRecords(circuitSync, circuitSync.profile('small'), join(RECORDS, 'small')).set;
  const reordered = runsFromRecords(circuitSync, circuitSync.profile('small', { perturbed: true }), join(RECORDS, 'small-reordered')).set;
  const meta = { command: 'test', source: 'committed records', generated: new Date(0), root: process.cwd() };

  it('each change is robust where the alternative gives the same verdict on the perturbed re-run, else fragile', () => {
    const { report } = verdictReport(circuitSync, canonical, ids, meta, perturbedEvaluation(circuitSync, reordered, ids, 'small-reordered'));
    const changes = report.sensitivity.variants.flatMap((row) => row.changes.map((change) => ({ variant: row.variant, change })));
    // The small profile's committed records have changes of each kind.
    expect(new Set(changes.map((c) => c.change.rounding?.mark))).toEqual(new Set(['robust', 'fragile', 'untested']));
    for (const { variant, change } of changes) {
      const there = (circuitSync as AnyPaper).evaluate(reordered, [change.claim], variant).get(change.claim)!;
      // An alternative that is not evaluable here has nothing to compare (as for a verdict).
      expect(change.rounding?.mark).toBe(change.alternative === 'not evaluable' ? 'untested' : there.verdict === change.alternative ? 'robust' : 'fragile');
      expect(change.rounding?.perturbed_verdict).toBe(there.verdict);
      const claim = report.claims.find((c) => c.id === change.claim)!;
      expect(claim.changes_under_options.find((line) => line.startsWith(`${variant} -> `))).toMatch(/ \(rounding: (robust|fragile, there .+|untested, .+)\)$/);
    }
  }, 120_000);

  it('every claim is marked under every alternative, a verdict the alternative leaves unchanged too', () => {
    const { report } = verdictReport(circuitSync, canonical, ids, meta, perturbedEvaluation(circuitSync, reordered, ids, 'small-reordered'));
    for (const row of report.sensitivity.variants) {
      expect(Object.keys(row.rounding ?? {}).sort()).toEqual([...ids].sort());
      const there = (circuitSync as AnyPaper).evaluate(reordered, ids, row.variant);
      for (const claim of report.claims) {
        const here = row.changes.find((c) => c.claim === claim.id)?.alternative ?? claim.verdict;
        if (here === 'not evaluable') continue;
        expect(row.rounding![claim.id].mark).toBe(there.get(claim.id)!.verdict === here ? 'robust' : 'fragile');
      }
    }
    const variants = report.sensitivity.variants.length;
    for (const claim of report.claims) expect(claim.alternatives_rounding).toMatch(new RegExp(`^robust under \\d+ of ${variants}`));
  }, 120_000);

  it('without a perturbed re-run no change carries a mark', () => {
    const { report } = verdictReport(circuitSync, canonical, ids, meta, null);
    for (const row of report.sensitivity.variants) {
      expect(row.rounding).toBeUndefined();
      for (const change of row.changes) expect(change.rounding).toBeUndefined();
    }
    for (const claim of report.claims) expect(claim.alternatives_rounding).toBeNull();
  }, 120_000);
});
