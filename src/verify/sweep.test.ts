import { describe, expect, it } from 'vitest';
import type { Verdict } from '../paper/claim.js';
import type { SweepEntry } from '../report/inputs.js';
import { describeThresholdRange, summariseSweep } from './sweep.js';

const THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
const line = (family: string, verdicts: Verdict[], resolution = 100, set = 'paper'): SweepEntry[] =>
  verdicts.map((verdict, i) => ({ set, configurations: null, rule: `${family}:${THRESHOLDS[i]}`, family, threshold: THRESHOLDS[i], resolution, verdict, figure: {} }));
const R = 'reproduced', D = 'direction only', N = 'not reproduced';

describe('the evidence sweep in words', () => {
  it('names the range over which each verdict holds', () => {
    expect(describeThresholdRange(line('threshold', [R, R, R, N, N, N, N, N, N, N]))).toBe('reproduced for thresholds <= 0.60, not reproduced from 0.65');
    expect(describeThresholdRange(line('threshold', [R, R, R, D, D, D, N, N, N, N]))).toBe('reproduced for thresholds <= 0.60, direction only for 0.65-0.75, not reproduced from 0.80');
    expect(describeThresholdRange(line('threshold', [R, D, D, D, D, D, D, D, D, N]))).toBe('reproduced at 0.50, direction only for 0.55-0.90, not reproduced at 0.95');
    expect(describeThresholdRange(line('threshold', Array<Verdict>(10).fill(N)))).toBe('not reproduced at every threshold 0.50-0.95');
    expect(describeThresholdRange([{ set: 'paper', configurations: null, rule: 'plateau:0.05', family: 'plateau:0.05', threshold: null, resolution: 100, verdict: N, figure: {} }])).toBe('not reproduced');
  });

  it('marks a verdict rule-robust only when every point agrees, and reads its range around the canonical threshold', () => {
    const entries = [...line('threshold', [R, R, R, D, D, D, N, N, N, N]), ...line('threshold', Array<Verdict>(10).fill(N), 500)];
    const s = summariseSweep(entries, N, 'threshold', 0.8, 'paper');
    expect(s).toMatchObject({ agreeing: 14, points: 20, holds: { lo: 0.8, hi: 0.95 }, mark: 'rule-dependent' });
    expect(s.lines).toEqual([
      { set: 'paper', configurations: null, family: 'threshold', resolution: 100, text: 'reproduced for thresholds <= 0.60, direction only for 0.65-0.75, not reproduced from 0.80' },
      { set: 'paper', configurations: null, family: 'threshold', resolution: 500, text: 'not reproduced at every threshold 0.50-0.95' },
    ]);
    expect(summariseSweep(line('threshold', Array<Verdict>(10).fill(R)), R, 'threshold', 0.8, 'paper')).toMatchObject({ mark: 'rule-robust', holds: { lo: 0.5, hi: 0.95 } });
  });

  it('reads the mark and the range on the canonical set only; another set gets its own lines', () => {
    const entries = [...line('threshold', Array<Verdict>(10).fill(R)), ...line('threshold', [R, R, N, N, N, N, N, N, N, N], 100, 'replicates')];
    const s = summariseSweep(entries, R, 'threshold', 0.8, 'paper');
    expect(s).toMatchObject({ agreeing: 10, points: 10, mark: 'rule-robust', holds: { lo: 0.5, hi: 0.95 } });
    expect(s.lines.map((l) => [l.set, l.text])).toEqual([
      ['paper', 'reproduced at every threshold 0.50-0.95'],
      ['replicates', 'reproduced for thresholds <= 0.55, not reproduced from 0.60'],
    ]);
  });
});
