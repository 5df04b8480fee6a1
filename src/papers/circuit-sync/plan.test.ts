import { describe, expect, it } from 'vitest';
import { runIdOf } from '../../schema/runConfig.js';
import type { RunConfig } from '../../schema/runConfig.js';
import { forkPointOf } from './forkPoint.js';
import type { RunLookupResult } from '../../paper/runSet.js';
import type { CircuitSyncRecord } from './record.js';
import { plan } from './plan.js';
import { mainRunConfig, paperProfile, scheduleRunConfig, smallProfile } from './profiles.js';
import { syntheticRecords, type SyntheticTrajectory } from './testing/synthetic.js';

/** A lookup that knows some main runs (by p/seed) as complete synthetic runs, or failed. */
function lookupOf(known: Record<string, Partial<SyntheticTrajectory> | 'failed'>) {
  const byId = new Map<string, RunLookupResult<CircuitSyncRecord>>();
  for (const [key, t] of Object.entries(known)) {
    const [, p, seed] = /^p(\d+)s(\d+)$/.exec(key)!.map(Number);
    const id = runIdOf(mainRunConfig(paperProfile, p, seed));
    byId.set(
      id,
      t === 'failed'
        ? { status: 'failed', records: [], message: 'boom' }
        : { status: 'complete', records: syntheticRecords({ endStep: 5000, memStep: 200, syncStep: 1500, grokStep: 3000, ...t }) },
    );
  }
  return (id: string, _config: RunConfig) => byId.get(id);
}

describe('plan', () => {
  it('plans the paper profile: every run without a parent now, the forks waiting on their parents', () => {
    const p = plan(paperProfile, lookupOf({}), forkPointOf);
    const count = (e: string) => p.runs.filter((r) => r.role.experiment === e).length;
    expect(count('main')).toBe(9);
    expect(count('ops')).toBe(3);
    expect(count('arch')).toBe(3);
    expect(count('schedule')).toBe(3 * (1 + 3 * 3));
    expect(count('s5')).toBe(6);
    // 5 seeds x 5 primes beside the paper's design; the 9 main configurations are among them (the same run ids).
    expect(count('replicates')).toBe(25);
    const mainIds = new Set(p.runs.filter((r) => r.role.experiment === 'main').map((r) => r.id));
    expect(p.runs.filter((r) => r.role.experiment === 'replicates' && mainIds.has(r.id))).toHaveLength(9);
    // fork97, then the forks at the sync step and again at the paper's steps.
    expect(p.waiting).toHaveLength(6 + 2 * 3 * 4 * 5);
    expect(p.waiting.every((w) => !w.blocked && w.reason === 'parent not trained yet')).toBe(true);
    expect(new Set(p.runs.map((r) => r.key)).size).toBe(p.runs.length);
  });

  it("gives the schedule's constant-lambda run the main run's id (one training serves both roles)", () => {
    const p = plan(paperProfile, lookupOf({}), forkPointOf);
    const main = p.runs.find((r) => r.key === 'main/p97/s0')!;
    const constant = p.runs.find((r) => r.key === 'schedule/p97/s0/constant')!;
    expect(constant.id).toBe(main.id);
    expect(runIdOf(scheduleRunConfig(paperProfile, 0, 5, 'fsd'))).not.toBe(main.id);
  });

  it('forks a trained parent at its sync step, with the branch weight decay and stop rule', () => {
    const p = plan(paperProfile, lookupOf({ p97s42: { syncStep: 1500, grokStep: 3000 } }), forkPointOf, { experiments: ['fork97'] });
    const forks = p.runs.filter((r) => r.role.experiment === 'fork97');
    expect(forks.map((f) => f.config.optimizer.weight_decay)).toEqual([1, 2, 3, 4, 5, 10]);
    for (const f of forks) {
      expect(f.config.fork).toEqual({ parent: runIdOf(mainRunConfig(paperProfile, 97, 42)), step: 1500 });
      expect(f.config.stop).toEqual({ max_steps: 8000 });
      expect(f.config.batch_seed).toBeUndefined();
    }
    expect(p.forkPoints).toEqual([{ step: 1500, source: 'sync', parentKey: 'main/p97/s42', parentId: forks[0].config.fork!.parent }]);
  });

  it("forks at the paper's step, and says why, when the parent never syncs before grokking", () => {
    const p = plan(paperProfile, lookupOf({ p53s42: { syncStep: 4000, grokStep: 3000 } }), forkPointOf, { experiments: ['forks'] });
    const p53 = p.runs.filter((r) => r.role.experiment === 'forks' && r.role.p === 53);
    expect(p53).toHaveLength(4 * 5);
    expect(new Set(p53.map((r) => r.config.fork!.step))).toEqual(new Set([2000]));
    expect(p53.map((r) => r.config.batch_seed).slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(p53[0].config.stop).toEqual({ max_steps: 2000 + 8000, after_grok: 500 });
    const point = p.forkPoints.find((f) => f.parentKey === 'main/p53/s42')!;
    expect(point.source).toBe('fallback');
    expect(point.note).toContain('never synced before grokking (sync 4000, grok 3000)');
  });

  it("forks-paper: the same draws forked at the paper's steps whatever the sync step; one config where both agree", () => {
    const parents = { p53s42: { syncStep: 3300, grokStep: 7200 }, p97s42: { syncStep: 1000, grokStep: 3000 } };
    const p = plan(paperProfile, lookupOf(parents), forkPointOf, { experiments: ['forks', 'forks-paper'] });
    const at = (e: string, prime: number) => new Set(p.runs.filter((r) => r.role.experiment === e && 'p' in r.role && r.role.p === prime).map((r) => r.config.fork!.step));
    expect(at('forks', 53)).toEqual(new Set([3300]));
    expect(at('forks-paper', 53)).toEqual(new Set([2000]));
    const sync97 = p.runs.find((r) => r.key === 'forks/p97/l2/d0')!;
    const paper97 = p.runs.find((r) => r.key === 'forks-paper/p97/l2/d0')!;
    expect(paper97.config.fork!.step).toBe(1000);
    expect(paper97.id).toBe(sync97.id);
    // The report lists each parent's canonical fork point once.
    expect(p.forkPoints.filter((f) => f.parentKey === 'main/p53/s42')).toHaveLength(1);
  });

  it('blocks the forks of a failed parent', () => {
    const p = plan(paperProfile, lookupOf({ p97s42: 'failed' }), forkPointOf, { experiments: ['fork97'] });
    expect(p.waiting).toHaveLength(6);
    expect(p.waiting.every((w) => w.blocked && w.reason === 'parent failed: boom')).toBe(true);
  });

  it('plans the parents of a requested experiment even when main is not requested', () => {
    const p = plan(smallProfile, lookupOf({}), forkPointOf, { experiments: ['ablate'] });
    expect(p.runs.map((r) => r.key)).toEqual([`main/p${smallProfile.reference.p}/s${smallProfile.reference.seed}`]);
  });
});
