/**
 * The evidence sweep (claims.md: "Every verdict carries its evidence: the range of each rule's threshold over
 * which it holds"): each claim the paper lists is re-evaluated at every point of its sweep (a rule family at
 * each threshold, at both resolutions), and the verdicts are summarised as the ranges over which they hold, in
 * words. Pure: the paper evaluates, this module only collects and describes.
 */
import type { Verdict } from '../paper/claim.js';
import type { AnyPaper } from '../paper/paper.js';
import type { RunSet } from '../paper/runSet.js';
import type { SweepEntry, SweepSummary } from '../report/inputs.js';

/** Per claim (in `ids` order), every sweep entry. */
export type ClaimSweeps = Map<string, SweepEntry[]>;

/** The checkpoint spacing of the runs' records: their eval_every (the smallest, when they differ). */
export function fineResolution(set: RunSet): number {
  const steps = [...set.runs.values()].map((r) => r.config.eval_every);
  return steps.length ? Math.min(...steps) : 0;
}

export function sweepClaims(paper: AnyPaper, set: RunSet, ids: readonly string[]): ClaimSweeps {
  const sweep = paper.analysis.sweep;
  if (!sweep) return new Map();
  const { claims: swept, points, canonical } = sweep;
  const claims = swept.filter((id) => ids.includes(id));
  const out: ClaimSweeps = new Map(claims.map((id) => [id, []]));
  if (claims.length === 0) return out;
  const fine = fineResolution(set);
  const sets = [{ name: canonical.set, variant: '', claims }, ...sweep.sets(set.profile)];
  for (const point of points)
    for (const s of sets) {
      const these = claims.filter((id) => s.claims.includes(id));
      if (these.length === 0) continue;
      const outcomes = paper.evaluate(set, these, s.variant ? `${point.variant},${s.variant}` : point.variant);
      for (const id of these) {
        const o = outcomes.get(id)!;
        out.get(id)!.push({
          set: s.name,
          configurations: o.configurations ?? null,
          rule: point.rule,
          family: point.family,
          threshold: point.threshold,
          resolution: point.resolution === 'fine' ? fine : set.profile.coarseStep,
          verdict: o.verdict,
          figure: { text: o.figure, ...(o.headline ?? {}) },
        });
      }
    }
  return out;
}

const t2 = (t: number) => t.toFixed(2);

/**
 * The verdicts of one rule family at one resolution as ranges of the threshold, e.g. "reproduced for
 * thresholds <= 0.60, not reproduced from 0.65"; "reproduced at every threshold 0.50-0.95".
 */
export function describeThresholdRange(entries: readonly SweepEntry[]): string {
  const points = entries.filter((e) => e.threshold !== null).sort((a, b) => a.threshold! - b.threshold!);
  if (points.length === 0) return entries.map((e) => e.verdict).join(', ');
  const segments: { verdict: Verdict; lo: number; hi: number }[] = [];
  for (const e of points) {
    const last = segments.at(-1);
    if (last && last.verdict === e.verdict) last.hi = e.threshold!;
    else segments.push({ verdict: e.verdict, lo: e.threshold!, hi: e.threshold! });
  }
  const first = points[0].threshold!, end = points.at(-1)!.threshold!;
  if (segments.length === 1) return `${segments[0].verdict} at every threshold ${t2(first)}-${t2(end)}`;
  return segments
    .map((s, i) => {
      if (i === 0) return `${s.verdict} ${s.lo === s.hi ? `at ${t2(s.lo)}` : `for thresholds <= ${t2(s.hi)}`}`;
      if (i === segments.length - 1) return `${s.verdict} ${s.lo === s.hi ? `at ${t2(s.lo)}` : `from ${t2(s.lo)}`}`;
      return `${s.verdict} ${s.lo === s.hi ? `at ${t2(s.lo)}` : `for ${t2(s.lo)}-${t2(s.hi)}`}`;
    })
    .join(', ');
}

/**
 * The sweep of one claim in words, one line per set, family and resolution; its mark and the range around the
 * canonical threshold are read on the canonical set (`canonicalSet`) alone.
 */
export function summariseSweep(entries: readonly SweepEntry[], canonical: Verdict, canonicalFamily: string, canonicalThreshold: number, canonicalSet: string): SweepSummary {
  const groups = new Map<string, SweepEntry[]>();
  for (const e of entries) {
    const key = `${e.set}\u0000${e.family}\u0000${e.resolution}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const lines = [...groups.values()].map((g) => ({
    set: g[0].set,
    configurations: g.find((e) => e.configurations !== null)?.configurations ?? null,
    family: g[0].family,
    resolution: g[0].resolution,
    text: describeThresholdRange(g),
  }));
  const own = entries.filter((e) => e.set === canonicalSet);
  const agreeing = own.filter((e) => e.verdict === canonical).length;
  const fine = Math.min(...own.map((e) => e.resolution));
  const line = own
    .filter((e) => e.family === canonicalFamily && e.resolution === fine && e.threshold !== null)
    .sort((a, b) => a.threshold! - b.threshold!);
  const at = line.findIndex((e) => Math.abs(e.threshold! - canonicalThreshold) < 1e-9);
  let holds: SweepSummary['holds'] = null;
  if (at >= 0 && line[at].verdict === canonical) {
    let lo = at, hi = at;
    while (lo > 0 && line[lo - 1].verdict === canonical) lo--;
    while (hi < line.length - 1 && line[hi + 1].verdict === canonical) hi++;
    holds = { lo: line[lo].threshold!, hi: line[hi].threshold! };
  }
  const nearMiss = at < 0 ? [] : [line[at - 1], line[at + 1]].filter((e): e is SweepEntry => e !== undefined && e.verdict !== canonical).map((e) => ({ threshold: e.threshold!, verdict: e.verdict }));
  return { lines, agreeing, points: own.length, holds, nearMiss, mark: agreeing === own.length ? 'rule-robust' : 'rule-dependent' };
}
