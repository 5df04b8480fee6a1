/**
 * The claim tests see figures, not only verdicts (issue 27): one number of a robust claim moved in a copy of the
 * small profile's committed records, beyond its baseline tolerance, fails the check that the claim tests make;
 * the untouched copy passes it.
 */
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../src/testing/tempDir.js';
import { runsFromRecords } from '../src/verify/pipeline.js';
import { readExportedRuns, writeExportedRun } from '../src/verify/recordsExport.js';
import { ACCEPTED, checkClaimOn, PAPER, SMALL, SMALL_RECORDS } from './harness.js';
import { circuitSyncRecordLayout } from '../src/papers/circuit-sync/record.js';

/** A copy of the committed small records, `edit` applied to the run `id` (written anew: its checksum matches). */
function copyRecords(edit?: { id: string; scaleNorm: number }): string {
  const dir = makeTempDir('gc-figure-regression-');
  for (const run of readExportedRuns(SMALL_RECORDS, circuitSyncRecordLayout).runs.values()) {
    const records = run.id === edit?.id ? run.records.map((r) => ({ ...r, norm: r.norm * edit.scaleNorm })) : run.records;
    writeExportedRun(dir, { ...run, records }, circuitSyncRecordLayout);
  }
  return dir;
}

describe('figure regression (C16 two-phase, robust in the baseline)', () => {
  const experiments = ['main'];

  it('passes on an exact copy of the committed records', () => {
    const set = runsFromRecords(PAPER, SMALL, copyRecords(), experiments).set;
    expect(checkClaimOn(set, 'C16').check.status).toBe('same');
  });

  it('fails when the parameter norm of its run is 1% higher: the verdict holds, its norm figures moved beyond tolerance', () => {
    const set = runsFromRecords(PAPER, SMALL, copyRecords(), experiments).set;
    const [id] = checkClaimOn(set, 'C16').outcome.runIds;
    const edited = runsFromRecords(PAPER, SMALL, copyRecords({ id, scaleNorm: 1.01 }), experiments).set;
    const { outcome, check } = checkClaimOn(edited, 'C16');
    expect(outcome.verdict).toBe(checkClaimOn(set, 'C16').outcome.verdict);
    expect(check.status).toBe('figures moved (robust)');
    expect(check.status).not.toMatch(ACCEPTED);
    expect(check.message).toMatch(/norm_at_memorisation: 32\.\d+ -> 32\.\d+ \(tolerance 0\.00552\)/);
  });
});
