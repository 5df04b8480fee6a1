import { describe, expect, it } from 'vitest';
import { renderPlot } from '../../report/plotRender.js';
import { evaluatePaper } from '../../verify/evaluate.js';
import { CLAIM_IDS } from './claims/index.js';
import { circuitSync } from './index.js';
import { paperProfile } from './profiles.js';
import { syntheticRunSet } from './testing/syntheticSet.js';
import { buildPlots, deltaTPlot, normAtGrokPlot } from './plots.js';

describe('report plots', () => {
  const set = syntheticRunSet({ profile: paperProfile });
  const plots = buildPlots(set);

  it('draws the aligned FSD and FSD-at-grokking plots, one trajectory per main configuration, the fork plots and one FSD_gen plot per S5 seed', () => {
    const files = plots.map((p) => p.file);
    expect(files).toContain('fsd-aligned-at-grokking');
    expect(files).toContain('fsd-at-grokking');
    expect(files.filter((f) => f.startsWith('fsd-main-'))).toHaveLength(9);
    expect(files).toContain('delta-t-vs-inverse-lambda');
    expect(files).toContain('norm-at-grokking');
    expect(files.filter((f) => f.startsWith('fsd-gen-s5-'))).toHaveLength(6);
    // Without sweep evidence there is no leads-vs-threshold plot.
    expect(files).not.toContain('leads-vs-threshold');
  });

  it('marks sync and grokking in a legend of the trajectory plots, not on the plot area', async () => {
    const p97 = plots.find((p) => p.file === 'fsd-main-p97-s42')!;
    // main p97 s42 of the synthetic set: sync 2000, grokking 3700.
    const svg = (await renderPlot(p97)).svg;
    expect(svg).toContain('FSD sync at 2000');
    expect(svg).toContain('grokking at 3700');
    expect(svg).toContain('sync threshold 0.80');
    expect(svg).toContain('grokking: validation accuracy 0.95');
  });

  it('aligns every main run at its grokking step', () => {
    const aligned = plots.find((p) => p.file === 'fsd-aligned-at-grokking')!;
    const p97 = aligned.rows.filter((r) => r.run === 'main/p97/s42');
    const record = set.runs.get('main/p97/s42')!.records.find((r) => r.step === 3700)!;
    expect(p97.find((r) => r.steps_from_grokking === 0)?.fsd).toBe(record.fsd);
  });

  it('plots positive leads and the sign test against the threshold, one line per rule and resolution', () => {
    const { results } = evaluatePaper(circuitSync, set, CLAIM_IDS);
    const sweep = new Map(results.filter((r) => r.sweep).map((r) => [r.definition.id, r.sweep!.entries]));
    const leads = buildPlots(set, { sweep }).find((p) => p.file === 'leads-vs-threshold')!;
    const rules = new Set(leads.rows.map((r) => `${r.rule}@${r.resolution}`));
    expect(rules.size).toBe(4 * 2);
    const at = leads.rows.find((r) => r.rule === 'threshold' && r.threshold === 0.8 && r.resolution === '@100')!;
    expect(at).toMatchObject({ positive: 9, of: 9 });
    expect(at.sign_p).toBeCloseTo(0.00390625, 10);
    // The threshold-free plateau rule is a flat line over every threshold.
    expect(leads.rows.filter((r) => r.rule === 'plateau:0.05 (no threshold)' && r.resolution === '@100')).toHaveLength(10);
    // @100 and @500 differ in their legend mark, not only in dashes (a line with points shows its point there).
    const panels = (leads.spec as { vconcat: { encoding?: Record<string, { field?: string }> }[] }).vconcat;
    expect(panels[0].encoding?.shape?.field).toBe('resolution');
    expect(panels[0].encoding?.strokeDash?.field).toBe('resolution');
    // The replicates get a plot of their own (25 configurations), the same lines.
    const all = buildPlots(set, { sweep }).find((p) => p.file === 'leads-vs-threshold-replicates')!;
    expect(new Set(all.rows.map((r) => `${r.rule}@${r.resolution}`)).size).toBe(4 * 2);
    expect(all.rows.find((r) => r.rule === 'threshold' && r.threshold === 0.8 && r.resolution === '@100')).toMatchObject({ positive: 25, of: 25 });
  });

  it('leaves out runs that are not complete', () => {
    const partial = buildPlots(syntheticRunSet({ profile: paperProfile, overrides: { 'main/p53/s42': 'missing', 's5/n5/s7': 'failed' } }));
    expect(partial.map((p) => p.file)).not.toContain('fsd-main-p53-s42');
    expect(partial.filter((p) => p.file.startsWith('fsd-gen-'))).toHaveLength(5);
  });

  it('draws the fitted C/lambda line through the origin, one dot per grokked draw, draws at one lambda apart', async () => {
    const plot = deltaTPlot(
      [
        { p: 7, lambda: 1, deltaT: 100, draw: 'd0' },
        { p: 7, lambda: 1, deltaT: 110, draw: 'd1' },
        { p: 7, lambda: 2, deltaT: 50, draw: 'd0' },
      ],
      [{ p: 7, c: 100, means: [{ lambda: 1, deltaT: 105 }, { lambda: 2, deltaT: 50 }] }],
    );
    const draws = plot.rows.filter((r) => r.kind === 'draw');
    expect(draws).toHaveLength(3);
    expect(draws[0].inverse_lambda).not.toBe(draws[1].inverse_lambda);
    const fit = plot.rows.filter((r) => r.kind === 'fit');
    expect(fit.find((r) => r.inverse_lambda === 0)?.delta_t).toBe(0);
    expect(fit.find((r) => r.inverse_lambda === 1)?.delta_t).toBe(100);
    expect((await renderPlot(plot)).svg).toMatch(/^<svg /);
    const norms = await renderPlot(normAtGrokPlot([{ p: 7, lambda: 1, norm: 20 }, { p: 11, lambda: 2, norm: 21 }]));
    expect(norms.svg).toContain('>11</text>');
    expect(norms.csv.split('\n')[0]).toBe('prime,lambda,lambda_jittered,norm,draw');
  });
});
