/** C01 fsd-leads: FSD sync precedes grokking in every main configuration (claims.md; paper 9/9). */
import { notEvaluable, testedVerdict, verdict } from '../../../paper/claim.js';
import type { Claim } from './claim.js';
import { ALPHA, baselinesTable, directionWords, fsdAtGrokRange, isMajority, leadDirection, leadTable, mainLeads, range } from './mainLeads.js';

export const C01: Claim = {
  id: 'C01',
  name: 'fsd-leads',
  statement: 'FSD sync precedes grokking in every main configuration',
  paper: '9/9, leads +500..+3000',
  band: 'every main configuration has a positive lead',
  direction: `FSD leads in more configurations than chance allows: a one-sided sign test at ${ALPHA} (never-synced configurations count as lagging, zero leads are ties; verdict.rule=majority: a strict majority)`,
  experiments: ['main'],
  evidence: ['replicates'],
  evaluate(ctx) {
    const got = mainLeads(ctx);
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const { leads } = got;
    const n = leads.length, k = leads.filter((l) => l.leads).length;
    const known = leads.map((l) => l.lead).filter((x): x is number => x !== null);
    const neverSynced = leads.filter((l) => l.sync === null).map((l) => l.key);
    const test = leadDirection(leads);
    const tested = ctx.options.verdictRule === 'tested';
    return {
      verdict: tested ? testedVerdict({ supported: test.supported, opposite: test.opposite, inBand: k === n }) : verdict({ reproduced: k === n, direction: isMajority(k, n) }),
      reason: `${k} of ${n} main configurations sync before grokking${tested ? `; ${directionWords(test, 'FSD leading')}` : ''}`,
      figure: `${k}/${n} positive; leads ${range(known)}${neverSynced.length ? `; never synced: ${neverSynced.length}` : ''}; FSD at grokking ${fsdAtGrokRange(leads)}`,
      data: { positive: k, configurations: n, leads: leadTable(leads), never_synced: neverSynced, p_lead: test.p, p_lag: test.pOpposite },
      headline: { positive: k, of: n, never_synced: neverSynced.length, p_lead: test.p, p_lag: test.pOpposite },
      tables: [baselinesTable(leads)],
      configurations: got.leads.length,
      runIds: ctx.ids(got.keys),
      notes: ctx.eventNotes(got.keys),
    };
  },
};
