import { describe, expect, it } from 'vitest';
import { paperProfile } from './profiles.js';
import { syntheticRunSet } from './testing/syntheticSet.js';
import { buildPlots, deltaTPlot, normAtGrokPlot } from './plots.js';

describe('report plots', () => {
  const set = syntheticRunSet({ profile: paperProfile });
  const plots = buildPlots(set);

  it('draws one FSD trajectory per main configuration, the fork plots and one FSD_gen plot per S5 seed', () => {
    const files = plots.map((p) => p.file);
    expect(files.filter((f) => f.startsWith('fsd-main-'))).toHaveLength(9);
    expect(files).toContain('delta-t-vs-inverse-lambda.svg');
    expect(files).toContain('norm-at-grokking.svg');
    expect(files.filter((f) => f.startsWith('fsd-gen-s5-'))).toHaveLength(6);
  });

  it('marks sync and grokking on the trajectory plots', () => {
    const p97 = plots.find((p) => p.file === 'fsd-main-p97-s42.svg')!;
    // main p97 s42 of the synthetic set: sync 2000, grokking 3700.
    expect(p97.svg).toContain('>sync 2000</text>');
    expect(p97.svg).toContain('>grok 3700</text>');
    expect(p97.svg).toContain('>sync 0.80</text>');
  });

  it('leaves out runs that are not complete', () => {
    const partial = buildPlots(syntheticRunSet({ profile: paperProfile, overrides: { 'main/p53/s42': 'missing', 's5/n5/s7': 'failed' } }));
    expect(partial.map((p) => p.file)).not.toContain('fsd-main-p53-s42.svg');
    expect(partial.filter((p) => p.file.startsWith('fsd-gen-'))).toHaveLength(5);
  });

  it('draws the fitted C/lambda line through the origin and one dot per grokked draw', () => {
    const svg = deltaTPlot([{ p: 7, lambda: 1, deltaT: 100 }, { p: 7, lambda: 2, deltaT: 50 }], [{ p: 7, c: 100, means: [{ lambda: 1, deltaT: 100 }, { lambda: 2, deltaT: 50 }] }]).svg;
    expect(svg.match(/<circle /g)).toHaveLength(2 + 1); // two dots and the legend's dot
    expect(svg).toContain('p=7 fit C=100');
    const norms = normAtGrokPlot([{ p: 7, lambda: 1, norm: 20 }, { p: 11, lambda: 2, norm: 21 }]).svg;
    expect(norms).toContain('>p=7</text>');
    expect(norms).toContain('>p=11</text>');
  });
});
