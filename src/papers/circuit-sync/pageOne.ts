/**
 * Page one of the circuit-sync report (issue 27): the paper's two questions, "does FSD synchronise before
 * grokking?" and "does weight decay set the gap?", answered in one paragraph from the claims' verdicts and
 * figures, as evaluated: nothing here is typed by hand but the questions and what each claim tests.
 */
import { shortFigure, verdictCounts } from '../../paper/claim.js';
import type { PageOne, PageOneClaim } from '../../paper/paper.js';
import { ALPHA } from './claims/mainLeads.js';
import { REPLICATES_SWEEP_SET, SWEEP_CANONICAL } from './options.js';

/** What each claim of the two questions tests, in a few words. */
const TESTS: Record<string, string> = {
  C01: 'every configuration syncs first',
  C02: 'the sign test over the leads',
  C03: 'the mean lead against the paper\'s +1722',
  C04: 'FSD before the restricted-loss baseline',
  C05: 'Delta_t falls as lambda rises',
  C06: 'Delta_t ~ C/lambda (R^2)',
  C07: 'a constant parameter-norm threshold',
  C08: 'raising lambda at sync speeds grokking',
};
const PRECEDENCE = ['C01', 'C02', 'C03', 'C04'];
const WEIGHT_DECAY = ['C05', 'C06', 'C07', 'C08'];


/** A figure's first clause, cut at a word boundary past `max` characters (the table and Details have it whole). */
const brief = (figure: string, max = 70) => {
  const first = shortFigure(figure);
  return first.length <= max ? first : `${first.slice(0, first.lastIndexOf(' ', max))} …`;
};

const marked = (c: PageOneClaim) => `${c.id} ${TESTS[c.id]}: **${c.verdict}** (${brief(c.ours)}${c.robustness === 'fragile' ? '; fragile under rounding' : ''})`;

/** The claim's verdict and figure on the replicates (every seed of every prime), at the canonical rule; null when not swept there. */
function onReplicates(c: PageOneClaim): { text: string; configurations: number | null } | null {
  const at = c.sweep.filter((e) => e.set === REPLICATES_SWEEP_SET.name && e.family === SWEEP_CANONICAL.family && e.threshold === SWEEP_CANONICAL.threshold);
  const fine = at.sort((a, b) => a.resolution - b.resolution)[0];
  if (!fine) return null;
  return { text: `${c.id} **${fine.verdict}** (${brief(String(fine.figure.text))})`, configurations: fine.configurations };
}

function answer(claims: readonly PageOneClaim[]): string {
  const by = (ids: readonly string[]) => ids.map((id) => claims.find((c) => c.id === id)).filter((c): c is PageOneClaim => c !== undefined);
  const parts: string[] = [];
  const precedence = by(PRECEDENCE);
  if (precedence.length) {
    const replicated = precedence.map(onReplicates).filter((r): r is NonNullable<typeof r> => r !== null);
    const n = replicated.find((r) => r.configurations !== null)?.configurations;
    parts.push(
      `**Does FSD synchronise before grokking?** On the paper's main configurations: ${precedence.map(marked).join('; ')}.` +
        (replicated.length ? ` On the ${n ?? ''} replicate configurations (every seed of every prime): ${replicated.map((r) => r.text).join('; ')}.` : ''),
    );
  }
  const lags = significantLags(claims.find((c) => c.id === 'C01'));
  if (lags) parts.push(lags);
  const decay = by(WEIGHT_DECAY);
  if (decay.length) parts.push(`**Does weight decay set the gap?** ${decay.map(marked).join('; ')}.`);
  const fragile = claims.filter((c) => c.robustness === 'fragile').length;
  parts.push(
    `Of the ${claims.length} claims, ${verdictCounts(claims.map((c) => c.verdict))}; ` +
      `${fragile} change verdict when only the summation order of training changes (fragile), so their verdicts cannot be told apart from rounding.`,
  );
  return parts.join('\n\n');
}

/**
 * Where the sweep shows the opposite of the claim with significance: the thresholds of the canonical rule family at
 * which FSD lags grokking in more configurations than chance allows (C01's one-sided sign test against leading,
 * at ALPHA), per set and resolution; null when there are none.
 */
function significantLags(c01: PageOneClaim | undefined): string | null {
  if (!c01) return null;
  const lagging = c01.sweep.filter((e) => e.family === SWEEP_CANONICAL.family && typeof e.figure.p_lag === 'number' && e.figure.p_lag <= ALPHA);
  if (lagging.length === 0) return null;
  const bySet = new Map<string, typeof lagging>();
  for (const e of lagging) bySet.set(e.set, [...(bySet.get(e.set) ?? []), e]);
  const lines = [...bySet.entries()].map(([set, entries]) => {
    const n = entries[0].configurations;
    const points = entries
      .sort((a, b) => a.resolution - b.resolution || a.threshold! - b.threshold!)
      .map((e) => `T = ${e.threshold!.toFixed(2)} @${e.resolution} (${e.figure.positive} of ${e.figure.of} lead, p = ${Number(e.figure.p_lag).toPrecision(2)})`);
    const count = n ? `${n} ` : '';
    const which = set === SWEEP_CANONICAL.set ? `paper's ${count}main` : `${count}${set === REPLICATES_SWEEP_SET.name ? 'replicate' : set}`;
    return `on the ${which} configurations at ${points.join(', ')}`;
  });
  return `**Where the evidence points the other way:** FSD syncs significantly *after* grokking (a one-sided sign test at ${ALPHA} against leading, never-synced configurations counted as lagging) ${lines.join('; ')}.`;
}

export const circuitSyncPageOne: PageOne = {
  answer,
  // Leads against the threshold on every configuration (25 on the paper profile), else on the main ones.
  headlinePlots: ['leads-vs-threshold-replicates', 'leads-vs-threshold'],
};
