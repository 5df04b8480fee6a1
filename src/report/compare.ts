/**
 * Two verdict reports side by side (issue 27, `grokcheck compare OLD NEW`): what a user runs after a code change.
 * Per claim: the verdict, and the figures (our figure at both resolutions and every number of its data). Training
 * is deterministic (the same code and runs give the same records bit for bit), so a figure that moves at all was
 * moved by the change; whether that matters is the old report's rounding mark: a `robust` claim's verdict or
 * figures must not move, a `fragile` one's may (its verdict already changes when only the summation order does).
 */
import { z } from 'zod';
import { VERDICTS } from '../paper/claim.js';

/** The part of verdict.json (report/verdict.ts VerdictReport) that a comparison reads. */
export const ComparedReportSchema = z.looseObject({
  format: z.literal('grokcheck-verdict/1'),
  paper: z.looseObject({ id: z.string() }),
  profile: z.string(),
  claims: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      verdict: z.enum(VERDICTS),
      ours: z.string(),
      ours_coarse: z.string(),
      robustness: z.string(),
      data: z.unknown(),
    }),
  ),
});
export type ComparedReport = z.infer<typeof ComparedReportSchema>;

export interface FigureMove {
  path: string;
  old: number | null;
  new: number | null;
}

export interface ClaimComparison {
  id: string;
  name: string;
  /** The old report's rounding mark: a robust claim must not move. */
  robustness: string;
  verdict: { old: string; new: string } | null;
  figure: { old: string; new: string } | null;
  moves: FigureMove[];
  /** A robust claim whose verdict or figures moved: the comparison fails. */
  regression: boolean;
}

export interface Comparison {
  claims: ClaimComparison[];
  added: string[];
  removed: string[];
  regressions: number;
}

/** Numeric leaves by dotted path (`leads.3.lead`), non-finite values kept as null (the regression baseline reads them too). */
export function numbers(value: unknown, path = '', out = new Map<string, number | null>()): Map<string, number | null> {
  if (typeof value === 'number') out.set(path, Number.isFinite(value) ? value : null);
  else if (Array.isArray(value)) value.forEach((v, i) => numbers(v, path ? `${path}.${i}` : String(i), out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) numbers(v, path ? `${path}.${k}` : k, out);
  return out;
}

/**
 * `tolerance`: the relative change (of the larger magnitude) a number may make without counting as a move; 0 by
 * default, since the same records give the same numbers.
 */
export function compareReports(old: ComparedReport, next: ComparedReport, tolerance = 0): Comparison {
  const newById = new Map(next.claims.map((c) => [c.id, c]));
  const claims: ClaimComparison[] = [];
  for (const o of old.claims) {
    const n = newById.get(o.id);
    if (!n) continue;
    const a = numbers(o.data), b = numbers(n.data);
    const moves: FigureMove[] = [];
    for (const path of [...new Set([...a.keys(), ...b.keys()])]) {
      const x = a.get(path) ?? null, y = b.get(path) ?? null;
      const scale = Math.max(Math.abs(x ?? 0), Math.abs(y ?? 0));
      const moved = x === null || y === null ? x !== y : Math.abs(x - y) > tolerance * scale;
      if (moved) moves.push({ path, old: x, new: y });
    }
    const verdict = o.verdict === n.verdict ? null : { old: o.verdict, new: n.verdict };
    const figureText = (c: ComparedReport['claims'][number]) => `${c.ours} (@coarse: ${c.ours_coarse})`;
    const figure = figureText(o) === figureText(n) ? null : { old: o.ours, new: n.ours };
    const changed = verdict !== null || figure !== null || moves.length > 0;
    claims.push({ id: o.id, name: o.name, robustness: o.robustness, verdict, figure, moves, regression: changed && o.robustness === 'robust' });
  }
  const oldIds = new Set(old.claims.map((c) => c.id));
  return {
    claims,
    added: next.claims.filter((c) => !oldIds.has(c.id)).map((c) => c.id),
    removed: old.claims.filter((c) => !newById.has(c.id)).map((c) => c.id),
    regressions: claims.filter((c) => c.regression).length,
  };
}

const MOVES_SHOWN = 6;
const num = (x: number | null) => (x === null ? 'null' : String(Number(x.toPrecision(6))));

/** The comparison as Markdown: a table of the claims that moved, then the unchanged ones in one line. */
export function renderComparison(c: Comparison, labels: { old: string; new: string }): string {
  const out = [`# Compare: ${labels.old} -> ${labels.new}`, ''];
  const moved = c.claims.filter((x) => x.verdict || x.figure || x.moves.length);
  out.push(
    c.regressions
      ? `**${c.regressions} robust claim(s) moved** (a robust verdict or figure must not move under a change that keeps the arithmetic): ${c.claims.filter((x) => x.regression).map((x) => x.id).join(', ')}.`
      : moved.length
        ? `No robust claim moved; ${moved.length} fragile or unassessed claim(s) did (their verdicts already change under rounding alone).`
        : 'Nothing moved: every verdict and figure is the same.',
    '',
  );
  if (moved.length) {
    out.push('| claim | rounding (old) | verdict | figure | numbers that moved |', '|---|---|---|---|---|');
    for (const x of moved) {
      const verdict = x.verdict ? `**${x.verdict.old} -> ${x.verdict.new}**` : 'same';
      const figure = x.figure ? `${x.figure.old} -> ${x.figure.new}` : 'same';
      const moves = x.moves.slice(0, MOVES_SHOWN).map((m) => `${m.path}: ${num(m.old)} -> ${num(m.new)}`).join('; ') + (x.moves.length > MOVES_SHOWN ? `; and ${x.moves.length - MOVES_SHOWN} more` : '');
      out.push(`| ${x.id} ${x.name}${x.regression ? ' (**regression**)' : ''} | ${x.robustness} | ${verdict} | ${figure.replace(/\|/g, '\\|')} | ${moves.replace(/\|/g, '\\|') || '-'} |`);
    }
    out.push('');
  }
  const same = c.claims.filter((x) => !moved.includes(x)).map((x) => x.id);
  if (same.length) out.push(`Unchanged: ${same.join(', ')}.`, '');
  if (c.added.length) out.push(`Only in ${labels.new}: ${c.added.join(', ')}.`, '');
  if (c.removed.length) out.push(`Only in ${labels.old}: ${c.removed.join(', ')}.`, '');
  return out.join('\n');
}
