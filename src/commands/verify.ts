/**
 * `grokcheck verify`: the verify pipeline (src/verify/pipeline.ts) from the command line: train what a paper
 * profile's experiments still need (in --jobs processes), evaluate the claims, write the verdict report, print a
 * summary line.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { experimentsWithEvidence, verdictCounts, type Verdict } from '../paper/claim.js';
import { DEFAULT_PAPER, PAPERS, paperById } from '../papers/index.js';
import type { AnyPaper } from '../paper/paper.js';
import { writeFileAtomic } from '../runs/atomic.js';
import { LockHeldError } from '../runs/store.js';
import { buildBaseline, type ReportClaims } from '../verify/baseline.js';
import { claimDefinition } from '../verify/evaluate.js';
import { exportRecords, perturbedEvaluation, reportPath, runsFromRecords, trainRuns, verdictReport, writeVerdictReport, type AnyRunSet } from '../verify/pipeline.js';
import { grokHistoryOf, planRows, renderPlan, type CommittedByKey, type CommittedRuns } from '../verify/plan.js';
import type { CoreRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import { assembleRunSet } from '../verify/runSet.js';
import { parseShard, shardMembership } from '../verify/shards.js';
import { storeSource } from '../verify/trainProfile.js';
import type { Profile } from '../paper/paper.js';
import type { RoleBase } from '../paper/runSet.js';
import { CLI, UsageError, type Command } from './command.js';
import { ENGINE_FLAGS, engineOptionsOf, LOCKSTEP_FLAGS, lockstepLine } from './engineFlags.js';
import { Flags, switchFlag, valueFlag } from './flags.js';
import { planJobs, startWorkers } from './jobs.js';
import { noticesOnly } from './progress.js';
import { formatDuration, VerifyProgress } from './verifyProgress.js';
import { readExportedRuns, type ExportedRuns } from '../verify/recordsExport.js';
import { committedRecordsDir, reportDirOf, runStoreDir } from './paperPaths.js';


/** More training than this (estimated, elapsed) and a terminal: verify asks before it starts (issue 26). */
const CONFIRM_ABOVE_S = 5 * 60;

/** Asks `question` on the terminal; true for y or yes. */
async function confirm(question: string): Promise<boolean> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await readline.question(question)).trim());
  } finally {
    readline.close();
  }
}

/** Where a profile's committed records and run store are by default (its label: `paper`, `paper-reordered`). */

/** How each profile's perturbed re-run perturbs it and which experiments it trains, read off the profiles (the help text). */
function perturbedExperimentsLines(): string {
  return PAPERS.flatMap((paper) =>
    paper.profileNames.map((name) => {
      const profile = paper.profile(name);
      return `  ${PAPERS.length > 1 ? `${paper.id} ` : ''}${name}: ${profile.perturbationMethod}, on ${profile.perturbedExperiments?.join(', ') ?? 'every experiment'}`;
    }),
  ).join('\n');
}

