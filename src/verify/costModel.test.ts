import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { accuracyEventSteps } from '../metrics/accuracyEvents.js';
import { webGpuForTests } from '../engine/webgpu/device.js';
import { mainRunConfig, tinyProfile } from '../papers/circuit-sync/profiles.js';
import { expectedLength, grokHistoryKey, noteGrok, SecondsCalibration, type GrokHistory } from './costModel.js';
import { readExportedRuns } from './recordsExport.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';
import { circuitSyncRecordLayout } from '../papers/circuit-sync/record.js';

const SMALL_RECORDS = join(fileURLToPath(new URL('../../', import.meta.url)), 'fixtures', 'records', 'small');

describe('expectedLength: where a run is expected to stop', () => {
  const committed = [...readExportedRuns(SMALL_RECORDS, circuitSyncRecordLayout).runs.values()];
  // A root run (no fork) with a grok + N stop rule that grokked well before its cap.
  const run = committed.find((r) => !r.config.fork && r.config.stop.after_grok !== undefined && accuracyEventSteps(r.records).grok !== null)!;
  const { config, records } = run;
  const grok = accuracyEventSteps(records).grok!;
  const after = config.stop.after_grok!;

  it('not started and unknown anywhere: half the cap + N, said to be a prior', () => {
    expect(expectedLength(config)).toEqual({ steps: config.stop.max_steps / 2 + after, stop: config.stop.max_steps / 2 + after, basis: 'prior' });
  });

  it("not started but in the committed records: its grokking step there + N, not the prior", () => {
    expect(grok + after).toBeLessThan(config.stop.max_steps / 2 + after);
    expect(expectedLength(config, [], new Map(), records)).toEqual({ steps: grok + after, stop: grok + after, basis: 'committed' });
  });

  it('committed records that never grokked: where they end (a run that reached its cap there will here)', () => {
    const early = records.filter((r) => r.step < grok);
    expect(expectedLength(config, [], new Map(), early)).toEqual({ steps: early.at(-1)!.step, stop: early.at(-1)!.step, basis: 'committed' });
  });

  it('not in the committed records: the median grokking step of similar runs + N, before the prior', () => {
    const history: GrokHistory = new Map([[grokHistoryKey(config), [400, 600, 2000]]]);
    expect(expectedLength(config, [], history)).toEqual({ steps: 600 + after, stop: 600 + after, basis: 'median' });
  });

  it("a run from initialisation is not estimated from forks' steps to grokking, nor a fork from such runs", () => {
    const history: GrokHistory = new Map();
    const fork = { ...config, fork: { parent: '0123456789abcdef', step: 1000 } };
    noteGrok(history, fork, records.map((r) => ({ ...r, step: r.step + 1000 })));
    expect(expectedLength(config, [], history).basis).toBe('prior');
    expect(expectedLength(fork, [], history)).toEqual({ steps: grok + after, stop: 1000 + grok + after, basis: 'median' });
    noteGrok(history, config, records);
    expect(expectedLength(config, [], history)).toEqual({ steps: grok + after, stop: grok + after, basis: 'median' });
  });

  it('its own records win once it has grokked, and what it has trained is not counted again', () => {
    const trained = records.filter((r) => r.step <= grok);
    const shifted = records.map((r) => ({ ...r, step: r.step + 1000 }));
    expect(expectedLength(config, trained, new Map(), shifted)).toEqual({ steps: after, stop: grok + after, basis: 'grokked' });
    // Started but not yet grokked: the committed grokking step, less the steps already trained.
    const begun = records.filter((r) => r.step <= 100);
    expect(expectedLength(config, begun, new Map(), records)).toEqual({ steps: grok + after - 100, stop: grok + after, basis: 'committed' });
  });
});

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`WebGPU cost-model test skipped: ${reason}`);
gpu?.device.destroy();

describe('SecondsCalibration: one timing per shape', () => {
  const config = mainRunConfig(tinyProfile, tinyProfile.main.runs[0].p, tinyProfile.main.runs[0].seed);
  const finite = (c: { step: number; checkpoint: number; null: number }) =>
    expect(Number.isFinite(c.step) && c.step > 0 && Number.isFinite(c.checkpoint) && c.checkpoint > 0 && c.null >= 0).toBe(true);

  it('on a CPU engine: each run trains alone, so the peers a run has change nothing', async () => {
    const calibration = new SecondsCalibration('native', circuitSyncMeasures, { threads: 1 });
    const alone = await calibration.price(config);
    finite(alone);
    expect(await calibration.price(config, 8)).toBe(alone);
  });

  it.skipIf(!gpu)('on webgpu: a lockstep group of the shape is timed, each member charged its share, once per group size', async () => {
    const calibration = new SecondsCalibration('webgpu', circuitSyncMeasures);
    const alone = await calibration.price(config, 1);
    const grouped = await calibration.price(config, 3);
    finite(alone);
    finite(grouped);
    expect(grouped).not.toBe(alone);
    expect(await calibration.price(config, 3)).toBe(grouped);
  }, 120_000);
});
