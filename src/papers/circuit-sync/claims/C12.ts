/**
 * C12 s5: on S_n, FSD_gen syncs (>= 0.50) before grokking on every seed, and the Z_{n!} Fourier control
 * (plain FSD on the answer index, >= 0.80) does not (claims.md "s5"; metrics.md "FSD_gen").
 *
 * The two thresholds are not alike: FSD_gen's chance is 1/(non-trivial irreps) (1/6 on S5), the control's
 * 1/(n!/2) (1/60), and the control must clear the higher bar. So the report adds matched comparisons: both
 * at the same threshold (0.50 and 0.80), and both at the same multiple of their chance level (the control at
 * the threshold whose top participation is as many times its chance as FSD_gen's 0.50 is of its own); and
 * beside each sync step, FSD_gen at initialisation and its Gaussian null (recorded for runs trained since it
 * was added).
 */
import { signTest } from '../../../stats/signTest.js';
import { notEvaluable, signed, verdict, type ClaimTable } from '../../../paper/claim.js';
import { frequencyCount } from '../../../metrics/spectralBasis.js';
import { fsdAltKey } from '../../../schema/sites.js';
import { roleKey } from '../roles.js';
import type { Claim } from './claim.js';
import { metricOptions } from '../metricOptions.js';

/** Partitions of n: the irreducible representations of S_n (metrics.md "FSD_gen"). */
export function partitionCount(n: number): number {
  const ways = new Array<number>(n + 1).fill(0);
  ways[0] = 1;
  for (let part = 1; part <= n; part++) for (let m = part; m <= n; m++) ways[m] += ways[m - part];
  return ways[n];
}

/** FSD = (par - c)/(1 - c) (metrics.md): the threshold whose top participation is `multiple` times chance c. */
export function thresholdAtChanceMultiple(multiple: number, chance: number): number {
  return (multiple * chance - chance) / (1 - chance);
}