const VERIFY_FLAGS = new Flags({
  paper: valueFlag('ID', z.string().default(DEFAULT_PAPER.id), `the paper to check: ${PAPERS.map((p) => p.id).join(', ')}`),
  profile: valueFlag(
    'NAME',
    z.string().optional(),
    `${DEFAULT_PAPER.profileNames.join(' or ')} (default ${DEFAULT_PAPER.defaultProfile}: the paper's experiment table; hours on a CPU;\nsmall: the same design scaled down for CPU CI; minutes)`,
  ),
  claim: valueFlag('ID', z.string().transform((s) => s.toUpperCase()).optional(), `evaluate one claim (${PAPERS.map((p) => `${p.claims[0].id}..${p.claims.at(-1)!.id} of ${p.id}`).join(', ')}), training only\nthe experiments it reads`),
  ...ENGINE_FLAGS,
  ...LOCKSTEP_FLAGS,
  threads: valueFlag('N', z.coerce.number().int().positive().optional(), 'native engine threads per process (default: cores / jobs; results do not depend on it)'),
  jobs: valueFlag(
    'N',
    z.coerce.number().int().positive().max(64).optional(),
    'train in N processes at once on the same run store (default: one per core, at most 8; 1 on\n--engine webgpu, which trains in lockstep groups); runs are locked one by one, so the processes\nsplit the work',
  ),
  plan: switchFlag('train nothing: list, per experiment, the runs the profile needs, which the store already holds,\nand how long the rest should take (the cost model: each run shape timed once on this machine)'),
  json: switchFlag('with --plan: print {runs: [{key, id, experiment, state, estimated_s, expected_stop, basis}],\ntotal_estimated_s, method}'),
  shard: valueFlag(
    'i/N',
    z.string().optional(),
    'train only shard i (0..N-1) of the plan, whole families (a root run and its forks) balanced by the\ncost model, the same split on every machine; no report: merge the shards\' stores (grokcheck merge)\nand run verify on the result',
  ),
  'train-only': switchFlag('train the runs and stop: no measurements, evaluation or report (what --jobs runs in its\nworker processes; exit 1 if a run failed)'),
  runs: valueFlag('DIR', z.string().optional(), `run store (default: runs/<profile>; another paper than ${DEFAULT_PAPER.id}: runs/<paper>/<profile>)`),
  'records-only': switchFlag('train nothing: read the committed records of --records-dir instead of the run store'),
  'export-records': switchFlag('after training, write every complete run\'s config, records and measurements to\n--records-dir (one JSON-lines file per run, no checkpoints)'),
  'records-dir': valueFlag('DIR', z.string().optional(), 'committed records (default: fixtures/records/<profile>, or fixtures/records/<paper>/<profile>)'),
  strict: switchFlag("exit 1 when a claim is 'not reproduced' (default: only errors and unevaluated claims)"),
  'report-dir': valueFlag(
    'DIR',
    z.string().optional(),
    'where the report goes (default: reports for the paper profile, reports/<profile> otherwise, both inside\nreports/<paper> for another paper than the default; with --claim ID, its own folder claims/ID inside that one, so the full report is never overwritten)',
  ),
  quiet: switchFlag('no progress bars (notices and the per-run lines still print)'),
  yes: switchFlag(`train without asking (on a terminal, verify shows the plan and asks first when more than\n${CONFIRM_ABOVE_S / 60} minutes of training are left; without one, as in CI or Slurm, it trains)`),
  reorder: switchFlag(
    'train and check the profile under its rounding-only perturbation, the same arithmetic in\nanother summation order (a full-batch profile permutes the one batch, a minibatch profile keeps\nits batches):\n' +
      `${perturbedExperimentsLines()};\ndefaults become runs/<profile>-reordered and reports/<profile>-reordered`,
  ),
  'write-baseline': valueFlag(
    'FILE',
    z.string().optional(),
    'write the regression baseline (fixtures/small-baseline.json) from this verify\'s verdicts,\nmarking a verdict fragile when --perturbed-report (the verdict.json of a --reorder verify)\nhas another one',
  ),
  'perturbed-report': valueFlag('FILE', z.string().optional(), 'the verdict.json of a --reorder verify (with --write-baseline)'),
  perturbed: valueFlag(
    'DIR',
    z.string().optional(),
    "the perturbed re-run that marks each verdict robust, fragile or untested: its committed\nrecords with --records-only (default fixtures/records/<profile>-reordered), else its run store\n(default runs/<profile>-reordered); none there: every verdict is untested",
  ),
});

