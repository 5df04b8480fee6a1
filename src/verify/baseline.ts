/**
 * The small profile's regression baseline (claims.md "Profile small"): its committed verdicts and figures, each
 * marked `fragile` when the same experiments in another summation order (profiles.ts reorderedProfile: a
 * rounding-only perturbation) give another verdict, and every number of each claim's data with a tolerance: how
 * far the rounding-only re-run moved it, times TWIN_SPREAD_FACTOR (issue 27: the claim tests checked verdicts only,
 * so a change that moved a mean lead by 2000 steps without flipping a verdict passed). A claim test fails when a
 * robust verdict changes, when a robust claim's number moves beyond its tolerance, or when a fragile verdict
 * moves to one that neither the baseline nor its rounding-only twin gave; a fragile verdict that moves to its
 * twin's only warns, since trajectories are chaotic under any change of arithmetic order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { VERDICTS, type ClaimOutcome, type FigureData, type Verdict } from '../paper/claim.js';
import { numbers } from '../report/compare.js';

/**
 * A number may move this many times as far as the rounding-only twin moved it: the twin is one draw of how far
 * rounding moves a figure, and another machine's rounding is another draw.
 */
export const TWIN_SPREAD_FACTOR = 2;

const VerdictSchema = z.enum(VERDICTS);

export const BaselineClaimSchema = z
  .object({
    name: z.string(),
    verdict: VerdictSchema,
    figure: z.string(),
    reason: z.string(),
    fragile: z.boolean(),
    /** The verdict and figure of the perturbed re-run that decided `fragile`. */
    perturbed_verdict: VerdictSchema,
    perturbed_figure: z.string(),
    /**
     * Every number of the claim's data by dotted path, with its tolerance: TWIN_SPREAD_FACTOR x how far the
     * perturbed re-run moved it (0 where it did not move; null where the re-run has no such number: unchecked).
     */
    figures: z.record(z.string(), z.object({ value: z.number().nullable(), tolerance: z.number().min(0).nullable() }).strict()),
  })
  .strict();
export type BaselineClaim = z.infer<typeof BaselineClaimSchema>;

export const BaselineSchema = z
  .object({
    format: z.literal('grokcheck-small-baseline/2'),
    profile: z.string(),
    generated: z.string(),
    commit: z.string().nullable(),
    engine: z.string(),
    /** How fragility was assessed, in words. */
    fragility: z.string(),
    claims: z.record(z.string(), BaselineClaimSchema),
  })
  .strict();
export type Baseline = z.infer<typeof BaselineSchema>;

/** The part of a verdict report (report/verdict.ts) a baseline is built from. */
export interface ReportClaims {
  claims: { id: string; name: string; verdict: Verdict; ours: string; reason: string; data: FigureData }[];
}

/** Each number of `canonical` with its tolerance from how far `perturbed` moved it. */
export function figureTolerances(canonical: FigureData, perturbed: FigureData): BaselineClaim['figures'] {
  const twin = numbers(perturbed);
  const out: BaselineClaim['figures'] = {};
  for (const [path, value] of numbers(canonical)) {
    const other = twin.get(path);
    const tolerance = other === undefined || value === null || other === null ? (value === other ? 0 : null) : TWIN_SPREAD_FACTOR * Math.abs(value - other);
    out[path] = { value, tolerance };
  }
  return out;
}

export interface BaselineMeta {
  profile: string;
  generated: Date;
  commit: string | null;
  engine: string;
  fragility: string;
}

export function buildBaseline(canonical: ReportClaims, perturbed: ReportClaims, meta: BaselineMeta): Baseline {
  const claims: Record<string, BaselineClaim> = {};
  for (const c of canonical.claims) {
    const p = perturbed.claims.find((x) => x.id === c.id);
    if (!p) throw new Error(`the perturbed report has no verdict for ${c.id}`);
    claims[c.id] = {
      name: c.name,
      verdict: c.verdict,
      figure: c.ours,
      reason: c.reason,
      fragile: p.verdict !== c.verdict,
      perturbed_verdict: p.verdict,
      perturbed_figure: p.ours,
      figures: figureTolerances(c.data, p.data),
    };
  }
  return {
    format: 'grokcheck-small-baseline/2',
    profile: meta.profile,
    generated: meta.generated.toISOString(),
    commit: meta.commit,
    engine: meta.engine,
    fragility: meta.fragility,
    claims,
  };
}

