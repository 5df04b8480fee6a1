/**
 * The verdict report (claims.md): reports/verdict.md and reports/verdict.json. Per claim: the paper's figure,
 * ours at our resolution and on the paper's coarse grid, the band, the verdict with its reason, the runs
 * behind it and its caveats; then the sensitivity of every verdict to our documented choices, the fork points,
 * the plots and the provenance. Building the report is pure; `writeReport` is the only I/O.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { shortFigure, verdictCounts, VERDICTS, type ClaimDefinition, type ClaimTable, type FigureData, type Verdict } from '../paper/claim.js';
import type { AnyPaper, Plot, Profile, ReportSection } from '../paper/paper.js';
import type { ForkPointEntry, RoleBase, RunSet, WaitingRun } from '../paper/runSet.js';
import { writeFileAtomic } from '../runs/atomic.js';
import { alternativesRoundingByClaim, changesByClaim, roundingWords, type ClaimResult, type Provenance, type SensitivityRow, type SweepEntry, type SweepSummary } from './inputs.js';
import type { RenderedPlot } from './plotRender.js';
import { ROBUSTNESS_MARKS, type Robustness, type RobustnessMark } from './inputs.js';

/** A result assembled without a robustness assessment (a unit test's report). */
const UNASSESSED: Robustness = { mark: 'untested', perturbed_verdict: null, perturbed_figure: null, note: 'not assessed' };

/** A claim's definition as the paper states it (not its experiments), then what we found. */
export interface ClaimEntry extends Pick<ClaimDefinition, 'id' | 'name' | 'statement' | 'paper' | 'band' | 'direction'> {
  verdict: Verdict;
  reason: string;
  ours: string;
  /** On the paper's coarse checkpoint grid. */
  ours_coarse: string;
  verdict_coarse: Verdict;
  reason_coarse: string;
  runs: string[];
  notes: string[];
  /**
   * Notes of the reading on the coarse grid that the fine reading does not have (issue 27: C06 on the 500-step
   * grid left out branches as never grokked, and only verdict.json said so).
   */
  notes_coarse: string[];
  /** Single-option alternatives under which the verdict changes (`option=value -> verdict`). */
  changes_under_options: string[];
  /** Its verdicts under every alternative, marked on the perturbed re-run, in words (null without one). */
  alternatives_rounding: string | null;
  data: FigureData;
  data_coarse: FigureData;
  /** What the verdict does and does not test, when that is less than the claim's wording suggests. */
  caveat: string | null;
  /** Evidence beside the verdict (baselines, alternative estimators). */
  tables: ClaimTable[];
  /** The verdict and headline figure at every point of the evidence sweep (empty for claims without one). */
  sweep: SweepEntry[];
  sweep_summary: SweepSummary | null;
  /** How many configurations the canonical verdict rests on, where the claim pools them (the paper's design). */
  configurations: number | null;
  /** `robust` or `fragile` under the profile's rounding-only perturbation, or `untested` (and why). */
  robustness: RobustnessMark;
  robustness_detail: Robustness;
}

export interface VerdictReport {
  format: 'grokcheck-verdict/1';
  /** The paper: its title and reference (e.g. `arXiv 2606.12966`) for the heading; its own-scale profile. */
  paper: { id: string; title: string; reference: string; default_profile: string };
  profile: string;
  profile_description: string;
  profile_rationale: string;
  /** `trained` (run store) or `records-only` (committed records). */
  source: string;
  /** The command line that wrote this report, so that it can be regenerated. */
  command: string;
  generated: string;
  /** Our grid, and the coarse one with what it is (e.g. the paper's grid). */
  resolution: { fine: string; coarse: number; coarse_grid: string };
  summary: Record<Verdict, number>;
  claims: ClaimEntry[];
  /** How robustness was assessed: the perturbation in words, where its runs came from (null: none found), the counts. */
  robustness: { perturbation: string; source: string | null; counts: Record<RobustnessMark, number> };
  sensitivity: { limits: string[]; variants: SensitivityRow[] };
  fork_points: ForkPointEntry[];
  waiting: WaitingRun[];
  runs: { key: string; id: string; state: string; wall_s: number | null; engine: string | null; message: string | null }[];
  plots: { file: string; title: string; caption: string; data: string; spec: string }[];
  /** Page one (issue 27): the paper's questions answered from the verdicts, and the plot shown beside them. */
  page_one: { answer: string | null; headline_plot: string | null };
  /** The paper's evidence sweep in words (Paper.analysis.sweep), null when it offers none. */
  evidence: { title: string; description: string } | null;
  /** The paper's own sections (Paper.sections); absent when it has none. */
  sections?: { title: string; paragraphs: string[]; tables: ClaimTable[]; plots: string[] }[];
  provenance: Provenance;
}

