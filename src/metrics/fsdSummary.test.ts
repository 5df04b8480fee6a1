import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTask } from '../tasks/task.js';
import { fourierFsd, fsdTopMFromCounts } from './fsd.js';
import { permutationNull, summariseNull } from './fsdNull.js';
import { fourierRanks } from './fourierRank.js';
import { fsdTopMOfSummary, fsdWithNullTest, summariseFourierFsd, TOP_COUNTS } from './fsdSummary.js';
import { syntheticAdditionUnits } from './testing/syntheticUnits.js';

describe('fsdWithNullTest', () => {
  const p = 11;
  const plan = [2, 2, 2, 5, 2, 3, 2, 2];
  const { activations, labels } = syntheticAdditionUnits(p, plan, 6, [5]);

  it('returns exactly the CLI fields, built from FSD, the ranks and the permutation test', () => {
    const r = fsdWithNullTest(activations, plan.length, labels, p, { replicates: 100, seed: 3 });
    expect(Object.keys(r.json).sort()).toEqual(
      ['fsd', 'top_frequency', 'participation', 'median_rank', 'rank1_fraction', 'p_value', 'null_mean', 'null_q95', 'silent_units'].sort(),
    );
    const fsd = fourierFsd(activations, plan.length, labels, p);
    const ranks = fourierRanks(fsd.power, plan.length, Array.from(fsd.dominant, (d) => d >= 0));
    const test = summariseNull(fsd.fsd, permutationNull(fsd.centred, Array.from(fsd.dominant, (d) => d >= 0), fsd.basis, { replicates: 100, seed: 3 }).values);
    // 6 of the 7 counted units at k = 2, K = 5: (6/7 - 1/5) / (4/5)
    expect(r.json.fsd).toBeCloseTo((6 / 7 - 0.2) / 0.8, 15);
    expect(r.json).toEqual({
      fsd: fsd.fsd,
      top_frequency: 2,
      participation: 6 / 7,
      median_rank: ranks.medianRank,
      rank1_fraction: ranks.rank1Fraction,
      p_value: test.p_value,
      null_mean: test.null_mean,
      null_q95: test.null_q95,
      silent_units: 1,
    });
    expect(r.histogram).toEqual([0, 6 / 7, 0, 0, 1 / 7]);
    expect(r.noSignal).toBe(false);
    expect(r.minAnswerCount).toBe(p);
    expect(r.replicates).toBe(100);
    expect(r.nullKind).toBe('permutation');
  });

  it('uses the Gaussian null when asked, deterministically', () => {
    const a = fsdWithNullTest(activations, plan.length, labels, p, { kind: 'gaussian', replicates: 50, seed: 1 });
    const b = fsdWithNullTest(activations, plan.length, labels, p, { kind: 'gaussian', replicates: 50, seed: 1 });
    expect(a.nullKind).toBe('gaussian');
    expect(a.json).toEqual(b.json);
    expect(a.json.p_value).toBeCloseTo(1 / 51, 15);
  });

  it('reports "no signal" for silent activations', () => {
    const task = makeTask('mod_add', 7);
    const r = fsdWithNullTest(new Float32Array(task.gridSize * 4).fill(0.5), 4, task.labels, 7, { replicates: 20 });
    expect(r.noSignal).toBe(true);
    expect(r.json).toEqual({
      fsd: 0,
      top_frequency: null,
      participation: 0,
      median_rank: null,
      rank1_fraction: 0,
      p_value: 1,
      null_mean: 0,
      null_q95: 0,
      silent_units: 4,
    });
  });

  it('summarises an FSD with the record fields, including the thinnest answer of a subset', () => {
    const rows = Array.from({ length: p * p }, (_, i) => i).filter((i) => i % 3 !== 0);
    const units = plan.length;
    const sub = new Float64Array(rows.length * units);
    rows.forEach((row, i) => sub.set(activations.subarray(row * units, (row + 1) * units), i * units));
    const s = summariseFourierFsd(fourierFsd(sub, units, Int32Array.from(rows, (r) => labels[r]), p));
    expect(s.min_answer_count).toBeLessThan(p);
    expect(s.min_answer_count).toBeGreaterThan(0);
    expect(s.top_frequency).toBe(2);
  });
});

describe('fsdTopMOfSummary', () => {
  it('re-derives FSD and FSD_m (m <= TOP_COUNTS) from a record summary exactly as from the full histogram', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 23 }), fc.array(fc.integer({ min: 1, max: 11 }), { minLength: 3, maxLength: 24 }), fc.integer({ min: 0, max: 99 }), (p, plan, seed) => {
        const K = Math.floor(p / 2);
        const { activations, labels } = syntheticAdditionUnits(p, plan.map((k) => 1 + (k % K)), seed, []);
        const result = fourierFsd(activations, plan.length, labels, p);
        const summary = summariseFourierFsd(result);
        expect(summary.top_counts.length).toBe(Math.min(TOP_COUNTS, K));
        expect(fsdTopMOfSummary(summary, 1)).toBe(result.fsd);
        for (let m = 1; m <= Math.min(TOP_COUNTS, K - 1); m++) expect(fsdTopMOfSummary(summary, m)).toBe(fsdTopMFromCounts(result.counts, result.countedUnits, m));
      }),
      { numRuns: 60 },
    );
  });

  it('says null for records written before top_counts, and for an m it does not keep', () => {
    expect(fsdTopMOfSummary({}, 2)).toBeNull();
    expect(fsdTopMOfSummary({ top_counts: [5, 3], counted_units: 8, bins: 5 }, 3)).toBeNull();
    expect(fsdTopMOfSummary({ top_counts: [5, 3], counted_units: 8, bins: 5 }, 2)).toBeCloseTo((1 - 0.4) / 0.6, 15);
  });
});
