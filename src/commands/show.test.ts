import { describe, expect, it } from 'vitest';
import { mainRunConfig, paperProfile } from '../papers/circuit-sync/profiles.js';
import { syntheticRecords } from '../papers/circuit-sync/testing/synthetic.js';
import { describeOutcome } from './show.js';

const config = mainRunConfig(paperProfile, 97, 42);

describe('describeOutcome (grokcheck show / train)', () => {
  it('reports the canonical events the verdict report reads, with the leads', () => {
    const records = syntheticRecords({ endStep: 6000, memStep: 800, syncStep: 2500, grokStep: 4000, baselineSyncStep: 3700 });
    const d = describeOutcome({ records, config });
    expect(d.events).toEqual({
      memorisation: 800, sync: 2500, baseline_sync: 3700, grokking: 4000, destabilised: null, lead: 1500, baseline_lead: 300,
    });
    expect(d.flags).toEqual([]);
    expect(d.trajectory.map((r) => r.step)).toEqual([0, 500, 800, 1000, 1500, 2000, 2500, 3000, 3500, 3700, 4000, 4500, 5000, 5500, 6000]);
  });

  it('marks a post-grokking collapse and an event that lands on a slingshot spike', () => {
    const records = syntheticRecords({ endStep: 6000, memStep: 800, syncStep: 2500, grokStep: 4000, spikes: [2500], collapseFrom: 5000 });
    const d = describeOutcome({ records, config });
    expect(d.events.destabilised).toBe(5000);
    expect(d.flags).toEqual(['sync at 2500 is on a spike checkpoint']);
  });
});
