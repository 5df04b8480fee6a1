/** C04 beats-baseline: FSD syncs before the restricted-logit baseline in every main configuration (claims.md; paper 9/9). */
import { notEvaluable, signed, testedVerdict, verdict } from '../../../paper/claim.js';
import type { Claim } from './claim.js';
import { ALPHA, directionTest, directionWords, isMajority, leadTable, mainLeads } from './mainLeads.js';

export const C04: Claim = {
  id: 'C04',
  name: 'beats-baseline',
  statement: 'FSD sync precedes the restricted-logit baseline sync in every main configuration',
  paper: '9/9; baseline mean lead -167',
  band: 'FSD first in every main configuration',
  direction: `FSD first in more configurations than chance allows: a one-sided sign test at ${ALPHA} (FSD never synced counts as the baseline first, ties dropped; verdict.rule=majority: a strict majority)`,
  experiments: ['main'],
  evidence: ['replicates'],
  evaluate(ctx) {
    const got = mainLeads(ctx);
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const noBaseline = got.keys.filter((k) => ctx.run(k).records.every((r) => r.restricted_logit_loss === null));
    if (noBaseline.length) return notEvaluable(`no restricted-logit loss recorded in ${noBaseline.join(', ')}`, ctx.ids(got.keys));
    // FSD precedes when it syncs and the baseline syncs later or never.
    const precedes = got.leads.filter((l) => l.sync !== null && (l.baselineSync === null || l.sync < l.baselineSync));
    const n = got.leads.length, k = precedes.length;
    const baselineLeads = got.leads.filter((l) => l.baselineSync !== null).map((l) => l.grok - l.baselineSync!);
    const meanBaselineLead = baselineLeads.length ? baselineLeads.reduce((a, b) => a + b, 0) / baselineLeads.length : null;
    // Against: the baseline syncs first, or FSD never syncs; ties (both at one step) are left out.
    const against = got.leads.filter((l) => l.baselineSync !== null && (l.sync === null || l.baselineSync < l.sync)).length;
    const test = directionTest(k, against);
    const tested = ctx.options.verdictRule === 'tested';
    return {
      verdict: tested ? testedVerdict({ supported: test.supported, opposite: test.opposite, inBand: k === n }) : verdict({ reproduced: k === n, direction: isMajority(k, n) }),
      reason: `FSD syncs before the baseline in ${k} of ${n} main configurations${tested ? `; ${directionWords(test, 'FSD first')}` : ''}`,
      figure: `${k}/${n}; baseline mean lead ${signed(meanBaselineLead)}${baselineLeads.length < n ? ` (baseline never synced in ${n - baselineLeads.length})` : ''}`,
      data: { fsd_first: k, baseline_first: against, configurations: n, baseline_mean_lead: meanBaselineLead, leads: leadTable(got.leads), p_fsd_first: test.p, p_baseline_first: test.pOpposite },
      headline: { fsd_first: k, of: n, p_fsd_first: test.p, p_baseline_first: test.pOpposite },
      configurations: got.leads.length,
      runIds: ctx.ids(got.keys),
      notes: ctx.eventNotes(got.keys),
    };
  },
};