export const verifyCommand: Command = {
  name: 'verify',
  summary: "train the paper's experiments and check every claim (verdict report)",
  help: `Usage: ${CLI} verify [flags]

Re-tests the claims of a paper (default: C01..C16 of arXiv 2606.12966, shared/spec/claims.md). Plans the
profile's runs, trains every run that is missing from the run store (forks once their parent is trained, so
planning and training alternate until nothing new can be planned), makes the paper's measurements (C14's
ablation), evaluates every claim at our checkpoint resolution and on the paper's 500-step grid, re-derives each
verdict under every documented alternative choice (sensitivity) and, for the claims that read a sync event,
at every sync threshold 0.50..0.95 of each sync rule (the evidence sweep), and writes verdict.md, verdict.json
and plots/ (each plot as .svg, its data as .csv and its vega-lite spec as .vl.json). Runs already in the store are reused, so an interrupted verify continues where it stopped; a run
that another process is training is waited for (two verifies on one store split the work).

${VERIFY_FLAGS.help()}

Verdicts: reproduced, direction only, inconclusive, not reproduced, not evaluable (a finding, not an error).
Exit code: 0 when every selected claim was evaluated; 1 when a claim is not evaluable, a run failed to
train, a committed records file is unreadable, or (with --strict) a claim is not reproduced; 2 on bad flags.

Examples:
  ${CLI} verify --profile small
  ${CLI} verify --profile small --claim C05
  ${CLI} verify --profile small --records-only --report-dir /tmp/report`,
  async run(argv) {
    const ctx = invocation(argv);
    if (ctx.f.plan) return planMode(ctx);
    const read = ctx.f['records-only'] ? recordsOnlyMode(ctx) : await trainMode(ctx);
    if ('exit' in read) return read.exit;
    return await reportMode(ctx, read);
  },
};

type VerifyFlagValues = ReturnType<typeof VERIFY_FLAGS.parse>['values'];

/** What one verify command works on: its flags, paper, profile, folders, claims and the committed runs it prices from. */
interface Invocation {
  argv: readonly string[];
  f: VerifyFlagValues;
  paper: AnyPaper;
  profileName: string;
  profile: Profile;
  label: string;
  claimIds: string[];
  experiments: readonly string[] | undefined;
  storeRoot: string;
  recordsDir: string;
  reportDir: string;
  shard: { index: number; count: number } | undefined;
  include: ReturnType<typeof shardMembership> | undefined;
  committed(): CommittedRuns;
  similar(known: CommittedRuns): CommittedRuns;
  committedByKey(): CommittedByKey;
}

/** The runs a report reads, and what went wrong getting them (a mode that ends the command returns `exit`). */
type ReadRuns = { set: AnyRunSet; trainFailures: number; brokenRecords: number } | { exit: number };

