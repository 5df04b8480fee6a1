/**
 * Splitting a profile's plan over machines (design.md "Across machines"): `verify --shard i/N` trains shard i.
 * A shard holds whole families (a root run and every run forked from it, so that forks find their parents in
 * the shard's own store), and the shards are balanced by the machine-free cost model (costModel.ts) with the
 * longest-processing-time rule: families in decreasing cost, each to the least loaded shard. Pure and
 * deterministic: the same plan gives the same split on every machine, whatever their stores already hold.
 */
import type { CheckpointMeasures } from '../train/measures.js';
import type { Plan, PlannedRun, RoleBase } from '../paper/runSet.js';
import { costOf, expectedLength, shapeUnits } from './costModel.js';

export interface Family {
  /** The root run's id (a run playing two roles, e.g. a schedule's constant run that is a main run, is one root). */
  root: string;
  /** Role keys of the root. */
  keys: string[];
  /** Fork role keys (planned or still waiting on the root). */
  forks: string[];
  /** Machine-free cost: the root's, and as much again for each fork (a fork has its parent's shape and a similar length). */
  cost: number;
}

/** The families of a plan: every root run with the forks that start from it. */
export function familiesOf<R extends RoleBase>(plan: Plan<R>, measures: Pick<CheckpointMeasures, 'cost'>): Family[] {
  const byId = new Map<string, Family>();
  const keyToId = new Map<string, string>();
  const rootCost = new Map<string, number>();
  for (const run of plan.runs) {
    if (run.config.fork) continue;
    keyToId.set(run.key, run.id);
    const family = byId.get(run.id) ?? { root: run.id, keys: [], forks: [], cost: 0 };
    family.keys.push(run.key);
    byId.set(run.id, family);
    // Machine-free and store-free: the expected length from the stop rule alone (no records, no history).
    rootCost.set(run.id, costOf(run.config, expectedLength(run.config), shapeUnits(run.config, measures), measures));
  }
  const parentOf = (run: PlannedRun<R>) => run.config.fork!.parent;
  for (const run of plan.runs) if (run.config.fork) byId.get(parentOf(run))?.forks.push(run.key);
  for (const w of plan.waiting) {
    const id = keyToId.get(w.parentKey);
    if (id) byId.get(id)!.forks.push(w.key);
  }
  const families = [...byId.values()];
  for (const f of families) f.cost = rootCost.get(f.root)! * (1 + f.forks.length);
  return families.sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
}

/** `i/N` as given on the command line (i from 0 to N - 1). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RangeError(`a shard is i/N, e.g. 0/4 (got '${text}')`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index >= count) throw new RangeError(`shard ${text}: i must lie in 0..N-1 and N be at least 1`);
  return { index, count };
}

/** Which shard (0..count-1) each family goes to: longest first to the least loaded shard, ties to the lower index. */
export function splitFamilies(families: readonly Family[], count: number): Map<string, number> {
  const order = [...families].sort((a, b) => b.cost - a.cost || (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const out = new Map<string, number>();
  for (const f of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    load[best] += f.cost;
    out.set(f.root, best);
  }
  return out;
}

/**
 * The run ids of shard `index` of `count`: its families' roots, and (once planned) their forks. Forks are
 * recognised by their parent's id, so a plan made after the roots have trained keeps every run in its shard.
 */
export function shardMembership<R extends RoleBase>(initial: Plan<R>, index: number, count: number, measures: Pick<CheckpointMeasures, 'cost'>): (run: PlannedRun<R>) => boolean {
  const assignment = splitFamilies(familiesOf(initial, measures), count);
  const inShard = (root: string) => assignment.get(root) === index;
  return (run) => inShard(run.config.fork ? run.config.fork.parent : run.id);
}
