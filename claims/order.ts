/**
 * The order the claim tests start in: most new training first. vitest otherwise starts its largest files first,
 * and these files are tiny: the claim tests came last, and the one with the most training (C08's schedule runs,
 * ~8 minutes on one core) ran alone at the end while the other core idled.
 *
 * A run's training is the cost model's machine-free price (src/verify/costModel.ts: multiply-adds) to its stop
 * in the committed records (fixtures/records/small), the same figures `verify --plan` uses. Claims share runs
 * (C07 reads C05's and C06's), so the order is greedy: next the claim whose runs not yet trained by the claims
 * before it cost most; claims with nothing new to train follow, those with the most to read first.
 */
import { costOf, expectedLength, shapeUnits } from '../src/verify/costModel.js';
import { claimDefinition } from '../src/verify/evaluate.js';
import { readExportedRuns } from '../src/verify/recordsExport.js';
import type { PlannedRun } from '../src/paper/runSet.js';
import { PAPER, SMALL_RECORDS } from './harness.js';

export interface ClaimTraining {
  id: string;
  /** Ids of the small-profile runs the claim reads. */
  runs: Set<string>;
  /** The price of its runs (multiply-adds). */
  units: number;
  /** The price of those of its runs that no claim before it reads. */
  newUnits: number;
}

/** Claim ids in the order their tests should start. */
export function claimTestOrder(): string[] {
  return claimTraining().map((c) => c.id);
}

/** Every claim with its runs and the new training it brings, in start order. */
export function claimTraining(): ClaimTraining[] {
  const committed = readExportedRuns(SMALL_RECORDS).runs;
  const profile = PAPER.profile('small');
  const lookup = (id: string) => {
    const run = committed.get(id);
    return run ? { status: 'complete' as const, records: run.records } : undefined;
  };
  // Each claim's runs (forks included: the committed parents fix their ids) and what each run costs.
  const price = new Map<string, number>();
  const runsOf = new Map<string, Set<string>>();
  for (const claim of PAPER.claims) {
    const plan = profile.plan(lookup, claimDefinition(PAPER, claim.id).experiments);
    for (const r of plan.runs)
      if (!price.has(r.id)) price.set(r.id, costOf(r.config, expectedLength(r.config, [], new Map(), committed.get(r.id)?.records), shapeUnits(r.config)));
    runsOf.set(claim.id, new Set(plan.runs.map((r: PlannedRun) => r.id)));
  }
  const cost = (runs: Iterable<string>, except: Set<string> = new Set()) => [...runs].reduce((s, id) => s + (except.has(id) ? 0 : price.get(id)!), 0);
  const order: ClaimTraining[] = [];
  const trained = new Set<string>();
  const left = new Set(runsOf.keys());
  while (left.size) {
    const rank = (id: string) => [cost(runsOf.get(id)!, trained), cost(runsOf.get(id)!)] as const;
    const next = [...left].sort((a, b) => {
      const [newA, allA] = rank(a), [newB, allB] = rank(b);
      return newB - newA || allB - allA || a.localeCompare(b);
    })[0];
    order.push({ id: next, runs: runsOf.get(next)!, units: rank(next)[1], newUnits: rank(next)[0] });
    left.delete(next);
    for (const id of runsOf.get(next)!) trained.add(id);
  }
  return order;
}