export interface ReportInputs {
  paper: Pick<AnyPaper, 'id' | 'title' | 'reference' | 'defaultProfile' | 'analysis' | 'pageOne'>;
  set: RunSet<RoleBase, Profile>;
  /** The paper's own sections (Paper.sections), after the claims. */
  sections?: readonly ReportSection[];
  results: ClaimResult[];
  sensitivity: SensitivityRow[];
  provenance: Provenance;
  plots: Plot[];
  source: string;
  command: string;
  generated: Date;
  /** Where the perturbed re-run's runs came from, when robustness was assessed. */
  perturbedSource?: string;
}

export function buildVerdictReport(inputs: ReportInputs): VerdictReport {
  const { set, results } = inputs;
  const changes = changesByClaim(inputs.sensitivity);
  const alternativesRounding = alternativesRoundingByClaim(inputs.sensitivity);
  const summary = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of results) summary[r.fine.verdict]++;
  const evalEvery = [...new Set([...set.runs.values()].map((r) => r.config.eval_every))].join('/');
  const pageOneClaims = results.map((r) => ({
    id: r.definition.id,
    name: r.definition.name,
    verdict: r.fine.verdict,
    ours: r.fine.figure,
    robustness: (r.robustness ?? UNASSESSED).mark,
    sweep: r.sweep?.entries ?? [],
  }));
  const drawn = new Set(inputs.plots.map((p) => p.file));
  const headline = inputs.paper.pageOne?.headlinePlots.find((file) => drawn.has(file));
  return {
    format: 'grokcheck-verdict/1',
    paper: { id: inputs.paper.id, title: inputs.paper.title, reference: inputs.paper.reference, default_profile: inputs.paper.defaultProfile },
    profile: set.profile.name,
    profile_description: set.profile.description,
    profile_rationale: set.profile.rationale,
    source: inputs.source,
    command: inputs.command,
    generated: inputs.generated.toISOString(),
    resolution: { fine: `every checkpoint (eval_every ${evalEvery || 'n/a'})`, coarse: set.profile.coarseStep, coarse_grid: inputs.paper.analysis.coarseGrid },
    summary,
    claims: results.map((r) => ({
      id: r.definition.id,
      name: r.definition.name,
      statement: r.definition.statement,
      paper: r.definition.paper,
      band: r.definition.band,
      direction: r.definition.direction,
      verdict: r.fine.verdict,
      reason: r.fine.reason,
      ours: r.fine.figure,
      ours_coarse: r.coarse.figure,
      verdict_coarse: r.coarse.verdict,
      reason_coarse: r.coarse.reason,
      runs: r.fine.runIds,
      notes: r.fine.notes,
      notes_coarse: r.coarse.notes.filter((n) => !r.fine.notes.includes(n)),
      changes_under_options: changes.get(r.definition.id) ?? [],
      alternatives_rounding: alternativesRounding.get(r.definition.id) ?? null,
      data: r.fine.data,
      data_coarse: r.coarse.data,
      caveat: r.fine.caveat ?? null,
      tables: r.fine.tables ?? [],
      sweep: r.sweep?.entries ?? [],
      sweep_summary: r.sweep?.summary ?? null,
      configurations: r.fine.configurations ?? null,
      robustness: (r.robustness ?? UNASSESSED).mark,
      robustness_detail: r.robustness ?? UNASSESSED,
    })),
    robustness: {
      perturbation: set.profile.perturbation,
      source: inputs.perturbedSource ?? null,
      counts: Object.fromEntries(ROBUSTNESS_MARKS.map((m) => [m, results.filter((r) => (r.robustness ?? UNASSESSED).mark === m).length])) as Record<RobustnessMark, number>,
    },
    sensitivity: { limits: [...inputs.paper.analysis.limits], variants: inputs.sensitivity },
    fork_points: set.plan.forkPoints,
    waiting: set.plan.waiting,
    runs: [...set.runs.values()].map((r) => ({
      key: r.key,
      id: r.id,
      state: r.state,
      wall_s: r.wall_s ?? null,
      engine: r.engine ?? null,
      message: r.message ?? null,
    })),
    plots: inputs.plots.map((p) => ({ file: `plots/${p.file}.svg`, title: p.title, caption: p.caption, data: `plots/${p.file}.csv`, spec: `plots/${p.file}.vl.json` })),
    page_one: {
      answer: inputs.paper.pageOne ? inputs.paper.pageOne.answer(pageOneClaims, set.profile.name) : null,
      headline_plot: headline === undefined ? null : `plots/${headline}.svg`,
    },
    evidence: inputs.paper.analysis.sweep ? { title: inputs.paper.analysis.sweep.title, description: inputs.paper.analysis.sweep.description } : null,
    ...(inputs.sections?.length ? { sections: inputs.sections.map((s) => ({ title: s.title, paragraphs: [...s.paragraphs], tables: [...s.tables], plots: s.plots.map((f) => `plots/${f}.svg`) })) } : {}),
    provenance: inputs.provenance,
  };
}

