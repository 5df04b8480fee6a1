import { describe, expect, it } from 'vitest';
import { atResolution, detectEvents, parseSpikeRule, parseSyncRule, spikeIndices, type TrajectoryPoint } from './events.js';
import { parseGrokRule } from '../../metrics/accuracyEvents.js';

/** A trajectory from per-checkpoint columns, steps 100, 200, ... */
function trajectory(cols: { train: number[]; val: number[]; fsd: number[]; base?: (number | null)[]; loss?: number[] }): TrajectoryPoint[] {
  return cols.train.map((trainAcc, i) => ({
    step: 100 * (i + 1),
    trainAcc,
    valAcc: cols.val[i],
    trainLoss: cols.loss?.[i] ?? 0.1,
    valLoss: cols.loss?.[i] ?? 1,
    fsd: cols.fsd[i],
    baselineLoss: cols.base?.[i] ?? null,
  }));
}

describe('rule parsing (metrics.md named options)', () => {
  it('parses the sync and grok rules and rejects others', () => {
    expect(parseSyncRule('threshold:0.80')).toEqual({ kind: 'threshold', threshold: 0.8 });
    expect(parseSyncRule('plateau:0.05')).toEqual({ kind: 'plateau', tolerance: 0.05 });
    expect(parseSyncRule('sustained:3')).toEqual({ kind: 'sustained', count: 3 });
    expect(() => parseSyncRule('sustained:2.5')).toThrow(/integer/);
    expect(() => parseSyncRule('threshold:1.5')).toThrow(/\[0, 1\]/);
    expect(() => parseSyncRule('first:0.8')).toThrow(/unknown sync rule/);
    expect(parseSyncRule('sustained:3@0.60')).toEqual({ kind: 'sustained', count: 3, threshold: 0.6 });
    expect(parseSyncRule('skip-spikes')).toEqual({ kind: 'skip-spikes' });
    expect(parseSyncRule('skip-spikes@0.7')).toEqual({ kind: 'skip-spikes', threshold: 0.7 });
    expect(() => parseSyncRule('threshold:0.8@0.7')).toThrow(/unknown sync rule/);
    expect(() => parseSyncRule('skip-spikes@1.2')).toThrow(/\[0, 1\]/);
    expect(parseSpikeRule('drop:0.2')).toEqual({ kind: 'drop', drop: 0.2 });
    expect(parseSpikeRule('train_acc<0.99')).toEqual({ kind: 'below', trainAcc: 0.99 });
    expect(() => parseSpikeRule('loss>3')).toThrow(/unknown spike rule/);
    expect(parseGrokRule('val>=0.99')).toBe(0.99);
    expect(() => parseGrokRule('train>=0.99')).toThrow(/unknown grok rule/);
  });
});

