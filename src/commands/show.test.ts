import { describe, expect, it } from 'vitest';
import { mainRunConfig, paperProfile } from '../papers/circuit-sync/profiles.js';
import { syntheticRecords } from '../papers/circuit-sync/testing/synthetic.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../testing/tempDir.js';
import { defaultStores } from './runViews.js';
import { describeOutcome, selectRuns } from './show.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';

const config = mainRunConfig(paperProfile, 97, 42);

describe('describeOutcome (grokcheck show / train)', () => {
  it('reports the canonical events the verdict report reads, with the leads', () => {
    const records = syntheticRecords({ endStep: 6000, memStep: 800, syncStep: 2500, grokStep: 4000, baselineSyncStep: 3700 });
    const d = describeOutcome({ records, config }, circuitSyncMeasures);
    expect(d.events).toEqual({
      memorisation: 800, sync: 2500, baseline_sync: 3700, grokking: 4000, destabilised: null, lead: 1500, baseline_lead: 300,
    });
    expect(d.flags).toEqual([]);
    expect(d.trajectory.map((r) => r.step)).toEqual([0, 500, 800, 1000, 1500, 2000, 2500, 3000, 3500, 3700, 4000, 4500, 5000, 5500, 6000]);
  });

  it('marks a post-grokking collapse and an event that lands on a slingshot spike', () => {
    const records = syntheticRecords({ endStep: 6000, memStep: 800, syncStep: 2500, grokStep: 4000, spikes: [2500], collapseFrom: 5000 });
    const d = describeOutcome({ records, config }, circuitSyncMeasures);
    expect(d.events.destabilised).toBe(5000);
    expect(d.flags).toEqual(['sync at 2500 is on a spike checkpoint']);
  });
});

describe('runs: where it looks and in what order', () => {
  it('reads every store under runs/ by default: runs/ itself (train) and runs/<profile> (verify)', () => {
    const root = join(makeTempDir('gc-default-stores-'), 'runs');
    expect(defaultStores(root)).toEqual([]);
    mkdirSync(join(root, 'small'), { recursive: true });
    expect(defaultStores(root)).toEqual([join(root, 'small')]);
    mkdirSync(join(root, '0123456789abcdef'));
    mkdirSync(join(root, 'paper'));
    expect(defaultStores(root)).toEqual([root, join(root, 'paper'), join(root, 'small')]);
    // Another paper's stores are in a folder named by its id (paperPaths.ts), not this paper's.
    mkdirSync(join(root, 'progress-measures', 'paper'), { recursive: true });
    expect(defaultStores(root, ['progress-measures'])).toEqual([root, join(root, 'paper'), join(root, 'small')]);
    expect(defaultStores(join(root, 'progress-measures'))).toEqual([join(root, 'progress-measures', 'paper')]);
  });

  it('sorts experiment keys in natural order (p53 before p101), filters by key prefix, and puts unnamed runs last', () => {
    const view = (id: string, keys: string[], lead: number | null = null) =>
      ({ id, keys, state: 'complete', step: 0, wall_s: 0, engine: null, message: null, config: null, summary: null, events: { memorisation: null, sync: null, grokking: null, lead }, diverged_at: null, problems: [] });
    const views = [view('c', ['main/p101/s42']), view('d', []), view('a', ['main/p53/s42', 'replicates/p53/s42'], 300), view('b', ['forks/p97/l1/d0'], -100)];
    expect(selectRuns(views, { sort: 'key' }).map((v) => v.id)).toEqual(['b', 'a', 'c', 'd']);
    expect(selectRuns(views, { sort: 'key', key: 'main' }).map((v) => v.id)).toEqual(['a', 'c']);
    expect(selectRuns(views, { sort: 'key', key: 'replicates/p53' }).map((v) => v.id)).toEqual(['a']);
    expect(selectRuns(views, { sort: 'lead' }).map((v) => v.id)).toEqual(['b', 'a', 'c', 'd']);
  });
});
