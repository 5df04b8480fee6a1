/**
 * C03 lead-size: the mean lead with bootstrap 95% CIs, at the configuration level and prime-clustered
 * (claims.md; paper +1722 [+1111, +2333], clustered +1740 [+1240, +2400]). Band: both CIs overlap the paper's.
 */
import { notEvaluable, signed, verdict } from '../../../paper/claim.js';
import { bootstrapMeanCi, clusterBootstrapMeanCi } from '../../../stats/bootstrap.js';
import type { Claim } from './claim.js';
import { mainLeads } from './mainLeads.js';

/** The paper's mean leads and 95% CIs (configuration level; prime-clustered). */
export const PAPER_MEAN = 1722;
export const PAPER_CI: [number, number] = [1111, 2333];
export const PAPER_CLUSTERED_MEAN = 1740;
export const PAPER_CLUSTERED_CI: [number, number] = [1240, 2400];
const interval = (mean: number, ci: [number, number]) => `${signed(mean)} [${signed(ci[0])}, ${signed(ci[1])}]`;
const overlaps = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];

export const C03: Claim = {
  id: 'C03',
  name: 'lead-size',
  statement: 'mean lead and its bootstrap 95% CI (config level, and prime-clustered)',
  paper: `${interval(PAPER_MEAN, PAPER_CI)}; clustered ${interval(PAPER_CLUSTERED_MEAN, PAPER_CLUSTERED_CI)}`,
  band: "both CIs overlap the paper's",
  direction: 'mean lead > 0',
  experiments: ['main'],
  evaluate(ctx) {
    const got = mainLeads(ctx);
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const known = got.leads.filter((l) => l.lead !== null);
    const omitted = got.leads.filter((l) => l.lead === null).map((l) => l.key);
    if (known.length < 2) return notEvaluable(`only ${known.length} main configuration(s) have a lead (the others never synced)`, ctx.ids(got.keys));
    const values = known.map((l) => l.lead!);
    const toInterval = (c: { estimate: number; lower: number; upper: number }) => ({ mean: c.estimate, lo: c.lower, hi: c.upper });
    const ci = toInterval(bootstrapMeanCi(values));
    const clustered = toInterval(clusterBootstrapMeanCi(values, known.map((l) => l.p)));
    const inBand = overlaps([ci.lo, ci.hi], PAPER_CI) && overlaps([clustered.lo, clustered.hi], PAPER_CLUSTERED_CI);
    // A mean over only the configurations that synced is biased towards leads: it cannot reproduce the paper's
    // mean over all of them, so with any configuration left out the verdict is at most `direction only`.
    const complete = omitted.length === 0;
    const fmt = (x: { mean: number; lo: number; hi: number }) => interval(x.mean, [x.lo, x.hi]);
    const partial = complete ? '' : `; ${omitted.length} of ${got.leads.length} configurations never synced, so the mean covers only ${known.length} (at most direction only)`;
    return {
      verdict: verdict({ reproduced: ci.mean > 0 && inBand && complete, direction: ci.mean > 0 }),
      reason: `mean lead ${fmt(ci)}, clustered ${fmt(clustered)}; the paper's CIs ${inBand ? 'overlap' : 'do not both overlap'}${partial}`,
      figure: `${fmt(ci)}; clustered ${fmt(clustered)}`,
      data: { mean: ci.mean, ci: [ci.lo, ci.hi], clustered_mean: clustered.mean, clustered_ci: [clustered.lo, clustered.hi], leads: values, omitted_never_synced: omitted },
      runIds: ctx.ids(got.keys),
      notes: [...(omitted.length ? [`left out (never synced): ${omitted.join(', ')}`] : []), ...ctx.eventNotes(got.keys)],
    };
  },
};