/** Escapes a table cell: pipes would split it, newlines would end the row. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const NOTE_LIMIT = 8;

const LETTERS: Record<Verdict, string> = { reproduced: 'R', 'direction only': 'D', inconclusive: 'I', 'not reproduced': 'N', 'not evaluable': '-' };
const letter = (v: Verdict | undefined) => (v === undefined ? '' : LETTERS[v]);

/** A sweep set in words: `paper set (9 configurations)`, `replicates set (25 configurations)`. */
function setLabel(set: string, configurations: number | null): string {
  return `${set} set${configurations === null ? '' : ` (${configurations} configurations)`}`;
}

function sweepCell(s: SweepSummary | null): string {
  if (!s) return '';
  const range = s.holds ? `; threshold ${s.holds.lo.toFixed(2)}-${s.holds.hi.toFixed(2)}` : '';
  const near = s.nearMiss?.length ? `; **near miss**: ${s.nearMiss.map((m) => `${m.verdict} at ${m.threshold.toFixed(2)}`).join(', ')}` : '';
  return `${s.mark} (${s.agreeing}/${s.points}${range}${near})`;
}

function renderTable(t: ClaimTable): string[] {
  const show = (v: string | number | null) => (v === null ? '-' : cell(String(v)));
  return [`${t.title}:`, '', `| ${t.columns.map(cell).join(' | ')} |`, `|${t.columns.map(() => '---|').join('')}`, ...t.rows.map((r) => `| ${r.map(show).join(' | ')} |`)];
}

/** A cell cut to `max` characters at a word boundary, marked with an ellipsis when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), Math.floor(max / 2)))}…`;
}

/** A verdict's strength in a few words: its rounding mark, the canonical rule's threshold range, a near miss. */
function strengthCell(c: ClaimEntry): string {
  const parts: string[] = [c.robustness];
  const s = c.sweep_summary;
  if (s?.holds) parts.push(`T ${s.holds.lo.toFixed(2)}-${s.holds.hi.toFixed(2)}`);
  if (s?.nearMiss?.length) parts.push(`near miss at ${s.nearMiss.map((m) => m.threshold.toFixed(2)).join('/')}`);
  if (c.changes_under_options.length) parts.push(`${c.changes_under_options.length} alternative(s) change it`);
  return parts.join('; ');
}

/**
 * Page one (issue 27): what a reviewer needs first and can paste: the paper's questions answered from the
 * verdicts (generated by the paper), one short row per claim with the verdict's strength, and the headline plot.
 * verdict.md opens with it; SUMMARY.md is it alone.
 */
