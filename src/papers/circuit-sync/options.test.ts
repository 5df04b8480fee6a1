import { describe, expect, it } from 'vitest';
import { CANONICAL_OPTIONS, optionsOf, optionVariants, SWEEP_THRESHOLDS, sweepPoints } from './options.js';

describe('analysis options (metrics.md "Named options")', () => {
  it('reads single and combined variants by their metrics.md names', () => {
    expect(optionsOf(undefined)).toEqual(CANONICAL_OPTIONS);
    expect(optionsOf('sync.rule=skip-spikes@0.60')).toEqual({ ...CANONICAL_OPTIONS, syncRule: 'skip-spikes@0.60' });
    expect(optionsOf('sync.rule=sustained:3@0.70,resolution=coarse')).toEqual({ ...CANONICAL_OPTIONS, syncRule: 'sustained:3@0.70', resolution: 'coarse' });
    expect(optionsOf('spike.rule=train_acc<0.99').spikeRule).toBe('train_acc<0.99');
    expect(optionsOf('norm.rule=no-trend').normRule).toBe('no-trend');
    expect(optionsOf('fsd.basis=multiplicative').fsdBasis).toBe('multiplicative');
  });

  it('says what is wrong with a bad variant', () => {
    expect(() => optionsOf('sync.rul=threshold:0.5')).toThrow(/'sync.rul=threshold:0.5' is not name=value with a name among fsd.site, /);
    expect(() => optionsOf('grok.rule=val>=0.9')).toThrow(/grok.rule is one of val>=0.95, val>=0.99, not 'val>=0.9'/);
    expect(() => optionsOf('sync.rule=threshold:1.2')).toThrow(/\[0, 1\]/);
    expect(() => optionsOf('resolution')).toThrow(/not name=value/);
  });

  it('lists every single-option alternative once, each readable back', () => {
    const labels = optionVariants().map((v) => v.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const v of optionVariants()) expect(optionsOf(v.label)).toEqual(v.options);
    expect(labels).toEqual(expect.arrayContaining(['sync.rule=skip-spikes', 'spike.rule=train_acc<0.99', 'norm.rule=no-trend', 'fsd.basis=multiplicative']));
  });

  it('sweeps three thresholded rules over 0.50..0.95 and plateau, at both resolutions', () => {
    expect(SWEEP_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    const points = sweepPoints();
    expect(points).toHaveLength(2 * (3 * 10 + 1));
    for (const p of points) expect(() => optionsOf(p.variant)).not.toThrow();
    expect(points.find((p) => p.rule === 'threshold:0.80' && p.resolution === 'fine')!.variant).toBe('sync.rule=threshold:0.80');
    expect(points.find((p) => p.rule === 'skip-spikes@0.60' && p.resolution === 'coarse')!.variant).toBe('sync.rule=skip-spikes@0.60,resolution=coarse');
  });
});
