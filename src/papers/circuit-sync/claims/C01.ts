/** C01 fsd-leads: FSD sync precedes grokking in every main configuration (claims.md; paper 9/9). */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import type { Claim } from './claim.js';
import { baselinesTable, fsdAtGrokRange, isMajority, leadTable, mainLeads, range } from './mainLeads.js';

export const C01: Claim = {
  id: 'C01',
  name: 'fsd-leads',
  statement: 'FSD sync precedes grokking in every main configuration',
  paper: '9/9, leads +500..+3000',
  band: 'every main configuration has a positive lead',
  direction: 'a strict majority of the main configurations have a positive lead',
  experiments: ['main'],
  evidence: ['replicates'],
  evaluate(ctx) {
    const got = mainLeads(ctx);
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const { leads } = got;
    const n = leads.length, k = leads.filter((l) => l.leads).length;
    const known = leads.map((l) => l.lead).filter((x): x is number => x !== null);
    const neverSynced = leads.filter((l) => l.sync === null).map((l) => l.key);
    return {
      verdict: verdict({ reproduced: k === n, direction: isMajority(k, n) }),
      reason: `${k} of ${n} main configurations sync before grokking`,
      figure: `${k}/${n} positive; leads ${range(known)}${neverSynced.length ? `; never synced: ${neverSynced.length}` : ''}; FSD at grokking ${fsdAtGrokRange(leads)}`,
      data: { positive: k, configurations: n, leads: leadTable(leads), never_synced: neverSynced },
      headline: { positive: k, of: n, never_synced: neverSynced.length },
      tables: [baselinesTable(leads)],
      configurations: got.leads.length,
      runIds: ctx.ids(got.keys),
      notes: ctx.eventNotes(got.keys),
    };
  },
};