export function readBaseline(file: string): Baseline {
  if (!existsSync(file)) throw new Error(`${file}: no committed baseline (create it with \`node bin/grokcheck.js verify --profile small --write-baseline\`)`);
  const parsed = BaselineSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not a baseline: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export type BaselineStatus = 'same' | 'changed (fragile)' | 'changed (robust)' | 'changed beyond its twin (fragile)' | 'figures moved (robust)' | 'not in baseline';

export interface BaselineCheck {
  id: string;
  status: BaselineStatus;
  /** A readable diff: verdicts, figures, the numbers that moved beyond their tolerance, the reason now. */
  message: string;
}

/** The numbers of `now` that moved beyond their baseline tolerance (a number the baseline has and now lacks counts). */
export function figuresMoved(was: BaselineClaim, now: FigureData): { path: string; was: number | null; now: number | null; tolerance: number }[] {
  const current = numbers(now);
  const out = [];
  for (const [path, { value, tolerance }] of Object.entries(was.figures)) {
    if (tolerance === null) continue;
    const x = current.has(path) ? current.get(path)! : undefined;
    const moved = x === undefined || (x === null || value === null ? x !== value : Math.abs(x - value) > tolerance + 1e-12 * Math.max(Math.abs(x), Math.abs(value)));
    if (moved) out.push({ path, was: value, now: x ?? null, tolerance });
  }
  return out;
}

const SHOWN = 8;

export function compareWithBaseline(baseline: Baseline, id: string, now: ClaimOutcome): BaselineCheck {
  const was = baseline.claims[id];
  if (!was) return { id, status: 'not in baseline', message: `${id}: not in the baseline; now '${now.verdict}': ${now.figure}` };
  const moved = figuresMoved(was, now.data);
  const figureLines = [`  baseline figure: ${was.figure}`, `  figure now:      ${now.figure}`];
  const movedLines = moved.slice(0, SHOWN).map((m) => `  ${m.path}: ${m.was} -> ${m.now} (tolerance ${Number(m.tolerance.toPrecision(3))})`);
  if (moved.length > SHOWN) movedLines.push(`  ... and ${moved.length - SHOWN} more`);
  if (was.verdict === now.verdict) {
    if (was.fragile || moved.length === 0) return { id, status: 'same', message: `${id} ${was.name}: '${now.verdict}' as in the baseline (${now.figure})${moved.length ? `; ${moved.length} number(s) moved beyond their tolerance (fragile: not checked)` : ''}` };
    return {
      id,
      status: 'figures moved (robust)',
      message: [`${id} ${was.name}: '${now.verdict}' as in the baseline (robust), but ${moved.length} number(s) moved beyond their tolerance (${TWIN_SPREAD_FACTOR} x the rounding-only twin's move):`, ...movedLines, ...figureLines].join('\n'),
    };
  }
  const status: BaselineStatus = !was.fragile ? 'changed (robust)' : now.verdict === was.perturbed_verdict ? 'changed (fragile)' : 'changed beyond its twin (fragile)';
  const lines = [
    `${id} ${was.name}: verdict changed from the baseline's '${was.verdict}' (${was.fragile ? 'fragile' : 'robust'}) to '${now.verdict}'`,
    ...figureLines,
    `  reason now:      ${now.reason}`,
  ];
  if (was.fragile) lines.push(`  (fragile: the rounding-perturbed re-run gave '${was.perturbed_verdict}': ${was.perturbed_figure})`);
  return { id, status, message: lines.join('\n') };
}