export const C12: Claim = {
  id: 'C12',
  name: 's5',
  statement: 'on S5, FSD_gen syncs before grokking on every seed; the Z_120 Fourier control does not',
  paper: '6/6, mean lead +2417, sign p = 0.03; control leads 1/6',
  band: 'FSD_gen leads on every seed and the control on fewer',
  direction: 'FSD_gen leads on a strict majority of seeds and on more seeds than the control',
  experiments: ['s5'],
  evaluate(ctx) {
    const s = ctx.profile.s5;
    const keys = s.seeds.map((seed) => roleKey({ experiment: 's5', n: s.n, seed }));
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const noGen = keys.filter((k) => ctx.run(k).records.every((r) => r.fsd_gen === null));
    if (noGen.length) return notEvaluable(`no FSD_gen recorded in ${noGen.join(', ')}`, ctx.ids(keys));
    const rows = keys.map((key, i) => ({ key, seed: s.seeds[i], gen: ctx.events(key, { series: 'fsd_gen' }), control: ctx.events(key, { series: 'control' }) }));
    const noGrok = rows.filter((r) => r.gen.grok === null);
    if (noGrok.length) return notEvaluable(`never grokked within the cap: ${noGrok.map((r) => r.key).join(', ')}`, ctx.ids(keys));
    const n = rows.length;
    // Matched comparisons (see the header).
    const genThreshold = metricOptions(ctx.run(keys[0]).config).sync_threshold;
    const controlThreshold = 0.8;
    const genChance = 1 / (partitionCount(s.n) - 1);
    const controlChance = 1 / frequencyCount(ctx.run(keys[0]).config.model.classes);
    const multiple = (genChance + genThreshold * (1 - genChance)) / genChance;
    const matchedControl = thresholdAtChanceMultiple(multiple, controlChance);
    const comparisons = [
      { label: `FSD_gen >= ${genThreshold.toFixed(2)} (canonical)`, series: 'fsd_gen' as const, threshold: genThreshold },
      { label: `control >= ${controlThreshold.toFixed(2)} (canonical)`, series: 'control' as const, threshold: controlThreshold },
      { label: `FSD_gen >= ${controlThreshold.toFixed(2)} (the control's threshold)`, series: 'fsd_gen' as const, threshold: controlThreshold },
      { label: `control >= ${genThreshold.toFixed(2)} (FSD_gen's threshold)`, series: 'control' as const, threshold: genThreshold },
      { label: `control >= ${matchedControl.toFixed(3)} (${multiple.toFixed(2)} x its chance, as FSD_gen at ${genThreshold.toFixed(2)})`, series: 'control' as const, threshold: Number(matchedControl.toFixed(4)) },
    ].map((c) => {
      const evs = keys.map((k) => ctx.events(k, { series: c.series, threshold: c.threshold }));
      return { ...c, syncs: evs.map((e) => e.sync), leads: evs.filter((e) => e.lead !== null && e.lead > 0).length };
    });
    const atStep0 = keys.map((k) => ctx.run(k).records.find((r) => r.step === 0) ?? null);
    const nulls = keys.map((k, i) => {
      const sync = rows[i].gen.sync;
      const tested = ctx.run(k).records.filter((r) => r.gaussian_null !== undefined && r.gaussian_null !== null && (sync === null || r.step <= sync)).at(-1);
      return tested?.gaussian_null ? { step: tested.step, mean: tested.gaussian_null.null_mean, q95: tested.gaussian_null.null_q95 } : null;
    });
    const noNull = keys.filter((k) => ctx.run(k).records.every((r) => r.gaussian_null === undefined));
    const f3 = (x: number | null | undefined) => (x === null || x === undefined ? null : Number(x.toFixed(3)));
    const evidence: ClaimTable = {
      title: `FSD_gen beside its baselines (chance: FSD_gen 1/${partitionCount(s.n) - 1}, the Z_${ctx.run(keys[0]).config.model.classes} control 1/${frequencyCount(ctx.run(keys[0]).config.model.classes)})`,
      columns: ['run', 'FSD_gen at step 0', 'control at step 0', 'Gaussian null mean / q95 (step)', 'FSD_gen sync', 'grok'],
      rows: rows.map((r, i) => {
        const control = atStep0[i]?.fsd_alt[fsdAltKey(metricOptions(ctx.run(r.key).config).fsd_site, 'grid')];
        return [
          r.key,
          f3(atStep0[i]?.fsd_gen),
          f3(control?.fsd),
          nulls[i] ? `${f3(nulls[i]!.mean)} / ${f3(nulls[i]!.q95)} (${nulls[i]!.step})` : noNull.includes(r.key) ? 'not recorded (re-run)' : null,
          r.gen.sync === null ? 'never' : r.gen.sync,
          r.gen.grok,
        ];
      }),
    };
    const matched: ClaimTable = {
      title: 'Matched comparisons: which series leads grokking, per threshold',
      columns: ['series and threshold', 'leads on', 'sync steps'],
      rows: comparisons.map((c) => [c.label, `${c.leads}/${n}`, c.syncs.map((x) => (x === null ? 'never' : String(x))).join(', ')]),
    };
    const genLeads = rows.filter((r) => r.gen.lead !== null && r.gen.lead > 0).length;
    const controlLeads = rows.filter((r) => r.control.lead !== null && r.control.lead > 0).length;
    const known = rows.map((r) => r.gen.lead).filter((x): x is number => x !== null);
    const meanLead = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
    const nonzero = rows.filter((r) => r.gen.lead !== 0).length;
    const p = signTest(genLeads, nonzero);
    return {
      verdict: verdict({ reproduced: genLeads === n && controlLeads < n, direction: 2 * genLeads > n && genLeads > controlLeads }),
      reason: `FSD_gen leads on ${genLeads}/${n} seeds, the Z_${rows.length ? ctx.run(keys[0]).config.model.classes : '?'} control on ${controlLeads}/${n}`,
      figure: `${genLeads}/${n}, mean lead ${signed(meanLead)}, sign p = ${p.toPrecision(2)}; control leads ${controlLeads}/${n}`,
      headline: { fsd_gen_leads: genLeads, control_leads: controlLeads, of: n },
      tables: [matched, evidence],
      caveat: `the control must clear ${controlThreshold.toFixed(2)} at chance 1/${frequencyCount(ctx.run(keys[0]).config.model.classes)}, FSD_gen ${genThreshold.toFixed(2)} at chance 1/${partitionCount(s.n) - 1}: the matched comparisons show the contrast at equal footing`,
      data: {
        matched: comparisons.map((c) => ({ label: c.label, series: c.series, threshold: c.threshold, leads: c.leads, syncs: c.syncs })),
        gaussian_null: nulls.map((x) => (x === null ? null : { step: x.step, mean: x.mean, q95: x.q95 })),
        fsd_gen_at_step0: atStep0.map((r) => r?.fsd_gen ?? null),
        fsd_gen_leads: genLeads,
        control_leads: controlLeads,
        seeds: n,
        mean_lead: meanLead,
        sign_p: p,
        runs: rows.map((r) => ({ run: r.key, grok: r.gen.grok, fsd_gen_sync: r.gen.sync, lead: r.gen.lead, control_sync: r.control.sync, control_lead: r.control.lead })),
      },
      runIds: ctx.ids(keys),
      notes: [
        ...(noNull.length ? [`no Gaussian null recorded for ${noNull.join(', ')} (trained before it was added): re-run to see it`] : []),
        ...ctx.eventNotes(keys, { series: 'fsd_gen' }),
      ],
    };
  },
};
