import { describe, expect, it } from 'vitest';
import type { ClaimDefinition, ClaimOutcome, Verdict } from '../paper/claim.js';
import { robustnessOf } from './robustness.js';

const def = (experiments: string[]): ClaimDefinition => ({ id: 'C01', name: 'x', statement: '', paper: '', band: '', direction: '', experiments });
const outcome = (verdict: Verdict, figure = `figure ${verdict}`): ClaimOutcome => ({ verdict, reason: `reason ${verdict}`, figure, data: {}, runIds: [], notes: [] });
const perturbed = (v: Verdict, experiments?: string[], untrained = 0) => ({
  outcomes: new Map([['C01', outcome(v)]]),
  source: 'x',
  untrained: new Map([['C01', untrained]]),
  ...(experiments ? { experiments } : {}),
});

describe('robust, fragile or untested', () => {
  it('is robust when the perturbed re-run agrees and fragile when it does not, naming what it said', () => {
    expect(robustnessOf(def(['main']), outcome('reproduced'), perturbed('reproduced')).mark).toBe('robust');
    const fragile = robustnessOf(def(['main']), outcome('reproduced'), perturbed('direction only'));
    expect(fragile).toEqual({ mark: 'fragile', perturbed_verdict: 'direction only', perturbed_figure: 'figure direction only', note: 'the perturbed re-run gives direction only: figure direction only' });
  });

  it('is untested, and says why, without a re-run, when an experiment was not re-run, or when either side is not evaluable', () => {
    expect(robustnessOf(def(['main']), outcome('reproduced'), null)).toMatchObject({ mark: 'untested', note: 'no perturbed re-run of this profile was found' });
    expect(robustnessOf(def(['main', 'forks']), outcome('reproduced'), perturbed('reproduced', ['main', 'arch']))).toMatchObject({
      mark: 'untested',
      note: 'the perturbed re-run does not include forks',
    });
    expect(robustnessOf(def(['main']), outcome('reproduced'), perturbed('not evaluable', undefined, 2))).toMatchObject({ mark: 'untested', note: '2 of its perturbed runs are not trained' });
    expect(robustnessOf(def(['main']), outcome('not evaluable'), perturbed('reproduced')).mark).toBe('untested');
  });

  it('is fragile when every perturbed run is there and one no longer groks (not evaluable there)', () => {
    expect(robustnessOf(def(['main']), outcome('reproduced'), perturbed('not evaluable'))).toMatchObject({ mark: 'fragile', note: 'the perturbed re-run gives not evaluable: reason not evaluable' });
  });
});
