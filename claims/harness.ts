/**
 * Shared by the claim tests (claims/C01.test.ts .. C16.test.ts): makes sure the small-profile runs a claim
 * reads exist, evaluates the claim, and compares its verdict with the committed regression baseline
 * (fixtures/small-baseline.json). A test fails on a harness error, on a verdict that differs from the baseline
 * where the baseline marks it robust, on a robust claim's number that moves beyond its tolerance (the rounding-only
 * twin's move, twice), and on a fragile verdict that moves to one its twin did not give; a fragile verdict that
 * moves to its twin's is a warning (claims.md "Profile small"; src/verify/baseline.ts).
 *
 * Runs are trained into runs/small through the verify pipeline (src/verify/pipeline.ts), shared by every claim
 * test. vitest runs test files in parallel workers: each run has its own lock, and a worker that finds a run
 * locked by another trains the other runs it needs and waits for that one, so two workers split the work
 * instead of colliding. Each worker trains with one engine thread (two workers fill the two cores; results do
 * not depend on it).
 *
 * GROKCHECK_CLAIMS_FROM_RECORDS=1 evaluates from the committed records (fixtures/records/small) instead of
 * training: fast, but it tests only the analysis, not the training.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimOutcome } from '../src/paper/claim.js';
import type { AnyPaper, Profile } from '../src/paper/paper.js';
import { committedRecordsDir, runStoreDir, smallBaselineFile } from '../src/commands/paperPaths.js';
import { DEFAULT_PAPER, requirePaper } from '../src/papers/index.js';
import { writeFileAtomic } from '../src/runs/atomic.js';
import { compareWithBaseline, readBaseline, type BaselineCheck } from '../src/verify/baseline.js';
import { claimDefinition } from '../src/verify/evaluate.js';
import { runsFromRecords, trainRuns, type AnyRunSet } from '../src/verify/pipeline.js';

/** Generous: the first claim test of a fresh checkout may train most of the small profile. */
export const CLAIM_TEST_TIMEOUT = 30 * 60_000;

/** The statuses a claim test accepts: the same verdict, or a change the baseline marks fragile. */
export const ACCEPTED = /^(same|changed \(fragile\))$/;

const fromRecords = () => ['1', 'true', 'yes'].includes((process.env.GROKCHECK_CLAIMS_FROM_RECORDS ?? '').toLowerCase());

/** What the claim tests of one paper share: its small profile, where its runs, records and baseline are. */
export interface ClaimHarness {
  paper: AnyPaper;
  small: Profile;
  smallStore: string;
  smallRecords: string;
  baselineFile: string;
  /** Where each claim test writes its verdict (beside the run store, not in it: a store holds only runs; gitignored). */
  verdictsDir: string;
  /** The small-profile runs of `experiments` (trained now if missing), with the paper's measurements. */
  smallRunSet(experiments: readonly string[]): Promise<AnyRunSet>;
  /**
   * Evaluates claim `id` on the small profile, writes the verdict to <verdictsDir>/<id>.json and compares it with
   * the baseline (warning on a fragile change). Harness errors (no baseline, a failed run) throw.
   */
  checkClaim(id: string): Promise<BaselineCheck>;
  /** Claim `id` evaluated on `set` and compared with the committed baseline: verdict and every number of its data. */
  checkClaimOn(set: AnyRunSet, id: string): { outcome: ClaimOutcome; check: BaselineCheck };
  /** The name a claim test shows: `C06 inverse-lambda`. */
  claimTitle(id: string): string;
}

export function claimHarness(paper: AnyPaper): ClaimHarness {
  const small = paper.profile('small');
  const smallStore = runStoreDir(paper, 'small');
  const smallRecords = committedRecordsDir(paper, 'small');
  const baselineFile = smallBaselineFile(paper);
  const verdictsDir = runStoreDir(paper, 'small-claims');
  const smallRunSet = async (experiments: readonly string[]): Promise<AnyRunSet> => {
    if (fromRecords()) return runsFromRecords(paper, small, smallRecords, experiments).set;
    const result = await trainRuns({
      paper,
      profile: small,
      storeRoot: smallStore,
      engine: 'native',
      engineOptions: { threads: 1 },
      experiments,
      onRun: (e) => {
        if (e.kind === 'done' && e.outcome && e.outcome.wall_s > 0) process.stderr.write(`claims: trained ${e.run.key} (${e.run.id}) in ${e.outcome.wall_s.toFixed(1)} s\n`);
      },
    });
    if (result.failures.length) throw new Error(`harness: training failed: ${result.failures.map((f) => `${f.key} (${f.id}): ${f.message}`).join('; ')}`);
    return result.set;
  };
  const checkClaimOn = (set: AnyRunSet, id: string) => {
    const outcome = paper.evaluate(set, [id]).get(id)!;
    return { outcome, check: compareWithBaseline(readBaseline(baselineFile), id, outcome) };
  };
  return {
    paper,
    small,
    smallStore,
    smallRecords,
    baselineFile,
    verdictsDir,
    smallRunSet,
    checkClaimOn,
    async checkClaim(id) {
      const definition = claimDefinition(paper, id);
      const set = await smallRunSet(definition.experiments);
      const { outcome, check } = checkClaimOn(set, id);
      mkdirSync(verdictsDir, { recursive: true });
      writeFileAtomic(join(verdictsDir, `${id}.json`), `${JSON.stringify({ claim: definition, outcome, baseline: check }, null, 2)}\n`);
      if (check.status === 'changed (fragile)') console.warn(`warning: ${check.message}`);
      return check;
    },
    claimTitle: (id) => `${id} ${claimDefinition(paper, id).name}`,
  };
}

/** The paper whose claims claims/C*.test.ts check: GROKCHECK_PAPER (its id), else the default (circuit-sync). */
export const PAPER: AnyPaper = process.env.GROKCHECK_PAPER ? requirePaper(process.env.GROKCHECK_PAPER, 'GROKCHECK_PAPER') : DEFAULT_PAPER;
const DEFAULT_HARNESS = claimHarness(PAPER);
export const SMALL = DEFAULT_HARNESS.small;
export const SMALL_STORE = DEFAULT_HARNESS.smallStore;
export const SMALL_RECORDS = DEFAULT_HARNESS.smallRecords;
export const BASELINE_FILE = DEFAULT_HARNESS.baselineFile;
export const VERDICTS_DIR = DEFAULT_HARNESS.verdictsDir;
export const { smallRunSet, checkClaim, checkClaimOn, claimTitle } = DEFAULT_HARNESS;