/** Checks the flags against each other and the paper, and works out the folders and estimates every mode reads. */
function invocation(argv: readonly string[]): Invocation {
  const { values: f, positionals } = VERIFY_FLAGS.parse([...argv], { positionals: true });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const paper: AnyPaper | undefined = paperById(f.paper);
  if (!paper) throw new UsageError(`--paper: expected one of ${PAPERS.map((p) => p.id).join(', ')}`);
  const profileName = f.profile ?? paper.defaultProfile;
  if (!paper.profileNames.includes(profileName)) throw new UsageError(`--profile: expected one of ${paper.profileNames.join(', ')}`);
  if (f.claim !== undefined && !paper.claims.some((c) => c.id === f.claim))
    throw new UsageError(`--claim: expected one of ${paper.claims.map((c) => c.id).join(', ')}`);
  if (f['records-only'] && f['export-records']) throw new UsageError('--records-only reads the committed records; it cannot also export them');
  if (f['records-only'] && f['train-only']) throw new UsageError('--records-only trains nothing; it cannot be combined with --train-only');
  if (f['write-baseline'] && !f['perturbed-report']) throw new UsageError('--write-baseline needs --perturbed-report (the verdict.json of a --reorder verify)');
  if (f['write-baseline'] && f.claim) throw new UsageError('--write-baseline needs every claim: drop --claim');
  if (f.json && !f.plan) throw new UsageError('--json goes with --plan (the report itself is verdict.json)');
  if (f.plan && f['records-only']) throw new UsageError('--plan lists what training a run store needs; --records-only trains nothing');
  let shard: { index: number; count: number } | undefined;
  if (f.shard !== undefined) {
    try {
      shard = parseShard(f.shard);
    } catch (error) {
      throw new UsageError(`--shard: ${(error as Error).message}`);
    }
    if (f['records-only']) throw new UsageError('--shard trains a part of the plan; --records-only trains nothing');
  }
  const profile = paper.profile(profileName, { perturbed: f.reorder });
  const label = profile.label;
  const claimIds = f.claim ? [f.claim] : paper.claims.map((c) => c.id);
  // A perturbed re-run trains only the experiments its profile re-runs (claims reading others are untested).
  const experiments = f.claim ? experimentsWithEvidence(claimDefinition(paper, f.claim)) : f.reorder ? profile.perturbedExperiments : undefined;
  const storeRoot = f.runs === undefined ? runStoreDir(paper, label) : resolve(f.runs);
  const recordsDir = f['records-dir'] === undefined ? committedRecordsDir(paper, label) : resolve(f['records-dir']);
  // A one-claim verify writes beside the profile's report, never over it (issue 26: --claim once cut the paper
  // report to one claim and deleted the others' plots).
  const profileReportDir = reportDirOf(paper, label);
  const reportDir = resolve(f['report-dir'] ?? (f.claim ? join(profileReportDir, 'claims', f.claim) : profileReportDir));

  // The shard split depends on the plan alone (not on what this store holds), so every machine agrees on it.
  const include = shard ? shardMembership(profile.plan(() => undefined, experiments), shard.index, shard.count, paper.checkpoint) : undefined;
  // The estimates take each run's grokking step from the committed records where they hold the run.
  // Each committed-records folder is read once however many estimates read it (0.45 s for the paper's).
  const readFolders = new Map<string, ExportedRuns>();
  const exportedAt = (dir: string): ExportedRuns => {
    if (!readFolders.has(dir)) readFolders.set(dir, readExportedRuns(dir, paper.checkpoint.record));
    return readFolders.get(dir)!;
  };
  const committed = (): CommittedRuns => (existsSync(recordsDir) ? exportedAt(recordsDir).runs : new Map());
  // A perturbed re-run's runs grok near their unperturbed twins, so the unperturbed profile's committed records
  // join the median that estimates a run its own committed records do not hold yet (before the prior's guess).
  const unperturbedDir = committedRecordsDir(paper, profile.name);
  const similar = (known: CommittedRuns): CommittedRuns =>
    f.reorder && existsSync(unperturbedDir) ? new Map([...exportedAt(unperturbedDir).runs, ...known]) : known;
  // The committed runs by experiment key, which price the forks still waiting on their parents (the unperturbed
  // profile's first for a perturbed re-run, its own over them).
  const committedByKey = (): CommittedByKey => {
    const byKey = new Map<string, { config: RunConfig; records: readonly CoreRecord[] }>();
    const sources: [Profile, string][] = f.reorder ? [[paper.profile(profileName), unperturbedDir], [profile, recordsDir]] : [[profile, recordsDir]];
    for (const [of, dir] of sources) {
      if (!existsSync(dir)) continue;
      for (const run of runsFromRecords(paper, of, dir, experiments, exportedAt(dir)).set.runs.values()) if (run.state === 'complete') byKey.set(run.key, run);
    }
    return byKey;
  };
  return { argv, f, paper, profileName, profile, label, claimIds, experiments, storeRoot, recordsDir, reportDir, shard, include, committed, similar, committedByKey };
}

/** --plan: what training the store needs, run by run, with the cost model's estimates; trains nothing. */
async function planMode(ctx: Invocation): Promise<number> {
  const { f, paper, profile, label, experiments, storeRoot, include, shard } = ctx;
  const set = assembleRunSet<RoleBase, Profile>(profile, storeSource(storeRoot, paper.checkpoint.record, paper.measurements), experiments);
  const known = ctx.committed();
  const history = grokHistoryOf(set, ctx.similar(known));
  const jobs = planJobs({ jobs: f.jobs ?? (f.engine === 'webgpu' ? 1 : undefined), threads: f.threads });
  const report = await planRows(set, { engine: f.engine, measures: paper.checkpoint, engineOptions: engineOptionsOf({ ...f, threads: jobs.threads }), include, committed: known, committedByKey: ctx.committedByKey(), history, groupSize: f['group-size'] });
  if (f.json) console.log(JSON.stringify(report));
  else {
    console.log(`plan of ${paper.reference}, profile ${label}${shard ? `, shard ${shard.index}/${shard.count}` : ''}, run store ${reportPath(storeRoot)}:`);
    for (const line of renderPlan(report)) console.log(line);
    console.log(`elapsed: about ${formatDuration(report.total_estimated_s / jobs.jobs)} in ${jobs.jobs} process(es) of ${jobs.threads} engine thread(s), as verify trains here (--jobs, --threads)`);
    console.log(`estimate: ${report.method}`);
  }
  return 0;
}

