import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circuitSync } from '../papers/circuit-sync/index.js';
import { familiesOf, parseShard, shardMembership, splitFamilies, type Family } from './shards.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';

const family = (root: string, cost: number): Family => ({ root, keys: [root], forks: [], cost });

describe('shard split', () => {
  it('puts every family in exactly one shard, deterministically, balanced within the largest family', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (costs, count) => {
        const families = costs.map((c, i) => family(`f${String(i).padStart(3, '0')}`, c));
        const split = splitFamilies(families, count);
        expect([...split.keys()].sort()).toEqual(families.map((f) => f.root).sort());
        for (const s of split.values()) expect(s >= 0 && s < count).toBe(true);
        // The same split whatever order the families come in.
        expect(splitFamilies([...families].reverse(), count)).toEqual(split);
        const load = new Array<number>(count).fill(0);
        for (const f of families) load[split.get(f.root)!] += f.cost;
        expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(Math.max(...costs) + 1e-6);
      }),
    );
  });

  it('keeps every fork with its parent on the paper profile, and every run of the plan in one shard', () => {
    const plan = circuitSync.profile('paper').plan(() => undefined);
    const families = familiesOf(plan, circuitSyncMeasures);
    // 114 distinct runs: the roots now, the 66 forks of fork97 and forks waiting on their parents.
    const roots = new Set(plan.runs.map((r) => r.id));
    expect(families.map((f) => f.root).sort()).toEqual([...roots].sort());
    expect(families.reduce((n, f) => n + f.forks.length, 0)).toBe(plan.waiting.length);
    const p97 = families.find((f) => f.keys.includes('main/p97/s42'))!;
    expect(p97.forks.filter((k) => k.startsWith('fork97/'))).toHaveLength(6);
    expect(p97.keys).toContain('schedule/p97/s42/constant');
    for (const count of [1, 2, 3, 7]) {
      const member = [0, 1, 2, 3, 4, 5, 6].slice(0, count).map((i) => shardMembership(plan, i, count, circuitSyncMeasures));
      for (const run of plan.runs) expect(member.filter((m) => m(run)).length).toBe(1);
    }
  });

  it('reads i/N and refuses anything else', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(() => parseShard('5/5')).toThrow(/0\.\.N-1/);
    expect(() => parseShard('one of three')).toThrow(/i\/N/);
  });
});
