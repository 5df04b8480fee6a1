/**
 * C05 fork-monotone: forked at the FSD ceiling, the stable branches grok strictly earlier as lambda grows
 * (claims.md "fork97"; paper Delta_t 3000/1500/1000 for lambda 1/2/3). Also reports lambda = 10 and the
 * destabilised branches (the paper says 4 and 5 destabilise; the band does not test it).
 */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { mainKey } from '../roles.js';
import type { Claim } from './claim.js';
import { branch, fmtDelta, fork97Keys, forkPointNotes } from './forkBranches.js';

/** The band tests the branches up to this weight decay (the paper's stable range). */
export const MAX_STABLE_LAMBDA = 3;
/** The weight decays the claim says destabilise (reported, not tested by the band). */
export const DESTABILISING_LAMBDAS = [4, 5];

export const C05: Claim = {
  id: 'C05',
  name: 'fork-monotone',
  statement: 'fork at the FSD ceiling: stable branches grok strictly earlier as lambda grows; lambda=10 never groks; 4 and 5 destabilise',
  paper: 'Delta_t 3000/1500/1000 for lambda 1/2/3',
  band: `Delta_t strictly decreasing over lambda <= ${MAX_STABLE_LAMBDA}, every such branch grokking`,
  direction: `Delta_t at the largest lambda <= ${MAX_STABLE_LAMBDA} below Delta_t at lambda = 1 (never grokking = infinite)`,
  experiments: ['fork97'],
  evaluate(ctx) {
    const f = ctx.profile.fork97;
    const keys = fork97Keys(ctx);
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const branches = keys.map((k) => branch(ctx, k)).sort((a, b) => a.lambda - b.lambda);
    const low = branches.filter((b) => b.lambda <= MAX_STABLE_LAMBDA);
    if (low.length < 2) return notEvaluable(`fewer than two branches with lambda <= ${MAX_STABLE_LAMBDA} in the profile`);
    let strict = true;
    for (let i = 1; i < low.length; i++) if (!(low[i].deltaT < low[i - 1].deltaT)) strict = false;
    const allGrok = low.every((b) => b.grok !== null);
    const first = low[0], last = low[low.length - 1];
    const direction = last.deltaT < first.deltaT;
    const high = branches.filter((b) => b.lambda > MAX_STABLE_LAMBDA);
    const series = branches.map((b) => `${b.lambda}: ${fmtDelta(b.deltaT)}${b.destabilised ? ' (destabilised)' : ''}`).join(', ');
    const said = DESTABILISING_LAMBDAS.map((lambda) => {
      const b = branches.find((x) => x.lambda === lambda);
      if (!b) return `${lambda}: not in the profile`;
      return `${lambda}: ${b.destabilised ? 'destabilised' : b.grok === null ? 'never grokked' : `grokked (Delta_t ${fmtDelta(b.deltaT)}) and stayed stable`}`;
    });
    const stable = DESTABILISING_LAMBDAS.filter((lambda) => {
      const b = branches.find((x) => x.lambda === lambda);
      return b !== undefined && !b.destabilised;
    });
    return {
      caveat: `the band ignores the claim's "4 and 5 destabilise"; what they did: ${said.join('; ')}${stable.length ? ` (so lambda ${stable.join(' and ')} did not destabilise as the claim says)` : ''}`,
      verdict: verdict({ reproduced: strict && allGrok, direction }),
      reason: `Delta_t over lambda <= ${MAX_STABLE_LAMBDA} is ${strict ? '' : 'not '}strictly decreasing${allGrok ? '' : ' (some branches never grokked)'}`,
      figure: `Delta_t by lambda: ${series}`,
      data: {
        fork_step: first.forkStep,
        branches: branches.map((b) => ({ lambda: b.lambda, grok: b.grok, delta_t: Number.isFinite(b.deltaT) ? b.deltaT : null, destabilised: b.destabilised })),
        high_lambda: high.map((b) => ({ lambda: b.lambda, grokked: b.grok !== null, destabilised: b.destabilised })),
      },
      runIds: ctx.ids(keys),
      notes: [...forkPointNotes(ctx, [mainKey(f.p, f.seed)]), ...ctx.eventNotes(keys)],
    };
  },
};