/** --records-only: the committed records instead of the run store; trains nothing. */
function recordsOnlyMode(ctx: Invocation): ReadRuns {
  const { paper, profile, recordsDir, experiments } = ctx;
  const read = runsFromRecords(paper, profile, recordsDir, experiments);
  console.error(`verify: ${read.count} committed runs read from ${recordsDir}`);
  for (const problem of read.broken) console.error(`verify: unreadable committed records (the claims that read this run are not evaluable): ${problem}`);
  return { set: read.set, trainFailures: 0, brokenRecords: read.broken.length };
}

/**
 * Trains what the store lacks (in --jobs processes, or as one of them with --train-only, or one --shard), asking
 * first on a terminal when it is long; the trained set, or the exit code of a worker or a shard.
 */
async function trainMode(ctx: Invocation): Promise<ReadRuns> {
  const { f, paper, profileName, profile, label, experiments, storeRoot, recordsDir, shard, include } = ctx;
  const waitingSaid = new Set<string>();
  // A worker (--train-only) is one job; the verify process that starts workers is job 1 of --jobs.
  // The webgpu engine trains in lockstep groups in one process: one job unless more are asked for.
  const lockstep = f.engine === 'webgpu';
  const jobs = planJobs({ jobs: f['train-only'] ? 1 : (f.jobs ?? (lockstep ? 1 : undefined)), threads: f.threads });
  const workerArgs = [
    '--paper', paper.id, '--profile', profileName, ...(f.claim ? ['--claim', f.claim] : []), ...(f.reorder ? ['--reorder'] : []),
    '--engine', f.engine, ...(f.backend ? ['--backend', f.backend] : []), ...(f.denormals ? ['--denormals', f.denormals] : []),
    '--runs', storeRoot, '--threads', String(jobs.threads), '--jobs', '1', '--quiet', ...(f.shard ? ['--shard', f.shard] : []),
    '--group-size', String(f['group-size']),
  ];
  // The plan with the cost model's estimates drives the display (an overall bar and a line per job) and, on a
  // terminal, the question before hours of training (issue 26: the first command must not commit them unasked).
  let display: VerifyProgress | undefined;
  let startDisplay: (() => void) | undefined;
  if (!f['train-only']) {
    const initial = assembleRunSet<RoleBase, Profile>(profile, storeSource(storeRoot, paper.checkpoint.record, paper.measurements), experiments);
    const known = ctx.committed();
    const history = grokHistoryOf(initial, ctx.similar(known));
    // Priced at the threads each process trains with (a shape timed on every core and then divided among
    // the jobs made the estimate too short by the engine's own parallel speed-up).
    const planned = await planRows(initial, { engine: f.engine, measures: paper.checkpoint, engineOptions: engineOptionsOf({ ...f, threads: jobs.threads }), include, committed: known, committedByKey: ctx.committedByKey(), history, groupSize: f['group-size'] });
    const todo = planned.runs.filter((r) => r.state !== 'complete');
    const left = planned.total_estimated_s / jobs.jobs;
    console.error(
      `verify: ${paper.reference}, profile ${label}: ${planned.runs.length - todo.length} of ${planned.runs.length} runs complete; ` +
        `about ${formatDuration(left)} of training left in ${jobs.jobs} process(es) (an estimate: ${CLI} verify --plan lists it run by run). ` +
        'Ctrl-C is safe: the same command resumes where it stopped.',
    );
    if (todo.length && left > CONFIRM_ABOVE_S && !f.yes && process.stdin.isTTY === true && process.stderr.isTTY === true) {
      for (const line of renderPlan(planned).filter((l) => !l.startsWith(' '))) console.error(`  ${line}`);
      if (!(await confirm(`Train about ${formatDuration(left)} now? [y/N] `))) {
        console.error(
          `verify: nothing trained. Quicker ways in: --profile small (the same design scaled down, minutes), --claim ID (one claim's runs), ` +
            `--records-only (the report from the committed records, no training); --yes skips this question.`,
        );
        return { exit: 0 };
      }
    }
    if (todo.length) startDisplay = () => (display = new VerifyProgress({ plan: planned.runs, jobs: jobs.jobs, storeRoot, workerPids: () => workers?.pids ?? new Set(), history, committed: known, interactive: !f.quiet && process.stderr.isTTY === true }));
  }
  const say = (line: string) => (display ? display.log(line) : console.error(line));
  const workers = jobs.jobs > 1 ? startWorkers(jobs.jobs - 1, workerArgs, say) : undefined;
  if (workers) console.error(`verify: training in ${jobs.jobs} processes, ${jobs.threads} engine thread(s) each`);
  startDisplay?.();
  const result = await trainRuns({
    paper,
    profile,
    storeRoot,
    engine: f.engine,
    engineOptions: engineOptionsOf({ ...f, threads: jobs.threads }),
    trainOnly: f['train-only'],
    ...(lockstep ? { groupSize: f['group-size'], onGroup: (g: { slots: number; runs: number; bytes: number }) => say(lockstepLine(g)) } : {}),
    ...(include ? { include } : {}),
    ...(experiments === undefined ? {} : { experiments }),
    progress: (run) => (display ? display.sink(run.key, run.config) : noticesOnly(run.key)),
    // Another process (a second verify, a claim test) may be training some runs: train the others, then wait.
    waitForLocked: true,
    onRun: (e) => {
      // Runs that this verify's own processes hold are not worth a message (a worker never says it waits).
      const heldByJob = f['train-only'] || (e.error instanceof LockHeldError && workers?.pids.has(e.error.holder.pid));
      if (e.kind === 'waiting' && !heldByJob && !waitingSaid.has(e.run.id)) {
        waitingSaid.add(e.run.id);
        say(`verify: ${e.run.key} (${e.run.id}) is being trained by another process; waiting for it`);
      }
      if (e.kind === 'done' && e.outcome) {
        const line = `verify: ${e.run.key} (${e.run.id}): ${e.outcome.status}${e.outcome.message ? `, ${e.outcome.message}` : ''}, ${e.outcome.wall_s.toFixed(1)} s`;
        if (display) display.runFinished(e.run.id, line);
        else console.error(line);
      }
      if (e.kind === 'failed') say(`verify: ${e.run.key} (${e.run.id}) failed: ${e.error?.message}`);
    },
  });
  const workerFailures = workers ? await workers.finished() : [];
  display?.stop();
  for (const failure of workerFailures) console.error(`verify: ${failure}`);
  const trainFailures = result.failures.length + workerFailures.length;
  const set = result.set;
  if (f['train-only'] || shard) {
    if (shard && f['export-records']) console.error(`verify: exported ${exportRecords(set, recordsDir, paper.checkpoint.record)} runs to ${recordsDir}`);
    console.error(
      shard
        ? `verify: shard ${shard.index}/${shard.count}: trained ${result.trained.length} run(s) into ${storeRoot}; merge every shard's store (grokcheck merge DEST SRC...) and run verify --runs DEST for the report`
        : `verify: trained ${result.trained.length} run(s) into ${storeRoot} (--train-only: no evaluation)`,
    );
    return { exit: trainFailures ? 1 : 0 };
  }
  if (f['export-records']) console.error(`verify: exported ${exportRecords(set, recordsDir, paper.checkpoint.record)} runs to ${recordsDir}`);
  return { set, trainFailures, brokenRecords: 0 };
}

