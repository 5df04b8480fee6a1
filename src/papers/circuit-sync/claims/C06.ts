/**
 * C06 inverse-lambda: the seed-averaged Delta_t follows C_p / lambda for every fork prime (claims.md "forks";
 * paper R^2 0.89 / 0.94 / 0.99). Direction: the seed-mean Delta_t strictly falls with lambda for every prime.
 * The verdict reads the canonical forks (fork.at = sync); where the profile also forks at the paper's steps
 * (fork.at = paper), their fit is reported beside it, since a fork point moves Delta_t.
 */
import { notEvaluable, verdict, type ClaimTable } from '../../../paper/claim.js';
import type { ClaimContext } from '../claimContext.js';
import type { Claim } from './claim.js';
import { branch, forkBranches, forkPointNotes, primeFit, type PrimeFit } from './forkBranches.js';

/** The band: every prime's fit at least this good (the paper's worst prime). */
export const MIN_R2 = 0.89;

/** R^2 is undefined (simple-statistics: -Infinity) when every Delta_t of the fit is equal and C/lambda misses it. */
const fmtR2 = (r2: number) => (Number.isFinite(r2) ? r2.toFixed(2) : 'undefined: constant Delta_t');

/** The fits of one set of forks, or why they cannot be read. */
function fitsOf(ctx: ClaimContext, experiment: 'forks' | 'forks-paper'): { fits: PrimeFit[]; keys: string[] } | { problem: string; keys: string[] } {
  const got = forkBranches(ctx, experiment);
  if ('problem' in got) return got;
  const fits: PrimeFit[] = [];
  for (const [p, bs] of [...got.byPrime.entries()].sort((a, b) => a[0] - b[0])) {
    const fit = primeFit(p, bs);
    if (!fit) return { problem: `p = ${p}: fewer than 3 lambdas with a grokked draw`, keys: got.keys };
    fits.push(fit);
  }
  return { fits, keys: got.keys };
}

const inBandOf = (fits: PrimeFit[]) => fits.every((f) => f.r2 >= MIN_R2);
const fallingOf = (fits: PrimeFit[]) => fits.every((f) => f.meanDeltaT.every((d, i) => i === 0 || d < f.meanDeltaT[i - 1]));

function fitsTable(sets: { label: string; fits: PrimeFit[]; forkSteps: Map<number, string> }[]): ClaimTable {
  return {
    title: "Delta_t = C_p / lambda for each set of forks (the verdict reads the first; the paper's fork steps are claims.md's fork.at = paper)",
    columns: ['forks', 'p', 'fork step', 'seed-mean Delta_t over lambda', 'C_p', 'R^2', 'falls with lambda'],
    rows: sets.flatMap((s) =>
      s.fits.map((f) => [
        s.label,
        f.p,
        s.forkSteps.get(f.p) ?? null,
        `${f.lambdas.join('/')}: ${f.meanDeltaT.map((d) => Math.round(d)).join(' / ')}`,
        Math.round(f.c),
        fmtR2(f.r2),
        f.meanDeltaT.every((d, i) => i === 0 || d < f.meanDeltaT[i - 1]) ? 'yes' : 'no',
      ]),
    ),
  };
}

/** The fork steps of a set of forks by prime, e.g. `2000` or `1000, 1500` when draws fork at different steps. */
function forkStepsOf(ctx: ClaimContext, keys: string[]): Map<number, string> {
  const byPrime = new Map<number, Set<number>>();
  for (const k of keys) {
    const b = branch(ctx, k);
    byPrime.set(b.p, (byPrime.get(b.p) ?? new Set()).add(b.forkStep));
  }
  return new Map([...byPrime].map(([p, steps]) => [p, [...steps].sort((a, b) => a - b).join(', ')]));
}

