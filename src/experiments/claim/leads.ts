/**
 * C01-C04: FSD leads grokking in the main configurations (claims.md "main").
 * Lead = grokking step - sync step (metrics.md); a run that groks without ever syncing counts as FSD not
 * leading (its lead is unknown, so it enters the sign tests as negative and leaves the means out).
 */
import { bootstrapMeanCi, clusterBootstrapMeanCi } from '../../stats/bootstrap.js';
import { signTest } from '../../stats/signTest.js';
import { notEvaluable, signed, type ClaimOutcome } from '../claimTypes.js';
import type { ClaimContext } from '../claimContext.js';
import { mainKey } from '../roles.js';

export interface MainLead {
  key: string;
  p: number;
  seed: number;
  sync: number | null;
  grok: number;
  baselineSync: number | null;
  /** grok - sync; null when FSD never synced. */
  lead: number | null;
  /** FSD synced strictly before grokking. */
  leads: boolean;
}

/** The main configurations' leads, or why they cannot be read (missing, failed, diverged, never grokked). */
export function mainLeads(ctx: ClaimContext): { leads: MainLead[]; keys: string[] } | { problem: string; keys: string[] } {
  const keys = ctx.profile.main.runs.map((r) => mainKey(r.p, r.seed));
  const unusable = ctx.unusable(keys);
  if (unusable.length) return { problem: unusable.join('; '), keys };
  const problems: string[] = [];
  const leads: MainLead[] = [];
  for (const [i, key] of keys.entries()) {
    const ev = ctx.events(key);
    if (ev.grok === null) {
      problems.push(`${key}: ${ev.diverged ? 'diverged' : 'cut short'} without grokking (last checkpoint ${ev.lastStep})`);
      continue;
    }
    const { p, seed } = ctx.profile.main.runs[i];
    leads.push({ key, p, seed, sync: ev.sync, grok: ev.grok, baselineSync: ev.baselineSync, lead: ev.lead, leads: ev.lead !== null && ev.lead > 0 });
  }
  if (problems.length) return { problem: problems.join('; '), keys };
  return { leads, keys };
}

function leadTable(leads: MainLead[]) {
  return leads.map((l) => ({ run: l.key, sync: l.sync, grok: l.grok, lead: l.lead, baseline_sync: l.baselineSync }));
}

function range(values: number[]): string {
  if (values.length === 0) return 'none';
  return `${signed(Math.min(...values))}..${signed(Math.max(...values))}`;
}

/** C01: 9/9 positive leads. Direction: a strict majority of the configurations lead. */
export function evaluateC01(ctx: ClaimContext): ClaimOutcome {
  const got = mainLeads(ctx);
  if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
  const { leads } = got;
  const n = leads.length, k = leads.filter((l) => l.leads).length;
  const known = leads.map((l) => l.lead).filter((x): x is number => x !== null);
  const neverSynced = leads.filter((l) => l.sync === null).map((l) => l.key);
  const verdict = k === n ? 'reproduced' : 2 * k > n ? 'direction only' : 'not reproduced';
  return {
    verdict,
    reason: `${k} of ${n} main configurations sync before grokking`,
    figure: `${k}/${n} positive; leads ${range(known)}${neverSynced.length ? `; never synced: ${neverSynced.length}` : ''}`,
    data: { positive: k, configurations: n, leads: leadTable(leads), never_synced: neverSynced },
    runIds: ctx.ids(got.keys),
    notes: ctx.eventNotes(got.keys),
  };
}

/** C02: exact two-sided sign test over the main leads (zero leads are ties and drop out). */
export function evaluateC02(ctx: ClaimContext): ClaimOutcome {
  const got = mainLeads(ctx);
  if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
  const signs = got.leads.filter((l) => l.lead !== 0);
  const k = signs.filter((l) => l.leads).length, n = signs.length;
  const p = signTest(k, n);
  const verdict = p <= 0.01 && 2 * k > n ? 'reproduced' : 2 * k > n ? 'direction only' : 'not reproduced';
  return {
    verdict,
    reason: `${k} positive of ${n} non-zero leads, two-sided sign test p = ${p.toPrecision(3)}`,
    figure: `p = ${p.toPrecision(3)} (${k}/${n} positive)`,
    data: { positive: k, nonzero: n, ties: got.leads.length - n, p_value: p },
    runIds: ctx.ids(got.keys),
    notes: ctx.eventNotes(got.keys),
  };
}

const PAPER_CI: [number, number] = [1111, 2333];
const PAPER_CLUSTERED_CI: [number, number] = [1240, 2400];
const overlaps = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];

/** C03: mean lead with bootstrap 95% CIs (config level; prime-clustered). Band: both overlap the paper's. */
export function evaluateC03(ctx: ClaimContext): ClaimOutcome {
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
  const verdict = ci.mean > 0 && inBand && complete ? 'reproduced' : ci.mean > 0 ? 'direction only' : 'not reproduced';
  const fmt = (x: { mean: number; lo: number; hi: number }) => `${signed(x.mean)} [${signed(x.lo)}, ${signed(x.hi)}]`;
  const partial = complete ? '' : `; ${omitted.length} of ${got.leads.length} configurations never synced, so the mean covers only ${known.length} (at most direction only)`;
  return {
    verdict,
    reason: `mean lead ${fmt(ci)}, clustered ${fmt(clustered)}; the paper's CIs ${inBand ? 'overlap' : 'do not both overlap'}${partial}`,
    figure: `${fmt(ci)}; clustered ${fmt(clustered)}`,
    data: { mean: ci.mean, ci: [ci.lo, ci.hi], clustered_mean: clustered.mean, clustered_ci: [clustered.lo, clustered.hi], leads: values, omitted_never_synced: omitted },
    runIds: ctx.ids(got.keys),
    notes: [...(omitted.length ? [`left out (never synced): ${omitted.join(', ')}`] : []), ...ctx.eventNotes(got.keys)],
  };
}

/** C04: FSD syncs before the restricted-logit baseline in every main configuration. */
export function evaluateC04(ctx: ClaimContext): ClaimOutcome {
  const got = mainLeads(ctx);
  if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
  const noBaseline = got.keys.filter((k) => ctx.run(k).records.every((r) => r.restricted_logit_loss === null));
  if (noBaseline.length) return notEvaluable(`no restricted-logit loss recorded in ${noBaseline.join(', ')}`, ctx.ids(got.keys));
  // FSD precedes when it syncs and the baseline syncs later or never.
  const precedes = got.leads.filter((l) => l.sync !== null && (l.baselineSync === null || l.sync < l.baselineSync));
  const n = got.leads.length, k = precedes.length;
  const baselineLeads = got.leads.filter((l) => l.baselineSync !== null).map((l) => l.grok - l.baselineSync!);
  const meanBaselineLead = baselineLeads.length ? baselineLeads.reduce((a, b) => a + b, 0) / baselineLeads.length : null;
  const verdict = k === n ? 'reproduced' : 2 * k > n ? 'direction only' : 'not reproduced';
  return {
    verdict,
    reason: `FSD syncs before the baseline in ${k} of ${n} main configurations`,
    figure: `${k}/${n}; baseline mean lead ${signed(meanBaselineLead)}${baselineLeads.length < n ? ` (baseline never synced in ${n - baselineLeads.length})` : ''}`,
    data: { fsd_first: k, configurations: n, baseline_mean_lead: meanBaselineLead, leads: leadTable(got.leads) },
    runIds: ctx.ids(got.keys),
    notes: ctx.eventNotes(got.keys),
  };
}