describe('detectEvents (metrics.md "Checkpoint metrics")', () => {
  const base = trajectory({
    //      100   200   300   400   500   600   700   800   900   1000
    train: [0.5, 0.995, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    val: [0.01, 0.02, 0.05, 0.1, 0.4, 0.96, 0.99, 1.0, 1.0, 1.0],
    fsd: [0.1, 0.3, 0.82, 0.78, 0.85, 0.9, 0.91, 0.9, 0.92, 0.9],
    base: [3, 2, 1.5, 1, 0.7, 0.45, 0.3, 0.2, 0.1, 0.1],
  });

  it('finds memorisation, sync, baseline sync, grokking and the leads', () => {
    const e = detectEvents(base);
    expect(e.memorisation).toEqual({ step: 200, index: 1, onSpike: false });
    expect(e.sync?.step).toBe(300);
    expect(e.baselineSync?.step).toBe(600);
    expect(e.grokking?.step).toBe(600);
    expect(e.lead).toBe(300);
    expect(e.baselineLead).toBe(0);
    expect(e.destabilised).toBeNull();
    expect(e.spikes).toEqual([]);
  });

  it('applies the alternative sync and grok rules', () => {
    expect(detectEvents(base, { sync: 'threshold:0.90' }).sync?.step).toBe(600);
    expect(detectEvents(base, { sync: 'threshold:0.70' }).sync?.step).toBe(300);
    // 0.82 at 300 but 0.78 at 400: three in a row first from 500
    expect(detectEvents(base, { sync: 'sustained:3' }).sync?.step).toBe(500);
    // post-grokking level: mean of the last 5 = (0.9 + 0.91 + 0.9 + 0.92 + 0.9)/5 = 0.906; 0.85 at 500 is 0.056
    // away, 0.78 at 400 is 0.126 away; with tolerance 0.01 only the last checkpoint (0.9) is close enough
    expect(detectEvents(base, { sync: 'plateau:0.05' }).sync?.step).toBe(600);
    expect(detectEvents(base, { sync: 'plateau:0.06' }).sync?.step).toBe(500);
    expect(detectEvents(base, { sync: 'plateau:0.01' }).sync?.step).toBe(1000);
    expect(detectEvents(base, { grok: 'val>=0.99' }).grokking?.step).toBe(700);
    expect(detectEvents(base, { grok: 'val>=0.99' }).lead).toBe(400);
  });

  it('gives negative leads when FSD lags and nulls when an event is missing', () => {
    const lag = trajectory({ train: [1, 1, 1], val: [0.5, 0.97, 1], fsd: [0.2, 0.5, 0.81] });
    expect(detectEvents(lag).lead).toBe(-100);
    const never = trajectory({ train: [0.2, 0.3], val: [0.1, 0.1], fsd: [0.9, 0.95] });
    const e = detectEvents(never);
    expect(e.grokking).toBeNull();
    expect(e.memorisation).toBeNull();
    expect(e.lead).toBeNull();
    expect(e.baselineSync).toBeNull();
    // plateau needs a post-grokking level
    expect(detectEvents(never, { sync: 'plateau:0.05' }).sync).toBeNull();
  });

  it('flags spikes and the events that fall on them', () => {
    const t = trajectory({
      train: [1, 1, 0.7, 1, 0.75, 0.5],
      val: [0.3, 0.5, 0.6, 0.7, 0.96, 0.96],
      fsd: [0.5, 0.5, 0.81, 0.6, 0.7, 0.9],
    });
    // drops of 0.3 (index 2), 0.25 (index 4) and 0.25 (index 5) are all more than 0.2
    expect(spikeIndices(t)).toEqual([2, 4, 5]);
    const e = detectEvents(t);
    expect(e.spikes).toEqual([300, 500, 600]);
    expect(e.sync).toEqual({ step: 300, index: 2, onSpike: true });
    expect(e.grokking).toEqual({ step: 500, index: 4, onSpike: true });
    // a drop of exactly 0.2 is not a spike
    expect(spikeIndices(trajectory({ train: [0.9, 0.7], val: [0, 0], fsd: [0, 0] }))).toEqual([]);
  });

  it('skips spike checkpoints and the one after each under skip-spikes', () => {
    const t = trajectory({
      train: [1, 0.7, 1, 1, 1, 1],
      val: [0.1, 0.1, 0.2, 0.3, 0.96, 0.97],
      fsd: [0.5, 0.85, 0.9, 0.88, 0.9, 0.9],
    });
    // index 1 is a spike (drop 0.3) and index 2 follows it: the first clean checkpoint at >= 0.8 is index 3
    expect(detectEvents(t).sync?.index).toBe(1);
    expect(detectEvents(t, { sync: 'skip-spikes' }).sync?.index).toBe(3);
    expect(detectEvents(t, { sync: 'skip-spikes@0.89' }).sync?.index).toBe(4);
    // sustained:N returns the first checkpoint of the run of N
    expect(detectEvents(t, { sync: 'sustained:2@0.85' }).sync?.index).toBe(1);
    expect(detectEvents(t, { sync: 'sustained:2@0.89' }).sync?.index).toBe(4);
  });

  it('reads train_acc<X spikes only before grokking', () => {
    const t = trajectory({
      train: [0.5, 0.98, 1, 0.9, 1],
      val: [0.1, 0.2, 0.96, 0.97, 0.97],
      fsd: [0, 0, 0, 0, 0],
    });
    expect(spikeIndices(t, { kind: 'below', trainAcc: 0.99 }, 2)).toEqual([0, 1]);
    expect(detectEvents(t, { spike: 'train_acc<0.99' }).spikes).toEqual([100, 200]);
    expect(spikeIndices(t, { kind: 'below', trainAcc: 0.99 }, -1)).toEqual([0, 1, 3]);
  });

  it('calls a run destabilised after 3 post-grokking checkpoints below 0.5, not after a single collapse', () => {
    const single = trajectory({
      train: [1, 1, 1, 0.3, 1, 1, 1],
      val: [0.2, 0.96, 0.97, 0.2, 0.98, 0.98, 0.99],
      fsd: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    });
    expect(detectEvents(single).destabilised).toBeNull();
    const collapse = trajectory({
      train: [1, 1, 1, 0.3, 0.4, 0.3, 0.3],
      val: [0.2, 0.96, 0.4, 0.2, 0.3, 0.6, 0.1],
      fsd: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    });
    expect(detectEvents(collapse).destabilised).toEqual({ step: 300, index: 2, onSpike: false, reason: 'collapse' });
    // low validation accuracy before grokking is not destabilisation
    const early = trajectory({ train: [1, 1, 1, 1], val: [0.1, 0.1, 0.1, 0.2], fsd: [0, 0, 0, 0] });
    expect(detectEvents(early).destabilised).toBeNull();
  });

  it('calls a run destabilised at its first non-finite loss', () => {
    const t = trajectory({ train: [1, 1, 1], val: [0.96, 0.9, 0.1], fsd: [0.9, 0.9, 0.9], loss: [0.1, Infinity, NaN] });
    expect(detectEvents(t).destabilised).toEqual({ step: 200, index: 1, onSpike: false, reason: 'non-finite' });
  });
});

describe('atResolution (metrics.md `resolution`)', () => {
  it('keeps the checkpoints whose step is a multiple of the resolution', () => {
    const t = Array.from({ length: 25 }, (_, i) => ({ step: 100 * i, v: i }));
    expect(atResolution(t, 500).map((p) => p.step)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(atResolution(t, 100)).toHaveLength(25);
    expect(() => atResolution(t, 0)).toThrow(/resolution/);
  });

  it('reads the paper-grid events off 100-step records', () => {
    const t = trajectory({
      train: new Array(10).fill(1),
      val: [0, 0, 0, 0, 0, 0, 0.96, 1, 1, 1],
      fsd: [0, 0, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85],
    });
    // 100-step: sync 300, grok 700, lead 400; 500-step grid keeps steps 500 and 1000: sync 500, grok 1000
    expect(detectEvents(t).lead).toBe(400);
    const coarse = detectEvents(atResolution(t, 500));
    expect(coarse.sync?.step).toBe(500);
    expect(coarse.grokking?.step).toBe(1000);
    expect(coarse.lead).toBe(500);
  });
});