export function renderPageOne(report: VerdictReport): string[] {
  const out: string[] = [`# Verdicts: "${report.paper.title}" (${report.paper.reference})`, ''];
  out.push(`Profile \`${report.profile}\`, ${report.claims.length} ${report.claims.length === 1 ? 'claim' : 'claims'}; source: ${report.source}; written by \`${report.command}\` on ${report.generated.slice(0, 10)}.`, '');
  if (report.page_one.answer) out.push(report.page_one.answer, '');
  out.push('| claim | paper | ours | verdict | strength |', '|---|---|---|---|---|');
  for (const c of report.claims)
    out.push(`| ${c.id} ${cell(clip(c.statement, 44))} | ${cell(clip(shortFigure(c.paper), 26))} | ${cell(clip(shortFigure(c.ours), 30))} | **${c.verdict}** | ${cell(strengthCell(c))} |`);
  out.push(
    '',
    'Strength: `robust` or `fragile` (the same verdict, or another, when training is re-run with only the summation order changed), ' +
      (report.evidence ? 'the range of the canonical rule\'s threshold T over which the verdict holds, a **near miss** (it changes one sweep step from the canonical T) ' : '') +
      'and how many documented alternative choices change it. `inconclusive`: the claim\'s test supports neither its direction nor the opposite. Every figure in full, with its runs, is under "Details" below and in verdict.json.',
    '',
  );
  const plot = report.plots.find((p) => p.file === report.page_one.headline_plot);
  if (plot) out.push(`![${plot.title}](${plot.file})`, '', `*${plot.title}*: ${plot.caption} (data: [${plot.data}](${plot.data})).`, '');
  return out;
}

/** Where the report comes from, the verdict words, and the table of every claim with its marks. */
function detailsSection(report: VerdictReport): string[] {
  const out: string[] = [];
  out.push('## Details', '');
  out.push(`Profile \`${report.profile}\`: ${report.profile_description} Source: ${report.source}. Generated ${report.generated}.`, '');
  out.push(`Written by \`${report.command}\`.`, '');
  out.push(
    `**${report.claims.length} ${report.claims.length === 1 ? 'claim' : 'claims'}: ${verdictCounts(report.claims.map((c) => c.verdict))}.**`,
    '',
  );
  out.push(
    `Verdicts: \`reproduced\` (direction and magnitude within the band), \`direction only\` (the qualitative claim holds, the magnitude is outside the band; where the claim has a statistical test, the test supports the direction), ` +
      '`inconclusive` (the claim\'s test supports neither its direction nor the opposite), `not reproduced` (the band and the direction fail; with a test, the opposite direction is supported or the claim has no such test), `not evaluable` (runs missing, diverged or cut short). A verdict is a finding, not a harness failure. ' +
      `"Ours" is read at ${report.resolution.fine}; "ours @${report.resolution.coarse}" only on checkpoints whose step is a multiple of ${report.resolution.coarse} (${report.resolution.coarse_grid}).`,
    '',
  );
  if (report.profile !== report.paper.default_profile)
    out.push(`Note: the bands are the paper's; in a scaled-down profile step counts are not comparable with the paper's, so magnitudes often land outside them.`, '');
  // The sweep column only where the paper offers an evidence sweep (Paper.analysis.sweep).
  const swept = report.evidence !== null;
  const columns = ['claim', 'paper', 'ours', `ours @${report.resolution.coarse}`, 'band', 'verdict', ...(swept ? ['over the sweep'] : []), 'rounding'];
  out.push(`| ${columns.join(' | ')} |`, `|${columns.map(() => '---|').join('')}`);
  for (const c of report.claims) {
    const moved = c.verdict_coarse !== c.verdict ? ` (@${report.resolution.coarse}: ${c.verdict_coarse})` : '';
    const flips = c.changes_under_options.length ? ' *' : '';
    const caveat = c.caveat ? ' †' : '';
    const sweep = swept ? ` ${cell(sweepCell(c.sweep_summary))} |` : '';
    out.push(`| ${c.id} ${c.name} | ${cell(c.paper)} | ${cell(c.ours)} | ${cell(c.ours_coarse)} | ${cell(c.band)} | **${c.verdict}**${moved}${flips}${caveat} |${sweep} ${c.robustness} |`);
  }
  out.push(
    '',
    '\\* the verdict changes under a documented alternative choice (see Sensitivity). † the test is weaker than the claim\'s wording (see the claim). ' +
      (swept
        ? '"Over the sweep": at how many of the evidence sweep\'s rule/threshold/resolution points the verdict is the same, and the range of the canonical rule\'s threshold around the canonical one over which it holds (see Evidence); a **near miss** is a verdict that changes one sweep step from the canonical threshold. '
        : '') +
      `"Rounding": \`robust\` when the profile's rounding-only perturbed re-run gives the same verdict, \`fragile\` when it gives another, \`untested\` when its runs are not there (${
        report.robustness.source ? `perturbed runs: ${report.robustness.source}` : 'no perturbed re-run was found'
      }; ${report.robustness.counts.robust} robust, ${report.robustness.counts.fragile} fragile, ${report.robustness.counts.untested} untested). ${report.robustness.perturbation}`,
    '',
  );

  return out;
}

