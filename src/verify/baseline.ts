/**
 * The small profile's regression baseline (claims.md "Profile small"): its committed verdicts and figures,
 * each marked `fragile` when the same experiments in another summation order (profiles.ts reorderedProfile:
 * a rounding-only perturbation) give another verdict. A robust verdict that changes fails the claim tests; a
 * fragile one that changes only warns, since trajectories are chaotic under any change of arithmetic order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { VERDICTS, type ClaimOutcome, type Verdict } from '../paper/claim.js';

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
  })
  .strict();
export type BaselineClaim = z.infer<typeof BaselineClaimSchema>;

export const BaselineSchema = z
  .object({
    format: z.literal('grokcheck-small-baseline/1'),
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
  claims: { id: string; name: string; verdict: Verdict; ours: string; reason: string }[];
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
    };
  }
  return {
    format: 'grokcheck-small-baseline/1',
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

export type BaselineStatus = 'same' | 'changed (fragile)' | 'changed (robust)' | 'not in baseline';

export interface BaselineCheck {
  id: string;
  status: BaselineStatus;
  /** A readable diff: verdicts, figures, the reason now. */
  message: string;
}

export function compareWithBaseline(baseline: Baseline, id: string, now: ClaimOutcome): BaselineCheck {
  const was = baseline.claims[id];
  if (!was) return { id, status: 'not in baseline', message: `${id}: not in the baseline; now '${now.verdict}': ${now.figure}` };
  if (was.verdict === now.verdict)
    return { id, status: 'same', message: `${id} ${was.name}: '${now.verdict}' as in the baseline (${now.figure})` };
  const status: BaselineStatus = was.fragile ? 'changed (fragile)' : 'changed (robust)';
  const lines = [
    `${id} ${was.name}: verdict changed from the baseline's '${was.verdict}' (${was.fragile ? 'fragile' : 'robust'}) to '${now.verdict}'`,
    `  baseline figure: ${was.figure}`,
    `  figure now:      ${now.figure}`,
    `  reason now:      ${now.reason}`,
  ];
  if (was.fragile) lines.push(`  (fragile: the rounding-perturbed re-run gave '${was.perturbed_verdict}': ${was.perturbed_figure})`);
  return { id, status, message: lines.join('\n') };
}
