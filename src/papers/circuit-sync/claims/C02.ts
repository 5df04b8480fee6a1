/** C02 sign-test: the exact two-sided sign test over the main leads (claims.md; paper p = 0.0039). */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { signTest } from '../../../stats/signTest.js';
import type { Claim } from './claim.js';
import { isMajority, mainLeads } from './mainLeads.js';

/** The band: two-sided p at most this. */
export const MAX_P = 0.01;

export const C02: Claim = {
  id: 'C02',
  name: 'sign-test',
  statement: 'exact sign test over the main leads',
  paper: 'p = 0.0039',
  band: `two-sided p <= ${MAX_P} with more positive than negative leads`,
  direction: 'more positive than negative leads',
  experiments: ['main'],
  /** Zero leads are ties and drop out. */
  evaluate(ctx) {
    const got = mainLeads(ctx);
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const signs = got.leads.filter((l) => l.lead !== 0);
    const k = signs.filter((l) => l.leads).length, n = signs.length;
    const p = signTest(k, n);
    return {
      verdict: verdict({ reproduced: p <= MAX_P && isMajority(k, n), direction: isMajority(k, n) }),
      reason: `${k} positive of ${n} non-zero leads, two-sided sign test p = ${p.toPrecision(3)}`,
      figure: `p = ${p.toPrecision(3)} (${k}/${n} positive)`,
      data: { positive: k, nonzero: n, ties: got.leads.length - n, p_value: p },
      headline: { positive: k, of: n, p_value: p },
      runIds: ctx.ids(got.keys),
      notes: ctx.eventNotes(got.keys),
    };
  },
};
