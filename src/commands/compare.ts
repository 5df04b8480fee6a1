/** `grokcheck compare OLD NEW`: which verdicts and figures moved between two reports (src/report/compare.ts). */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compareReports, ComparedReportSchema, renderComparison, type ComparedReport } from '../report/compare.js';
import { parseConfig, readJsonFile } from '../schema/parse.js';
import { CLI, UsageError, type Command } from './command.js';
import { Flags, switchFlag, valueFlag } from './flags.js';

const COMPARE_FLAGS = new Flags({
  tolerance: valueFlag('REL', z.coerce.number().min(0).default(0), 'relative change a number may make without counting as moved (the same records give the\nsame numbers, so 0)'),
  json: switchFlag('print the comparison as JSON: {claims: [{id, robustness, verdict, figure, moves, regression}], regressions}'),
});

/** A report: verdict.json itself, or the folder that holds it. */
function readReport(path: string): ComparedReport {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'verdict.json') : path;
  return parseConfig(ComparedReportSchema, readJsonFile(file, 'verdict report'), file);
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'which verdicts and figures moved between two reports (after a code change)',
  help: `Usage: ${CLI} compare OLD NEW [flags]

OLD and NEW are verdict.json files, or the report folders that hold them (e.g. the committed reports/ and
a report written to /tmp/new after a change). Prints, as Markdown, every claim whose verdict, figure or any
number of its data moved, with OLD's rounding mark: a robust claim must not move under a change that keeps the
arithmetic (training is deterministic: the same code and runs give the same records bit for bit); a fragile
one may (its verdict changes when only the summation order of training does).

${COMPARE_FLAGS.help()}

Exit code: 0 when no robust claim moved; 1 when one did (a regression); 2 on bad arguments or files.
Example: ${CLI} verify --profile paper --records-only --report-dir /tmp/new && ${CLI} compare reports /tmp/new`,
  async run(argv) {
    const { values: f, positionals } = COMPARE_FLAGS.parse(argv, { positionals: true });
    if (positionals.length !== 2) throw new UsageError('expected two reports: OLD and NEW (verdict.json files or their folders)');
    const [oldPath, newPath] = positionals;
    const old = readReport(oldPath), next = readReport(newPath);
    if (old.paper.id !== next.paper.id) throw new UsageError(`the reports are of different papers (${old.paper.id}, ${next.paper.id})`);
    const comparison = compareReports(old, next, f.tolerance);
    if (f.json) console.log(JSON.stringify(comparison));
    else console.log(renderComparison(comparison, { old: oldPath, new: newPath }));
    return comparison.regressions > 0 ? 1 : 0;
  },
};