/** One subsection per claim: the claim, both readings, the band, why, its evidence and notes. */
function claimsSection(report: VerdictReport): string[] {
  const out: string[] = [];
  out.push('## Claims', '');
  for (const c of report.claims) {
    out.push(`### ${c.id} ${c.name}: ${c.verdict}`, '');
    out.push(`- Claim: ${c.statement}.`);
    out.push(`- Paper: ${c.paper}.`);
    out.push(`- Ours: ${c.ours}.`);
    out.push(`- Ours @${report.resolution.coarse}: ${c.ours_coarse}: ${c.verdict_coarse}${c.verdict_coarse !== c.verdict ? ` (${c.reason_coarse})` : ''}.`);
    out.push(`- Band for \`reproduced\`: ${c.band}. \`direction only\`: ${c.direction}.`);
    out.push(`- Why: ${c.reason}.`);
    if (c.caveat) out.push(`- † What this tests: ${c.caveat}.`);
    const rb = c.robustness_detail;
    out.push(`- Under the rounding-only perturbation: ${rb.mark}${rb.note ? ` (${rb.note})` : rb.perturbed_figure ? ` (there: ${rb.perturbed_figure})` : ''}.`);
    if (c.sweep_summary) {
      const sw = c.sweep_summary;
      out.push(`- Over the sweep (${sw.mark}: the canonical verdict at ${sw.agreeing} of ${sw.points} points):`);
      const canonicalSet = c.sweep[0]?.set;
      for (const l of sw.lines)
        out.push(`  - ${l.set === canonicalSet ? '' : `on the ${setLabel(l.set, l.configurations)}: `}\`${l.family}\` @${l.resolution}: ${l.text}.`);
    }
    if (c.configurations !== null)
      out.push(`- Rests on: ${c.sweep[0] ? `the ${setLabel(c.sweep[0].set, c.configurations)}, the paper's design` : `${c.configurations} configurations`}${c.sweep.some((e) => e.set !== c.sweep[0].set) ? '; the other sets are in the sweep lines above' : ''}.`);
    if (c.changes_under_options.length) out.push(`- Verdict changes under: ${c.changes_under_options.join('; ')}.`);
    if (c.alternatives_rounding) out.push(`- Under each alternative, on the rounding-only perturbation: ${c.alternatives_rounding}.`);
    if (c.runs.length) out.push(`- Runs (${c.runs.length}): ${c.runs.map((r) => `\`${r}\``).join(', ')}.`);
    if (c.notes.length) {
      out.push(`- Notes:`);
      for (const n of c.notes.slice(0, NOTE_LIMIT)) out.push(`  - ${n}`);
      if (c.notes.length > NOTE_LIMIT) out.push(`  - ... and ${c.notes.length - NOTE_LIMIT} more (verdict.json)`);
    }
    if (c.notes_coarse.length) {
      out.push(
        `- Notes @${report.resolution.coarse} only (the reading on checkpoints whose step is a multiple of ${report.resolution.coarse}):`,
      );
      for (const n of c.notes_coarse.slice(0, NOTE_LIMIT)) out.push(`  - ${n}`);
      if (c.notes_coarse.length > NOTE_LIMIT) out.push(`  - ... and ${c.notes_coarse.length - NOTE_LIMIT} more (verdict.json)`);
    }
    for (const t of c.tables) out.push('', ...renderTable(t));
    out.push('');
  }

  return out;
}

/** The paper's evidence sweep, one row per claim, rule family and resolution (none when the paper offers no sweep). */
function sweepSection(report: VerdictReport): string[] {
  const out: string[] = [];
  const swept = report.claims.filter((c) => c.sweep.length);
  if (swept.length && report.evidence) {
    out.push(`## Evidence: ${report.evidence.title}`, '');
    out.push(
      `${report.evidence.description} Cells: R reproduced, D direction only, N not reproduced, - not evaluable. Every figure is in verdict.json (\`claims[].sweep\`).`,
      '',
    );
    const thresholds = [...new Set(swept.flatMap((c) => c.sweep.map((e) => e.threshold)).filter((t): t is number => t !== null))].sort((a, b) => a - b);
    out.push(`| claim | rule | @ | ${thresholds.map((t) => t.toFixed(2)).join(' | ')} | no threshold |`, `|---|---|---|${thresholds.map(() => '---|').join('')}---|`);
    for (const c of swept) {
      const groups = new Map<string, SweepEntry[]>();
      for (const e of c.sweep) {
        const key = `${e.set}\u0000${e.family}\u0000${e.resolution}`;
        groups.set(key, [...(groups.get(key) ?? []), e]);
      }
      for (const g of groups.values()) {
        const at = (t: number) => g.find((e) => e.threshold !== null && Math.abs(e.threshold - t) < 1e-9);
        const free = g.find((e) => e.threshold === null);
        const set = g[0].set === c.sweep[0].set ? '' : ` (${setLabel(g[0].set, g[0].configurations)})`;
        out.push(`| ${c.id} | \`${g[0].family}\`${set} | ${g[0].resolution} | ${thresholds.map((t) => letter(at(t)?.verdict)).join(' | ')} | ${free ? letter(free.verdict) : ''} |`);
      }
    }
    out.push('');
  }

  return out;
}

