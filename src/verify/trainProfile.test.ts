import { describe, expect, it } from 'vitest';
import { acquireLock } from '../runs/lock.js';
import { openStore } from '../train/loop.js';
import { mainRunConfig, smallProfile, type ProfileSpec } from '../papers/circuit-sync/profiles.js';
import { circuitProfile } from '../papers/circuit-sync/runSet.js';
import { trainProfile, type RunEvent } from './trainProfile.js';
import { makeTempDir } from '../testing/tempDir.js';
import { webGpuForTests } from '../engine/webgpu/device.js';
import { readFileSync } from 'node:fs';
import { InterruptedError } from '../engine/engine.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`trainProfile's lockstep test skipped: ${reason}`);
gpu?.device.destroy();

/** A profile of tiny runs (Z_7, d_model 8) exercising main runs and both fork experiments. */
const tinySpec: ProfileSpec = {
  ...smallProfile,
  name: 'small',
  zp: {
    model: (p) => ({ vocab: p + 1, classes: p, d_model: 8, n_heads: 2, d_mlp: 16, n_layers: 2, variant: 'standard' }),
    optimizer: { lr: 3e-3 },
    train_frac: 0.5,
    batch_size: 64,
    eval_every: 20,
    permutations: 0,
  },
  main: { runs: [{ p: 7, seed: 1 }], stop: { max_steps: 60 } },
  fork97: { p: 7, seed: 1, lambdas: [1, 2], maxStep: 100 },
  forks: { cells: [{ p: 7, draws: [{ parentSeed: 2, batchSeed: 0 }] }], lambdas: [3], afterGrok: 10, capAfterFork: 40 },
  reference: { p: 7, seed: 1 },
  fallbackForkSteps: { 7: 0 },
};
const tiny = circuitProfile(tinySpec);

describe('trainProfile', () => {
  it('trains parents first, then their forks, and nothing twice', async () => {
    const store = makeTempDir('gc-train-');
    const events: RunEvent[] = [];
    const first = await trainProfile({ measures: circuitSyncMeasures, profile: tiny, storeRoot: store, engine: 'native', engineOptions: { threads: 1 }, experiments: ['fork97', 'forks'], onRun: (e) => events.push(e) });
    expect(first.failures).toEqual([]);
    const done = events.filter((e) => e.kind === 'done').map((e) => e.run.key);
    // The two parents come before any fork (forks are only planned once a parent is trained).
    expect(done.slice(0, 2).sort()).toEqual(['main/p7/s1', 'main/p7/s2']);
    expect(done.slice(2).sort()).toEqual(['fork97/p7/s1/l1', 'fork97/p7/s1/l2', 'forks/p7/l3/d0']);
    expect([...first.set.runs.values()].every((r) => r.state === 'complete')).toBe(true);
    const fork = first.set.runs.get('forks/p7/l3/d0')!;
    const point = first.set.plan.forkPoints.find((f) => f.parentKey === 'main/p7/s2')!;
    expect(fork.config.fork!.step).toBe(point.step);
    expect(fork.records[0].step).toBe(point.step);
    expect(fork.records[0].weight_decay).toBe(3);

    const again = await trainProfile({ measures: circuitSyncMeasures, profile: tiny, storeRoot: store, engine: 'native', engineOptions: { threads: 1 }, experiments: ['fork97', 'forks'] });
    expect(again.trained).toEqual([]);
  }, 120_000);

  it('waits for a run that another process holds, training the others meanwhile', async () => {
    const store = makeTempDir('gc-train-');
    const config = mainRunConfig(tinySpec, 7, 1);
    const runStore = openStore(store);
    const { id } = runStore.ensureRun(config);
    const held = acquireLock(runStore.paths(id).lock);
    const events: RunEvent[] = [];
    let released = false;
    const result = await trainProfile({
      measures: circuitSyncMeasures,
      profile: tiny,
      storeRoot: store,
      engine: 'native',
      engineOptions: { threads: 1 },
      experiments: ['forks', 'main'],
      waitForLocked: true,
      pollMs: 20,
      onRun: (e) => {
        events.push(e);
        // Release once the locked run has been skipped and the other run trained.
        if (e.kind === 'done' && !released) setTimeout(() => ((released = true), held.release()), 50);
      },
    });
    expect(result.failures).toEqual([]);
    const order = events.map((e) => `${e.kind} ${e.run.key}`);
    expect(order.indexOf('waiting main/p7/s1')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('done main/p7/s2')).toBeLessThan(order.indexOf('done main/p7/s1'));
    expect(result.set.runs.get('main/p7/s1')!.state).toBe('complete');
  }, 120_000);

  it('gives up waiting only when no run has finished for the wait limit', async () => {
    const store = makeTempDir('gc-train-');
    const runStore = openStore(store);
    const { id } = runStore.ensureRun(mainRunConfig(tinySpec, 7, 1));
    const held = acquireLock(runStore.paths(id).lock);
    try {
      // main/p7/s2 trains (progress), then only the held run is left: the limit counts from that progress on.
      const started = Date.now();
      await expect(
        trainProfile({ measures: circuitSyncMeasures, profile: tiny, storeRoot: store, engine: 'native', engineOptions: { threads: 1 }, experiments: ['forks', 'main'], waitForLocked: true, pollMs: 20, waitLimitMs: 300 }),
      ).rejects.toThrow(/none finished in 0 minutes/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(runStore.readStatus(runStore.identify(mainRunConfig(tinySpec, 7, 2)).id)?.state).toBe('complete');
    } finally {
      held.release();
    }
  }, 120_000);

  it('without waiting, a locked run is a failure that names the holder', async () => {
    const store = makeTempDir('gc-train-');
    const runStore = openStore(store);
    const { id } = runStore.ensureRun(mainRunConfig(tinySpec, 7, 1));
    const held = acquireLock(runStore.paths(id).lock);
    try {
      const result = await trainProfile({ measures: circuitSyncMeasures, profile: tiny, storeRoot: store, engine: 'native', engineOptions: { threads: 1 }, experiments: ['main'] });
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0].message).toContain(String(process.pid));
    } finally {
      held.release();
    }
  }, 120_000);

  it('an interrupted run ends the profile there: it is not a failure and no other run starts', async () => {
    const store = makeTempDir('gc-train-');
    const events: RunEvent[] = [];
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = new Map(signals.map((s) => [s, process.listeners(s)]));
    const interrupting = {
      step() {
        throw new InterruptedError('SIGTERM');
      },
      checkpoint() {},
      notice() {},
    };
    try {
      await expect(
        trainProfile({ measures: circuitSyncMeasures, profile: tiny, storeRoot: store, engine: 'native', engineOptions: { threads: 1 }, experiments: ['forks', 'main'], progress: () => interrupting, onRun: (e) => events.push(e) }),
      ).rejects.toThrow(InterruptedError);
    } finally {
      // An interrupted run keeps its signal handlers for the signal that is on its way (train/loop.ts); none comes here.
      for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.includes(l)) process.off(s, l);
    }
    expect(events.map((e) => e.kind)).toEqual(['start']);
    const runStore = openStore(store);
    const id = events[0].run.id;
    expect(runStore.readStatus(id)?.state).not.toBe('failed');
  }, 60_000);

  it.skipIf(!gpu)('on webgpu in lockstep groups: parents together, then their forks together, with the records of one run at a time', async () => {
    const grouped = makeTempDir('gc-train-group-');
    const events: RunEvent[] = [];
    const together = await trainProfile({ measures: circuitSyncMeasures, profile: tiny, storeRoot: grouped, engine: 'webgpu', experiments: ['fork97', 'forks'], groupSize: 4, onRun: (e) => events.push(e) });
    expect(together.failures).toEqual([]);
    const order = events.map((e) => `${e.kind} ${e.run.key}`);
    // Both parents start before either finishes; so do the three forks.
    expect(order.slice(0, 2).sort()).toEqual(['start main/p7/s1', 'start main/p7/s2']);
    expect(order.slice(4, 7).every((e) => e.startsWith('start '))).toBe(true);
    const single = makeTempDir('gc-train-single-');
    const alone = await trainProfile({ measures: circuitSyncMeasures, profile: tiny, storeRoot: single, engine: 'webgpu', experiments: ['fork97', 'forks'] });
    expect(alone.failures).toEqual([]);
    const records = (store: string, id: string) => readFileSync(openStore(store).paths(id).records, 'utf8');
    expect(together.set.runs.size).toBe(5);
    for (const [key, run] of together.set.runs) expect(records(grouped, run.id), key).toBe(records(single, alone.set.runs.get(key)!.id));
  }, 600_000);
});
