import { describe, expect, it } from 'vitest';
import { evaluateAtBothResolutions } from '../../../verify/evaluate.js';
import { circuitSync } from '../index.js';
import { CLAIM_IDS, evaluateClaim, evaluateClaims } from './index.js';
import { CANONICAL_OPTIONS, optionsOf } from '../options.js';
import { paperProfile } from '../profiles.js';
import { syntheticRunSet, type Override } from '../testing/syntheticSet.js';

const paperLike = syntheticRunSet({ profile: paperProfile });
const verdictOf = (id: string, overrides: Record<string, Override> = {}, ablationDrops?: Partial<Record<string, number>> | null) =>
  evaluateClaim(id, syntheticRunSet({ profile: paperProfile, overrides, ...(ablationDrops === undefined ? {} : { ablationDrops }) }));
/** The verdict under the rule before issue 27 (verdict.rule=majority): a strict majority, or a positive mean, is the direction. */
const majorityVerdictOf = (id: string, overrides: Record<string, Override> = {}) =>
  evaluateClaims(syntheticRunSet({ profile: paperProfile, overrides }), optionsOf('verdict.rule=majority'), [id]).get(id)!;

describe('claims on a synthetic profile shaped like the paper', () => {
  it('reproduces every claim when the runs look like the paper says', () => {
    const outcomes = evaluateClaims(paperLike);
    const verdicts = Object.fromEntries(CLAIM_IDS.map((id) => [id, outcomes.get(id)!.verdict]));
    expect(verdicts).toEqual(Object.fromEntries(CLAIM_IDS.map((id) => [id, 'reproduced'])));
  });

  it('states the figures in the paper\'s terms', () => {
    const o = evaluateClaims(paperLike);
    expect(o.get('C01')!.figure).toMatch(/^9\/9 positive; leads \+1500\.\.\+1800; FSD at grokking \d\.\d\d\.\.\d\.\d\d$/);
    expect(o.get('C02')!.data.p_value).toBeCloseTo(0.00390625, 10);
    expect(o.get('C05')!.figure).toBe('Delta_t by lambda: 1: 3000, 2: 1500, 3: 1000, 4: 800 (destabilised), 5: 600 (destabilised), 10: never');
    expect(o.get('C08')!.figure).toMatch(/^40% \/ 40% fewer steps/);
    expect(o.get('C16')!.data.norm_at_memorisation).toBe(76);
    expect(o.get('C16')!.data.norm_at_grok).toBe(23);
  });

  it('names the runs behind each claim', () => {
    const o = evaluateClaims(paperLike);
    expect(o.get('C01')!.runIds).toHaveLength(9);
    // The canonical forks and the same draws forked at the paper's steps (synthetic parents sync elsewhere).
    expect(o.get('C06')!.runIds).toHaveLength(2 * 3 * 4 * 5);
    expect(o.get('C08')!.runIds).toHaveLength(3 + 27);
    expect(o.get('C13')!.runIds).toHaveLength(0);
  });

  it('C01-C04 read the paper\'s 9 configurations, and all 25 under main.configurations=replicates', () => {
    const canonical = evaluateClaims(paperLike);
    const all = evaluateClaims(paperLike, optionsOf('main.configurations=replicates'));
    for (const id of ['C01', 'C02', 'C03', 'C04']) {
      expect(canonical.get(id)!.configurations, id).toBe(9);
      expect(all.get(id)!.configurations, id).toBe(25);
    }
    expect(all.get('C01')!.runIds).toHaveLength(25);
    expect(all.get('C01')!.figure).toMatch(/^25\/25 positive/);
    expect(canonical.get('C02')!.notes.filter((n) => n.startsWith('power: '))).toEqual([
      'power: with 9 configurations, a two-sided sign test at alpha 0.01 detects a true positive-lead rate with probability 0.075 at a 75% rate, 0.387 at a 90% rate',
      expect.stringMatching(/^power: with 25 configurations, .* probability 0\.\d{3} at a 75% rate, 0\.\d{3} at a 90% rate$/),
    ]);
  });

  it("C06 reports the fit of the forks at the paper's steps beside the canonical one", () => {
    const c06 = evaluateClaims(paperLike).get('C06')!;
    expect(c06.figure).toMatch(/; at the paper's fork steps: R\^2 .* \((reproduced|direction only|not reproduced)\)$/);
    const table = c06.tables![0];
    expect(table.rows.map((r) => r[0])).toEqual([...Array(3).fill('fork.at = sync'), ...Array(3).fill('fork.at = paper')]);
    expect(table.rows.filter((r) => r[0] === 'fork.at = paper').map((r) => r[2])).toEqual(['2000', '1000', '1000']);
  });

  it('reads the coarse grid as the paper did: events move to multiples of 500', () => {
    const [c01] = evaluateAtBothResolutions(circuitSync, paperLike, ['C01']);
    const fineLeads = (c01.fine.data.leads as { lead: number }[]).map((l) => l.lead);
    const coarseLeads = (c01.coarse.data.leads as { lead: number; sync: number; grok: number }[]);
    expect(fineLeads).toContain(1700);
    for (const l of coarseLeads) {
      expect(l.sync % 500).toBe(0);
      expect(l.grok % 500).toBe(0);
    }
  });
});

describe('verdicts move with the evidence', () => {
  it('C01: one lagging configuration gives direction only (8 of 9: the sign test supports leading); five give inconclusive; nine not reproduced', () => {
    const one = verdictOf('C01', { 'main/p53/s42': { syncStep: 5000 } });
    expect(one.verdict).toBe('direction only');
    expect(one.reason).toMatch(/one-sided sign test at 0\.05 \(8 for, 1 against, ties dropped\): p = 0\.0195, the opposite p = 0\.998: it supports FSD leading/);
    const lagging = Object.fromEntries(['main/p53/s42', 'main/p71/s42', 'main/p113/s42', 'main/p131/s42', 'main/p97/s0'].map((k) => [k, { syncStep: null }]));
    const o = verdictOf('C01', lagging);
    // 4 leading of 9: neither direction is supported (p 0.746 and 0.500); the old rule said not reproduced.
    expect(o.verdict).toBe('inconclusive');
    expect(o.figure).toContain('never synced: 5');
    expect(majorityVerdictOf('C01', lagging).verdict).toBe('not reproduced');
    const all = Object.fromEntries(paperProfile.main.runs.map((r) => [`main/p${r.p}/s${r.seed}`, { syncStep: null }]));
    const lags = verdictOf('C01', all);
    expect(lags.verdict).toBe('not reproduced');
    expect(lags.reason).toContain('it supports the opposite');
  });

  it('C02 and C04: the same one-sided test decides their direction; the old rule is the alternative verdict.rule=majority', () => {
    const fiveOfNine = Object.fromEntries(['main/p53/s42', 'main/p71/s42', 'main/p113/s42', 'main/p131/s42'].map((k) => [k, { syncStep: null }]));
    expect(verdictOf('C02', fiveOfNine).verdict).toBe('inconclusive');
    expect(majorityVerdictOf('C02', fiveOfNine).verdict).toBe('direction only');
    expect(verdictOf('C02').verdict).toBe('reproduced');
    const early = Object.fromEntries(paperProfile.main.runs.slice(0, 4).map((r) => [`main/p${r.p}/s${r.seed}`, { baselineSyncStep: 500 }]));
    expect(verdictOf('C04', early).verdict).toBe('inconclusive');
    expect(majorityVerdictOf('C04', early).verdict).toBe('direction only');
  });

  it('C01-C04 are not evaluable when a main run is missing, failed or never grokked, and say which', () => {
    expect(verdictOf('C01', { 'main/p71/s42': 'missing' })).toMatchObject({ verdict: 'not evaluable', reason: 'main/p71/s42: not trained' });
    expect(verdictOf('C02', { 'main/p71/s42': 'failed' }).reason).toContain('main/p71/s42: failed');
    expect(verdictOf('C03', { 'main/p71/s42': { grokStep: null, endStep: 10000 } }).reason).toContain('main/p71/s42: cut short without grokking');
  });

  it('C03: with a configuration that never synced the mean is an upper bound, which supports no lead: inconclusive (old rule: direction only)', () => {
    expect(verdictOf('C03').verdict).toBe('reproduced');
    const o = verdictOf('C03', { 'main/p113/s42': { syncStep: null } });
    expect(o.verdict).toBe('inconclusive');
    expect(o.reason).toContain('1 of 9 configurations never synced');
    expect(o.reason).toContain('rests on upper bounds');
    expect(majorityVerdictOf('C03', { 'main/p113/s42': { syncStep: null } }).verdict).toBe('direction only');
  });

  it('C03: leads far below the paper give direction only', () => {
    const small = Object.fromEntries(paperProfile.main.runs.map((r) => [`main/p${r.p}/s${r.seed}`, { syncStep: 3000 }]));
    const o = verdictOf('C03', small);
    expect(o.verdict).toBe('direction only');
    expect(o.data.mean as number).toBeGreaterThan(0);
    expect(o.data.mean as number).toBeLessThan(1111);
  });

  it('C04: a baseline that syncs first in every configuration is not reproduced', () => {
    const early = Object.fromEntries(paperProfile.main.runs.map((r) => [`main/p${r.p}/s${r.seed}`, { baselineSyncStep: 500 }]));
    expect(verdictOf('C04', early).verdict).toBe('not reproduced');
  });

  it('C05: a non-monotone lambda <= 3 gives direction only or not reproduced', () => {
    // lambda 2 slower than lambda 1, lambda 3 still fastest: overall fall, not strict.
    expect(verdictOf('C05', { 'fork97/p97/s42/l2': { grokStep: 8000 } }).verdict).toBe('direction only');
    expect(verdictOf('C05', { 'fork97/p97/s42/l3': { grokStep: null } }).verdict).toBe('not reproduced');
  });

  it('C06: a flat Delta_t fails the fit and the direction', () => {
    const flat: Record<string, Override> = {};
    for (const l of [1, 2, 3, 5]) for (let d = 0; d < 5; d++) flat[`forks/p53/l${l}/d${d}`] = { grokStep: 5000 + 100 * ((l * 7 + d) % 4), endStep: 6000 };
    const o = verdictOf('C06', flat);
    expect(o.verdict).toBe('not reproduced');
    expect((o.data.fits as { p: number; r2: number }[]).find((f) => f.p === 53)!.r2).toBeLessThan(0.89);
    // The reason shows the seed means behind the fit, so a reader sees where it fails.
    expect(o.reason).toMatch(/seed-mean Delta_t over lambda 1\/2\/3\/5: \d+ \/ \d+ \/ \d+ \/ \d+ \(p = 53\)/);
  });

  it('C07: scattered norms at grokking are not reproduced', () => {
    const scattered: Record<string, Override> = {};
    for (const l of [1, 2, 3, 5]) for (let d = 0; d < 5; d++) scattered[`forks/p97/l${l}/d${d}`] = { normAtGrok: 10 + 15 * l };
    const o = verdictOf('C07', scattered);
    expect(o.data.cv as number).toBeGreaterThan(0.2);
    expect(o.verdict).not.toBe('reproduced');
  });

  it('C08: a schedule that saves 10% is direction only; one that destabilises is not reproduced', () => {
    const modest: Record<string, Override> = {};
    for (const seed of [42, 0, 1]) for (const l of [3, 5]) modest[`schedule/p97/s${seed}/fsd/l${l}`] = { grokStep: 3300, endStep: 4300 };
    expect(verdictOf('C08', modest).verdict).toBe('direction only');
    expect(verdictOf('C08', { 'schedule/p97/s0/fsd/l3': { collapseFrom: 3000, endStep: 10000 } }).verdict).toBe('not reproduced');
  });

  it('C08 says why a schedule saved nothing: a trigger that never fired, or fired after grokking', () => {
    const late = verdictOf('C08', {
      'schedule/p97/s42/fsd/l3': { syncStep: null, weightDecay: () => 1 },
      // The constant-lambda run of seed 0 groks at 3700 (syntheticSet's default); this one fires only at 4000.
      'schedule/p97/s0/fsd/l5': { grokStep: 3700, endStep: 4700, weightDecay: (step) => (step >= 4000 ? 5 : 1) },
    });
    expect(late.notes).toContain('fsd -> 3, seed 42: the trigger never fired');
    expect(late.notes).toContain('fsd -> 5, seed 0: the trigger fired at 4000, after the constant-lambda run grokked (3700)');
  });

  it('C09-C11 and C15 follow the sign of the lead', () => {
    expect(verdictOf('C09', { 'arch/2l-attn_only/p97/s42': { syncStep: 6500 } }).verdict).toBe('not reproduced');
    expect(verdictOf('C10', { 'arch/2l-mlp_only/p97/s42': { grokStep: 9000, memStep: 500, syncStep: null } }).verdict).toBe('not reproduced');
    expect(verdictOf('C10', { 'arch/2l-mlp_only/p97/s42': { endStep: 9000 } }).verdict).toBe('not evaluable');
    expect(verdictOf('C11', { 'arch/1l-standard/p97/s42': { syncStep: 1000 } }).verdict).toBe('not reproduced');
    expect(verdictOf('C15', { 'ops/mul/p97/s42': { syncStep: 11000 } }).verdict).toBe('not reproduced');
    expect(verdictOf('C15', { 'ops/mul/p97/s42': { syncStep: 11900 } }).verdict).toBe('direction only');
  });

  it('C12: a control that leads everywhere is not reproduced; FSD_gen leading on 5/6 is direction only', () => {
    const controlLeads = Object.fromEntries(paperProfile.s5.seeds.map((s) => [`s5/n5/s${s}`, { syncStep: 1000 }]));
    expect(verdictOf('C12', controlLeads).verdict).toBe('not reproduced');
    expect(verdictOf('C12', { 's5/n5/s7': { fsdGenSyncStep: null } }).verdict).toBe('direction only');
  });

  it('C14: ranking and size of the block-0 MLP drop', () => {
    expect(verdictOf('C14', {}, { 'block0.mlp': 45 }).verdict).toBe('direction only');
    expect(verdictOf('C14', {}, { 'block0.mlp': 95 }).verdict).toBe('not reproduced');
    expect(verdictOf('C14', {}, null)).toMatchObject({ verdict: 'not evaluable' });
  });

  it('C16: a norm that falls by a third is direction only', () => {
    expect(verdictOf('C16', { 'main/p97/s42': { normAtGrok: 50 } }).verdict).toBe('direction only');
    expect(verdictOf('C16', { 'main/p97/s42': { normAtGrok: 90 } }).verdict).toBe('not reproduced');
  });

  it('C03: never-synced configurations count at their bound, and the verdict reads that (lower) mean', () => {
    const o = verdictOf('C03', { 'main/p113/s42': { syncStep: null } });
    expect(o.data.censored).toEqual(['main/p113/s42']);
    const censored = o.data.censored_at_bound as { mean: number; configurations: number };
    const synced = o.data.synced_only as { mean: number; configurations: number };
    expect([censored.configurations, synced.configurations]).toEqual([9, 8]);
    expect(censored.mean).toBeLessThan(synced.mean);
    expect(o.data.mean).toBe(censored.mean);
    // The bound is grok - last step: the run stops after_grok steps after grokking.
    const lead = (o.data.leads as number[])[paperProfile.main.runs.findIndex((r) => r.p === 113)];
    expect(lead).toBe(-(paperProfile.main.stop.after_grok ?? 0));
    expect(o.tables![0].rows.map((r) => r[0])).toEqual(['synced only', 'never-synced at their bound (verdict)']);
    // Enough censored configurations pull the conservative mean below zero, though the synced-only mean still
    // leads: the old rule said not reproduced; the interval still contains 0, so the test says nothing: inconclusive.
    const many = Object.fromEntries(paperProfile.main.runs.slice(0, 6).map((r) => [`main/p${r.p}/s${r.seed}`, { syncStep: null }]));
    const worse = verdictOf('C03', many);
    expect((worse.data.synced_only as { mean: number }).mean).toBeGreaterThan(0);
    expect(worse.data.mean as number).toBeLessThan(0);
    expect((worse.data.ci as number[])[1]).toBeGreaterThan(0);
    expect(worse.verdict).toBe('inconclusive');
    expect(majorityVerdictOf('C03', many).verdict).toBe('not reproduced');
  });

  it('C03: says when the prime-clustered bootstrap has too few clusters for an interval', () => {
    const o = verdictOf('C03');
    expect(o.data.clusters).toBe(new Set(paperProfile.main.runs.map((r) => r.p)).size);
    expect(o.data.clustered_is_interval).toBe(true);
    // Three primes left after dropping the never-synced: the synced-only clustered "CI" is no interval.
    const drop = Object.fromEntries(paperProfile.main.runs.filter((r) => r.p === 113 || r.p === 131).map((r) => [`main/p${r.p}/s${r.seed}`, { syncStep: null }]));
    const few = verdictOf('C03', drop);
    expect((few.data.synced_only as { clusters: number; clustered_is_interval: boolean })).toMatchObject({ clusters: 3, clustered_is_interval: false });
  });

  it('C07: a norm that falls steadily with lambda passes the CV band but not norm.rule=no-trend, and says so', () => {
    const falling: Record<string, Override> = {};
    for (const cell of paperProfile.forks.cells)
      for (const l of paperProfile.forks.lambdas) for (let d = 0; d < cell.draws.length; d++) falling[`forks/p${cell.p}/l${l}/d${d}`] = { normAtGrok: 26 - 0.8 * l };
    const set = syntheticRunSet({ profile: paperProfile, overrides: falling });
    const byCv = evaluateClaim('C07', set);
    expect(byCv.data.cv as number).toBeLessThanOrEqual(0.2);
    expect(byCv.verdict).toBe('reproduced');
    const slope = byCv.data.slope as { estimate: number; ci: [number, number] };
    expect(slope.ci[1]).toBeLessThan(0);
    expect(byCv.caveat).toContain('trends with lambda');
    const noTrend = evaluateClaim('C07', set, { ...CANONICAL_OPTIONS, normRule: 'no-trend' });
    expect(noTrend.verdict).not.toBe('reproduced');
    expect(noTrend.reason).toContain('excludes 0');
  });

  it('C12: matched comparisons put FSD_gen and the control at equal thresholds and at equal multiples of chance', () => {
    const o = evaluateClaim('C12', paperLike);
    const matched = o.data.matched as { label: string; threshold: number; leads: number }[];
    expect(matched).toHaveLength(5);
    // S5: 6 non-trivial irreps (chance 1/6); Z_120: 60 frequencies (chance 1/60). FSD_gen >= 0.50 is top
    // participation 7/12 = 3.5 x chance; the control at 3.5/60 participation is FSD 0.0424.
    expect(matched[4].threshold).toBeCloseTo((3.5 / 60 - 1 / 60) / (1 - 1 / 60), 4);
    expect(o.data.fsd_gen_at_step0 as unknown[]).toHaveLength(6);
    expect(o.notes.join('\n')).toContain('no Gaussian null recorded');
    expect(o.caveat).toContain('chance 1/60');
  });

  it('C15 names the basis mismatch of additive FSD on multiplication; the multiplicative basis falls back on old records', () => {
    const o = evaluateClaim('C15', paperLike);
    expect(o.caveat).toContain('basis mismatch');
    const mult = evaluateClaim('C15', paperLike, { ...CANONICAL_OPTIONS, fsdBasis: 'multiplicative' });
    expect(mult.notes.join('\n')).toContain('predates fsd.basis');
  });

  it('C05 reports what the lambdas the claim calls destabilising did', () => {
    expect(evaluateClaim('C05', paperLike).caveat).toBe(`the band ignores the claim's "4 and 5 destabilise"; what they did: 4: destabilised; 5: destabilised`);
    const stable = verdictOf('C05', { 'fork97/p97/s42/l4': { collapseFrom: undefined, endStep: 8000 } });
    expect(stable.caveat).toMatch(/4: grokked \(Delta_t \d+\) and stayed stable; 5: destabilised \(so lambda 4 did not destabilise as the claim says\)$/);
  });

  it('counts the sync events behind each swept claim that fall on spike checkpoints, under both spike rules', () => {
    const o = evaluateClaim('C01', paperLike);
    // evaluateClaim evaluates one claim without the paper-level annotations; evaluateClaims adds them.
    expect(o.data.sync_on_spike).toBeUndefined();
    const annotated = evaluateClaims(paperLike, CANONICAL_OPTIONS, ['C01']).get('C01')!;
    expect(Object.keys(annotated.data.sync_on_spike as object).sort()).toEqual(['drop:0.2', 'train_acc<0.99']);
    expect(annotated.notes[0]).toMatch(/^sync events on spike checkpoints: \d+ of 9 under spike\.rule=drop:0\.2, \d+ of 9 under spike\.rule=train_acc<0\.99$/);
  });

  it('the options reach the claims: a 0.99 grokking rule moves every grokking step', () => {
    const o = evaluateClaim('C01', paperLike, { ...CANONICAL_OPTIONS, grokRule: 'val>=0.99' });
    const canonical = evaluateClaim('C01', paperLike);
    const groks = (x: typeof o) => (x.data.leads as { grok: number }[]).map((l) => l.grok);
    expect(groks(o).every((g, i) => g === groks(canonical)[i] + 100)).toBe(true);
  });
});
