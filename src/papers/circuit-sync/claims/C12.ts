/**
 * C12 s5: on S_n, FSD_gen syncs (>= 0.50) before grokking on every seed, and the Z_{n!} Fourier control
 * (plain FSD on the answer index, >= 0.80) does not (claims.md "s5"; metrics.md "FSD_gen").
 */
import { signTest } from '../../../stats/signTest.js';
import { notEvaluable, signed, verdict } from '../../../paper/claim.js';
import { roleKey } from '../roles.js';
import type { Claim } from './claim.js';

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
      data: {
        fsd_gen_leads: genLeads,
        control_leads: controlLeads,
        seeds: n,
        mean_lead: meanLead,
        sign_p: p,
        runs: rows.map((r) => ({ run: r.key, grok: r.gen.grok, fsd_gen_sync: r.gen.sync, lead: r.gen.lead, control_sync: r.control.sync, control_lead: r.control.lead })),
      },
      runIds: ctx.ids(keys),
      notes: [...ctx.eventNotes(keys, { series: 'fsd_gen' })],
    };
  },
};
