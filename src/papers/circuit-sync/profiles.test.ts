import { describe, expect, it } from 'vitest';
import { paperModel } from '../../schema/model.js';
import { forkRunConfig } from '../../train/fork.js';
import { archRunConfig, isFullBatch, mainRunConfig, paperProfile, REORDER_SEED_OFFSET, reorderedProfile, reorderMethod, s5RunConfig, scheduleRunConfig, smallProfile } from './profiles.js';

describe('the paper profile is claims.md\'s experiment table', () => {
  it('main: p in {53, 71, 113, 131} seed 42 and p = 97 seeds {42, 123, 0, 1, 2}, grok + 1000 capped at 10000', () => {
    expect(paperProfile.main.runs).toEqual([
      { p: 53, seed: 42 }, { p: 71, seed: 42 }, { p: 113, seed: 42 }, { p: 131, seed: 42 },
      { p: 97, seed: 42 }, { p: 97, seed: 123 }, { p: 97, seed: 0 }, { p: 97, seed: 1 }, { p: 97, seed: 2 },
    ]);
    const c = mainRunConfig(paperProfile, 97, 42);
    expect(c.model).toEqual(paperModel(97));
    expect(c.optimizer).toMatchObject({ lr: 1e-3, weight_decay: 1, beta1: 0.9, beta2: 0.999 });
    expect(c).toMatchObject({ batch_size: 512, eval_every: 100, init_seed: 42, batch_seed: 42, stop: { max_steps: 10000, after_grok: 1000, coarse_grid: 500 } });
    expect(c.task).toEqual({ kind: 'mod_add', n: 97, train_frac: 0.3, split_seed: 42 });
  });

  it('the other experiments', () => {
    expect(paperProfile.ops.stop).toEqual({ max_steps: 60000, after_grok: 1000, coarse_grid: 500 });
    expect(paperProfile.fork97).toEqual({ p: 97, seed: 42, lambdas: [1, 2, 3, 4, 5, 10], maxStep: 8000 });
    expect(paperProfile.forks.lambdas).toEqual([1, 2, 3, 5]);
    expect(paperProfile.forks.cells.map((c) => [c.p, c.draws.length])).toEqual([[53, 5], [97, 5], [131, 5]]);
    expect(paperProfile.forks.cells[1].draws.map((d) => d.parentSeed)).toEqual([42, 123, 0, 1, 2]);
    expect(paperProfile.forks.cells[0].draws.map((d) => d.batchSeed)).toEqual([0, 1, 2, 3, 4]);
    expect(archRunConfig(paperProfile, '2l-attn_only').metrics.fsd_site).toBe('block0.attn.out');
    expect(archRunConfig(paperProfile, '1l-standard').model.n_layers).toBe(1);
    expect(archRunConfig(paperProfile, '2l-mlp_only').stop).toEqual({ max_steps: 15000, after_grok: 1000, coarse_grid: 500 });
    expect(scheduleRunConfig(paperProfile, 0, 10, 'earlystep').schedule).toEqual({ lambda_high: 10, trigger: 'step:500' });
    const s5 = s5RunConfig(paperProfile, 7);
    expect(s5.task).toEqual({ kind: 'sym', n: 5, train_frac: 0.7, split_seed: 7 });
    expect(s5.model).toMatchObject({ vocab: 121, classes: 120 });
    expect(s5.metrics.sync_threshold).toBe(0.5);
    expect(paperProfile.fallbackForkSteps).toEqual({ 53: 2000, 97: 1000, 131: 1000 });
  });

  it('keeps every experiment in the small profile', () => {
    expect(smallProfile.main.runs).toHaveLength(9);
    expect(smallProfile.ops.runs.map((r) => r.op)).toEqual(['sub', 'sub', 'mul']);
    expect(smallProfile.fork97.lambdas).toEqual(paperProfile.fork97.lambdas);
    expect(smallProfile.forks.lambdas).toEqual(paperProfile.forks.lambdas);
    expect(smallProfile.arch.variants).toEqual(paperProfile.arch.variants);
    expect(smallProfile.schedule.triggers).toEqual(paperProfile.schedule.triggers);
    expect(smallProfile.s5.seeds).toHaveLength(paperProfile.s5.seeds.length);
  });
});

describe('rounding-only perturbation', () => {
  it('the small profile is full-batch; the paper profile is not', () => {
    expect(isFullBatch(smallProfile)).toBe(true);
    expect(isFullBatch(paperProfile)).toBe(false);
  });

  it('a minibatch profile keeps its batches and feeds each back to front, on every experiment', () => {
    const r = reorderedProfile(paperProfile);
    const a = mainRunConfig(paperProfile, 97, 0), b = mainRunConfig(r, 97, 0);
    expect(b.batch_order).toBe('reversed');
    expect(a.batch_order).toBeUndefined();
    expect({ ...b, batch_order: undefined }).toEqual({ ...a, batch_order: undefined });
    expect(s5RunConfig(r, 7).batch_order).toBe('reversed');
    // The issue "Enough runs to decide" asks for at least main, arch, ops and s5; the committed twin has them all.
    expect(r.perturbedExperiments).toBeUndefined();
  });

  it('shifts every batch-order seed and nothing else', () => {
    const r = reorderedProfile(smallProfile);
    const a = mainRunConfig(smallProfile, 43, 0), b = mainRunConfig(r, 43, 0);
    expect(b.batch_seed).toBe(a.batch_seed! + REORDER_SEED_OFFSET);
    expect({ ...b, batch_seed: 0 }).toEqual({ ...a, batch_seed: 0 });
    expect(r.forks.cells[0].draws.map((d) => d.batchSeed)).toEqual(smallProfile.forks.cells[0].draws.map((d) => d.batchSeed! + REORDER_SEED_OFFSET));
    // The committed small-reordered records were made with this shift.
    expect(reorderMethod(smallProfile)).toBe('every batch-order seed shifted by 1000');
    expect(r.forks.cells[1].draws).toEqual(smallProfile.forks.cells[1].draws);
  });
});

describe('forks', () => {
  it('inherit the parent config, drop its batch seed unless a draw sets one, and change only the weight decay', () => {
    const parent = mainRunConfig(paperProfile, 53, 42);
    const f = forkRunConfig(parent, 'abcdef0123456789', { step: 1500, weightDecay: 3, stop: { max_steps: 9500, after_grok: 500 } });
    expect(f.fork).toEqual({ parent: 'abcdef0123456789', step: 1500 });
    expect(f.batch_seed).toBeUndefined();
    expect(f.optimizer).toEqual({ ...parent.optimizer, weight_decay: 3 });
    expect(forkRunConfig(parent, 'abcdef0123456789', { step: 1500, weightDecay: 3, stop: { max_steps: 9500 }, batchSeed: 4 }).batch_seed).toBe(4);
  });
});

describe('shared runs', () => {
  it("the schedule's constant-lambda runs are the main runs of the same seeds in both profiles (trained once)", () => {
    for (const profile of [paperProfile, smallProfile])
      for (const seed of profile.schedule.seeds) expect(scheduleRunConfig(profile, seed, null, null)).toEqual(mainRunConfig(profile, profile.schedule.p, seed));
  });
});