export const C06: Claim = {
  id: 'C06',
  name: 'inverse-lambda',
  statement: 'seed-averaged Delta_t = C_p/lambda across the fork primes',
  paper: 'R^2 0.89 / 0.94 / 0.99; C_p 4780 / 2727 / 1760 (falls with p); per-draw R^2 0.49..1.00',
  band: `R^2 >= ${MIN_R2} for every prime`,
  direction: 'seed-averaged Delta_t strictly falls with lambda for every prime',
  experiments: ['forks'],
  evidence: ['forks-paper'],
  evaluate(ctx) {
    const got = fitsOf(ctx, 'forks');
    if ('problem' in got) return notEvaluable(got.problem, ctx.ids(got.keys));
    const { fits } = got;
    const inBand = inBandOf(fits);
    const falling = fallingOf(fits);
    const r2 = fits.map((f) => fmtR2(f.r2)).join(' / ');
    const cs = fits.map((f) => Math.round(f.c)).join(' / ');
    const drawR2 = fits.flatMap((f) => (f.drawR2 ? f.drawR2 : []));
    const constantDraws = drawR2.some((x) => !Number.isFinite(x));
    const finiteDrawR2 = drawR2.filter(Number.isFinite);
    // The second set (claims.md fork.at = paper), where the profile has one: reported beside, not the verdict.
    const atPaper = ctx.profile.forksAtPaperSteps ? fitsOf(ctx, 'forks-paper') : null;
    const paperSet = atPaper && 'fits' in atPaper ? atPaper.fits : null;
    const paperText = !atPaper
      ? ''
      : paperSet
        ? `; at the paper's fork steps: R^2 ${paperSet.map((f) => fmtR2(f.r2)).join(' / ')} (${verdict({ reproduced: inBandOf(paperSet), direction: fallingOf(paperSet) })})`
        : `; at the paper's fork steps: not evaluable (${(atPaper as { problem: string }).problem})`;
    const sets = [{ label: `fork.at = ${ctx.profile.forkAt}`, fits, forkSteps: forkStepsOf(ctx, got.keys) }];
    if (paperSet) sets.push({ label: 'fork.at = paper', fits: paperSet, forkSteps: forkStepsOf(ctx, atPaper!.keys) });
    const keys = [...got.keys, ...(paperSet ? atPaper!.keys : [])];
    const fitData = (fs: PrimeFit[]) => fs.map((f) => ({ p: f.p, lambdas: f.lambdas, mean_delta_t: f.meanDeltaT, c: f.c, r2: f.r2, draw_r2: f.drawR2, never_grokked: f.neverGrokked }));
    return {
      verdict: verdict({ reproduced: inBand, direction: falling }),
      reason:
        `R^2 ${r2} for p = ${fits.map((f) => f.p).join(' / ')}${inBand ? '' : ` (band: >= ${MIN_R2} each)`}; seed-mean Delta_t over lambda ` +
        fits.map((f) => `${f.lambdas.join('/')}: ${f.meanDeltaT.map((d) => Math.round(d)).join(' / ')} (p = ${f.p})`).join('; '),
      figure:
        `R^2 ${r2}; C_p ${cs}` +
        (finiteDrawR2.length ? `; per-draw R^2 ${Math.min(...finiteDrawR2).toFixed(2)}..${Math.max(...finiteDrawR2).toFixed(2)}` : '') +
        (constantDraws ? `; a per-draw R^2 is undefined: constant Delta_t` : '') +
        paperText,
      data: { fits: fitData(fits), ...(paperSet ? { fits_at_paper_steps: fitData(paperSet) } : {}) },
      ...(atPaper ? { tables: [fitsTable(sets)] } : {}),
      runIds: [...new Set(ctx.ids(keys))],
      notes: [
        ...forkPointNotes(ctx, ctx.set.plan.forkPoints.map((f) => f.parentKey)),
        ...fits
          .filter((f) => f.neverGrokked)
          .map(
            (f) =>
              `p = ${f.p}: ${f.neverGrokked} branch(es) never grokked within the cap at this resolution (left out of the means; on a coarse grid a branch that groks between two of its checkpoints counts so when no checkpoint of the grid in its records meets the grokking rule, e.g. a slingshot dip on the one inside its window)`,
          ),
        ...(paperSet ?? []).filter((f) => f.neverGrokked).map((f) => `at the paper's fork steps, p = ${f.p}: ${f.neverGrokked} branch(es) never grokked within the cap`),
        ...ctx.eventNotes(keys),
      ],
    };
  },
};
