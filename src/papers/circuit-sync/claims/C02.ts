/** C02 sign-test: the exact two-sided sign test over the main leads (claims.md; paper p = 0.0039). */
import { notEvaluable, testedVerdict, verdict } from '../../../paper/claim.js';
import { signTest, signTestPower } from '../../../stats/signTest.js';
import type { Claim } from './claim.js';
import { ALPHA, directionWords, isMajority, leadDirection, mainLeads } from './mainLeads.js';

/** The band: two-sided p at most this. */
export const MAX_P = 0.01;
/** True positive rates the report states the sign test's power at. */
export const POWER_RATES = [0.75, 0.9];

/** The sign test's power in words for n configurations, e.g. "with 9 configurations ... 0.075 (75%) / 0.387 (90%)". */
export function powerStatement(n: number): string {
  const at = POWER_RATES.map((q) => `${signTestPower(n, q, MAX_P).toFixed(3)} at a ${Math.round(q * 100)}% rate`).join(', ');
  return `with ${n} configurations, a two-sided sign test at alpha ${MAX_P} detects a true positive-lead rate with probability ${at}`;
}

export const C02: Claim = {
  id: 'C02',
  name: 'sign-test',
  statement: 'exact sign test over the main leads',
  paper: 'p = 0.0039',
  band: `two-sided p <= ${MAX_P} with more positive than negative leads`,
  direction: `more positive than negative leads, supported by a one-sided sign test at ${ALPHA} (verdict.rule=majority: more, untested)`,
  experiments: ['main'],
  evidence: ['replicates'],
  /** Zero leads are ties and drop out. */
  evaluate(ctx) {
    const got = mainLeads(ctx);
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const signs = got.leads.filter((l) => l.lead !== 0);
    const k = signs.filter((l) => l.leads).length, n = signs.length;
    const p = signTest(k, n);
    // The power at this set's size and at the replicates' (when the profile has them), so the two can be weighed.
    const rep = ctx.profile.replicates;
    const sizes = [...new Set([n, ...(rep ? [rep.primes.length * rep.seeds.length] : [])])];
    const test = leadDirection(got.leads);
    const tested = ctx.options.verdictRule === 'tested';
    return {
      verdict: tested
        ? testedVerdict({ supported: test.supported, opposite: test.opposite, inBand: p <= MAX_P && isMajority(k, n) })
        : verdict({ reproduced: p <= MAX_P && isMajority(k, n), direction: isMajority(k, n) }),
      reason: `${k} positive of ${n} non-zero leads, two-sided sign test p = ${p.toPrecision(3)}${tested ? `; ${directionWords(test, 'FSD leading')}` : ''}`,
      figure: `p = ${p.toPrecision(3)} (${k}/${n} positive)`,
      data: {
        positive: k,
        nonzero: n,
        ties: got.leads.length - n,
        p_value: p,
        p_lead: test.p,
        p_lag: test.pOpposite,
        power: Object.fromEntries(sizes.map((m) => [m, Object.fromEntries(POWER_RATES.map((q) => [q, signTestPower(m, q, MAX_P)]))])),
      },
      headline: { positive: k, of: n, p_value: p, p_lead: test.p, p_lag: test.pOpposite },
      configurations: got.leads.length,
      runIds: ctx.ids(got.keys),
      notes: [...sizes.map((m) => `power: ${powerStatement(m)}`), ...ctx.eventNotes(got.keys)],
    };
  },
};