/** Evaluates every claim, writes the report (and the baseline with --write-baseline), prints the verdicts. */
async function reportMode(ctx: Invocation, read: { set: AnyRunSet; trainFailures: number; brokenRecords: number }): Promise<number> {
  const { argv, f, paper, profileName, profile, label, claimIds, experiments, storeRoot, recordsDir, reportDir } = ctx;
  const { set, trainFailures, brokenRecords } = read;
  const perturbed = f.reorder ? null : perturbedRunSet(paper, profileName, f['records-only'], f.perturbed, experiments);
  if (perturbed) console.error(`verify: robustness from the perturbed re-run in ${perturbed.source}`);
  const output = verdictReport(paper, set, claimIds, {
    command: ['grokcheck', 'verify', ...argv].map(shellQuote).join(' '),
    source: f['records-only'] ? `committed records (${reportPath(recordsDir)})` : `run store (${reportPath(storeRoot)})`,
    generated: new Date(),
    root: process.cwd(),
  }, perturbedEvaluation(paper, perturbed?.set ?? null, claimIds, perturbed?.source ?? ''));
  const written = await writeVerdictReport(reportDir, output);
  const { report } = output;
  if (f['write-baseline']) {
    const perturbed = JSON.parse(readFileSync(f['perturbed-report']!, 'utf8')) as ReportClaims;
    const baseline = buildBaseline(report, perturbed, {
      profile: label,
      generated: report.generated ? new Date(report.generated) : new Date(),
      commit: report.provenance.git.commit,
      engine: report.provenance.engines.join('; '),
      fragility: `${profile.perturbation} Perturbed report: ${f['perturbed-report']}.`,
    });
    mkdirSync(dirname(resolve(f['write-baseline']!)), { recursive: true });
    writeFileAtomic(resolve(f['write-baseline']!), `${JSON.stringify(baseline, null, 2)}\n`);
    const fragile = Object.entries(baseline.claims).filter(([, c]) => c.fragile).map(([id]) => id);
    console.error(`verify: baseline written to ${f['write-baseline']} (fragile: ${fragile.length ? fragile.join(', ') : 'none'})`);
  }

  const results = output.evaluation.results;
  const count = (v: Verdict) => results.filter((r) => r.fine.verdict === v).length;
  for (const r of results) console.log(`${r.definition.id} ${r.definition.name.padEnd(16)} ${r.fine.verdict.padEnd(15)} ${r.fine.figure}`);
  console.log(
    `verify ${paper.id}, profile ${profile.name}: ${results.length} claim(s): ${verdictCounts(results.map((r) => r.fine.verdict))}; report ${written.markdown}`,
  );
  if (trainFailures > 0 || brokenRecords > 0) return 1;
  if (count('not evaluable') > 0) return 1;
  if (f.strict && count('not reproduced') > 0) return 1;
  return 0;
}

/**
 * The profile's perturbed re-run (verify --reorder), from its committed records or its run store, to mark each
 * verdict robust or fragile; null when there is none (a folder that does not exist).
 */
function perturbedRunSet(paper: AnyPaper, profileName: string, recordsOnly: boolean, dir: string | undefined, experiments: readonly string[] | undefined): { set: AnyRunSet; source: string } | null {
  const profile = paper.profile(profileName, { perturbed: true });
  const where = dir !== undefined ? resolve(dir) : recordsOnly ? committedRecordsDir(paper, profile.label) : runStoreDir(paper, profile.label);
  if (!existsSync(where)) {
    if (dir !== undefined) throw new UsageError(`--perturbed: ${where} does not exist`);
    return null;
  }
  const set = recordsOnly ? runsFromRecords(paper, profile, where, experiments).set : assembleRunSet<RoleBase, Profile>(profile, storeSource(where, paper.checkpoint.record, paper.measurements), experiments);
  return { set, source: `${recordsOnly ? 'committed records' : 'run store'} (${reportPath(where)})` };
}

/** An argument as a POSIX shell would need it, so the report's command line can be pasted back. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