/** Each named option's changed verdicts and moved figures. */
function sensitivitySection(report: VerdictReport): string[] {
  const out: string[] = [];
  out.push('## Sensitivity to our choices', '');
  out.push(
    'Each claim re-derived from the same runs with one named option (shared/spec/metrics.md "Named options") changed; ' +
      'each changed verdict is marked robust, fragile or untested as the verdicts are, by the same option on the perturbed re-run:',
    '',
  );
  out.push('| option | verdicts that change (the figure there) | figures that move, verdict unchanged |', '|---|---|---|');
  for (const row of report.sensitivity.variants) {
    const changed = row.changes.map((c) => `${c.claim}: ${c.canonical} -> ${c.alternative} (${c.figure}${c.rounding ? `; rounding: ${roundingWords(c.rounding)}` : ''})`);
    const moved = Object.keys(row.figures).filter((id) => !row.changes.some((c) => c.claim === id));
    out.push(`| \`${row.variant}\` | ${cell(changed.length ? changed.join('; ') : 'none')} | ${moved.length ? moved.join(', ') : 'none'} |`);
  }
  out.push('', 'The moved figures are in verdict.json (`sensitivity.variants[].figures`).');
  out.push('', 'Limits:', ...report.sensitivity.limits.map((l) => `- ${l}`), '');

  return out;
}

/** The fork parents' chosen steps and the forks not yet planned. */
function forkPointsSection(report: VerdictReport): string[] {
  const out: string[] = [];
  // A paper (or a claim) whose runs fork nothing has no such section.
  if (report.fork_points.length === 0 && report.waiting.length === 0) return out;
  out.push('## Fork points', '');
  for (const f of report.fork_points) out.push(`- ${f.parentKey} (\`${f.parentId}\`): step ${f.step}, ${f.source}${f.note ? ` (${f.note})` : ''}`);
  for (const w of report.waiting) out.push(`- not planned: ${w.key}: ${w.reason} (${w.parentKey})`);
  out.push('');

  return out;
}

/** Every plot with its caption, data and spec. */
function plotsSection(report: VerdictReport): string[] {
  const out: string[] = [];
  if (report.plots.length) {
    out.push('## Plots', '');
    out.push('Each plot\'s data is beside it as CSV, and its vega-lite spec (with the data inline) as .vl.json.', '');
    for (const p of report.plots) out.push(`![${p.title}](${p.file})`, '', `${p.caption} ([data](${p.data}), [spec](${p.spec}))`, '');
  }

  return out;
}

