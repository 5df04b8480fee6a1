/** Circuit-sync's run-config `metrics` block: its defaults by run, its checks, and one id per experiment. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../schema/parse.js';
import { runIdOf } from '../../schema/runConfig.js';
import { completeRunConfig } from '../../train/measures.js';
import { circuitSyncMeasures } from './measure.js';
import { circuitSyncRunConfig, completeMetricOptions, GROUP_SYNC_THRESHOLD, metricOptions, SYNC_THRESHOLD } from './metricOptions.js';
import { mainRunConfig, paperProfile, s5RunConfig, archRunConfig } from './profiles.js';

const zp = mainRunConfig(paperProfile, 97, 42);

describe('circuit-sync metric options', () => {
  it('fill the defaults by run: the canonical site and threshold for Z_p, block-0 attention for attn_only, FSD_gen\'s threshold for S_n', () => {
    expect(metricOptions(zp)).toEqual({ fsd_site: 'block0.mlp.post', sync_threshold: SYNC_THRESHOLD, key_frequencies: 7, permutations: 1000 });
    expect(metricOptions(archRunConfig(paperProfile, '2l-attn_only')).fsd_site).toBe('block0.attn.out');
    expect(metricOptions({ ...s5RunConfig(paperProfile, 1), metrics: {} }).sync_threshold).toBe(GROUP_SYNC_THRESHOLD);
  });

  it('completing is idempotent, so a stored run keeps its id, and a bare block names the same run as a spelled-out one', () => {
    expect(completeMetricOptions(zp)).toEqual(zp.metrics);
    const bare = { ...zp, metrics: {} };
    expect(runIdOf(bare)).not.toBe(runIdOf(zp));
    expect(runIdOf(completeRunConfig(circuitSyncMeasures, bare))).toBe(runIdOf(zp));
  });

  it('refuse, naming the field, an unknown key, a value out of range, a site the model lacks, and p < 5', () => {
    const bad = (metrics: Record<string, unknown>, config = zp) => () => completeMetricOptions({ ...config, metrics });
    expect(bad({ sync_treshold: 0.5 })).toThrow(/metrics: Unrecognized key.*sync_treshold/s);
    expect(bad({ sync_threshold: 1.5 })).toThrow(/metrics\.sync_threshold/);
    expect(bad({ fsd_site: 'block1.mlp.post' }, archRunConfig(paperProfile, '1l-standard'))).toThrow(ConfigError);
    expect(bad({ fsd_site: 'block1.mlp.post' }, archRunConfig(paperProfile, '1l-standard'))).toThrow(/metrics\.fsd_site: a 1-layer standard model has no block1\.mlp\.post/);
    expect(() => circuitSyncRunConfig({ ...zp, task: { ...zp.task, n: 3 }, model: { ...zp.model, vocab: 4, classes: 3 } })).toThrow(/p >= 5/);
  });
});

describe('the schedule trigger of a run', () => {
  it('is mem, step:N or one the paper defines (circuit-sync: fsd); another name is refused before anything is trained', () => {
    const scheduled = (trigger: string) => ({ ...zp, schedule: { lambda_high: 5, trigger } });
    for (const trigger of ['mem', 'step:500', 'fsd']) expect(completeRunConfig(circuitSyncMeasures, scheduled(trigger)).schedule?.trigger).toBe(trigger);
    expect(() => completeRunConfig(circuitSyncMeasures, scheduled('sync'))).toThrow(/schedule\.trigger: 'sync' is neither mem, step:N nor a trigger of this paper \(fsd\)/);
  });
});