/** Which code, machines and engines produced the report and its runs. */
function provenanceSection(report: VerdictReport): string[] {
  const out: string[] = [];
  const pv = report.provenance;
  out.push('## Provenance', '');
  out.push(`- Code that wrote this report: git ${pv.git.commit ?? 'unknown'}${pv.git.dirty ? ' (with uncommitted changes)' : ''}.`);
  out.push(`- Trained by (from each run's records: commit, CPU, engine):${pv.trainers.length ? '' : ' not recorded.'}`);
  for (const t of pv.trainers)
    out.push(
      `  - git ${t.commit ?? 'unknown'}${t.dirty ? ' (with uncommitted changes)' : ''}, ${t.cpu}, ${t.engine}: ${t.runs} run(s), ` +
        `${t.first.slice(0, 10)}${t.last.slice(0, 10) === t.first.slice(0, 10) ? '' : ` to ${t.last.slice(0, 10)}`}`,
    );
  if (pv.untraced_runs) out.push(`  - ${pv.untraced_runs} run(s) trained before records named their trainer: unknown.`);
  out.push(`- Engines: ${pv.engines.length ? pv.engines.join('; ') : 'none recorded'}.`);
  out.push(`- Runtime: Node ${pv.node}; ${Object.entries(pv.packages).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  out.push(`- Machine that wrote this report: ${pv.machine.cpu}, ${pv.machine.cores} cores, ${pv.machine.memory_gib} GiB, ${pv.machine.os}.`);
  out.push(`- How the profile was chosen: ${report.profile_rationale}`);
  out.push(`- Training wall time: ${pv.total_wall_s.toFixed(0)} s over ${report.runs.length} planned runs.`, '');
  out.push('| experiment | runs (complete) | seeds | wall time (s) |', '|---|---|---|---|');
  for (const e of pv.experiments) out.push(`| ${e.experiment} | ${e.runs} (${e.complete}) | ${e.seeds.join(', ')} | ${e.wall_s.toFixed(0)} |`);
  out.push('');
  return out;
}

/** The whole report: page one, then one function per section, in order. */
/** The paper's own sections: words, tables and the plots they show. */
function paperSections(report: VerdictReport): string[] {
  return (report.sections ?? []).flatMap((section) => {
    const out = [`## ${section.title}`, ''];
    for (const p of section.paragraphs) out.push(p, '');
    for (const t of section.tables) out.push(...renderTable(t), '');
    for (const file of section.plots) {
      const plot = report.plots.find((p) => p.file === file);
      if (plot) out.push(`![${plot.title}](${plot.file})`, '', `*${plot.title}*: ${plot.caption}`, '');
    }
    return out;
  });
}

export function renderMarkdown(report: VerdictReport): string {
  const sections = [renderPageOne, detailsSection, claimsSection, paperSections, sweepSection, sensitivitySection, forkPointsSection, plotsSection, provenanceSection];
  return sections.flatMap((section) => section(report)).join('\n');
}

export interface WrittenReport {
  markdown: string;
  json: string;
  plots: string[];
}

/** Writes verdict.md, verdict.json and plots/<file>.{svg,csv,vl.json} under `dir` (each file atomically). */
export function writeReport(dir: string, report: VerdictReport, plots: readonly RenderedPlot[]): WrittenReport {
  mkdirSync(join(dir, 'plots'), { recursive: true });
  const written: string[] = [];
  for (const p of plots) {
    const base = join(dir, 'plots', p.file);
    writeFileAtomic(`${base}.svg`, p.svg);
    writeFileAtomic(`${base}.csv`, p.csv);
    writeFileAtomic(`${base}.vl.json`, p.spec);
    written.push(`${base}.svg`);
  }
  // Plots of an earlier report that this one no longer draws would otherwise look current.
  const kept = new Set(written.flatMap((f) => [f, f.replace(/\.svg$/, '.csv'), f.replace(/\.svg$/, '.vl.json')]));
  for (const name of readdirSync(join(dir, 'plots'))) {
    const file = join(dir, 'plots', name);
    if (/\.(svg|csv|vl\.json)$/.test(name) && !kept.has(file)) rmSync(file);
  }
  const markdown = join(dir, 'verdict.md');
  const json = join(dir, 'verdict.json');
  writeFileAtomic(markdown, renderMarkdown(report));
  writeFileAtomic(join(dir, 'SUMMARY.md'), `${renderPageOne(report).join('\n')}\nThe whole report: [verdict.md](verdict.md).\n`);
  writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  return { markdown, json, plots: written };
}
