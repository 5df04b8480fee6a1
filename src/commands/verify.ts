/**
 * `grokcheck verify`: train what a profile's experiments still need, evaluate the paper's claims, write the
 * verdict report (shared/spec/claims.md), print a summary line.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../runs/atomic.js';
import { buildBaseline, type ReportClaims } from '../experiments/baseline.js';
import { z } from 'zod';
import { DEFAULT_ENGINE } from '../engine/create.js';
import { runIdOf } from '../schema/runConfig.js';
import { CLAIMS, evaluateAtBothResolutions } from '../experiments/claims.js';
import { CLAIM_IDS, isClaimId, type ClaimId, type Verdict } from '../experiments/claimTypes.js';
import { forkPointOf } from '../experiments/forkPoint.js';
import { getProfile, PROFILE_NAMES, reorderedProfile, type ProfileName } from '../experiments/profiles.js';
import { collectEnvironment, runProvenance } from '../experiments/provenance.js';
import { readExportedRuns, writeExportedRun } from '../experiments/recordsExport.js';
import type { ExperimentId } from '../experiments/roles.js';
import { assembleRunSet, type RunSet, type RunSource } from '../experiments/runSet.js';
import { sensitivity } from '../experiments/sensitivity.js';
import { ensureAblation, storeSource, trainProfile } from '../experiments/trainProfile.js';
import { buildPlots } from '../report/plots.js';
import { buildVerdictReport, writeReport } from '../report/verdict.js';
import { LockHeldError } from '../runs/store.js';
import { planJobs, startWorkers } from './jobs.js';
import { barProgress, noticesOnly } from './progress.js';
import { parseFlags, UsageError, validateFlags, type Command } from './command.js';

const FlagsSchema = z.object({
  profile: z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]).default('paper'),
  claim: z
    .string()
    .transform((s) => s.toUpperCase())
    .refine(isClaimId, { message: `expected one of ${CLAIM_IDS.join(', ')}` })
    .optional(),
  engine: z.enum(['native', 'tfjs']).default(DEFAULT_ENGINE),
  backend: z.string().optional(),
  threads: z.coerce.number().int().positive().optional(),
  jobs: z.coerce.number().int().positive().max(64).optional(),
  'train-only': z.boolean().default(false),
  runs: z.string().optional(),
  'records-only': z.boolean().default(false),
  'export-records': z.boolean().default(false),
  'records-dir': z.string().optional(),
  strict: z.boolean().default(false),
  'report-dir': z.string().optional(),
  quiet: z.boolean().default(false),
  reorder: z.boolean().default(false),
  'write-baseline': z.string().optional(),
  'perturbed-report': z.string().optional(),
});

export const verifyCommand: Command = {
  name: 'verify',
  summary: "train the paper's experiments and check every claim (verdict report)",
  help: `Usage: grokcheck verify [--profile paper|small] [--claim ID] [--engine native|tfjs] [--backend NAME]
                        [--jobs N] [--threads N] [--runs DIR] [--records-only] [--export-records] [--records-dir DIR]
                        [--strict] [--report-dir DIR] [--quiet] [--reorder]
                        [--write-baseline FILE --perturbed-report FILE]

Re-tests the claims C01..C16 of arXiv 2606.12966 (shared/spec/claims.md). Plans the profile's runs, trains
every run that is missing from the run store (forks once their parent is trained, so planning and training
alternate until nothing new can be planned), measures C14's ablation, evaluates every claim at our checkpoint
resolution and on the paper's 500-step grid, re-derives each verdict under every documented alternative
choice (sensitivity), and writes verdict.md, verdict.json and plots/*.svg. Runs already in the store are
reused, so an interrupted verify continues where it stopped; a run that another process is training is
waited for (two verifies on one store split the work).

  --profile NAME     paper (default: claims.md's experiment table; hours on a CPU) or small (the same design
                     scaled down for CPU CI; minutes)
  --claim ID         evaluate one claim (C01..C16), training only the experiments it reads
  --engine NAME      native (default, C++ addon) or tfjs (reference)
  --backend NAME     tfjs backend: tensorflow, wasm or cpu (default: the best available)
  --jobs N           train in N processes at once on the same run store (default: one per core, at most 8);
                     runs are locked one by one, so the processes split the work
  --threads N        native engine threads per process (default: cores / jobs; results do not depend on it)
  --train-only       train the runs and stop: no ablation, evaluation or report (what --jobs runs in its
                     worker processes; exit 1 if a run failed)
  --runs DIR         run store (default: runs/<profile>)
  --records-only     train nothing: read the committed records of --records-dir instead of the run store
  --export-records   after training, write every complete run's config, records and ablation to --records-dir
                     (one JSON-lines file per run, no checkpoints)
  --records-dir DIR  committed records (default: fixtures/records/<profile>)
  --strict           exit 1 when a claim is 'not reproduced' (default: only errors and unevaluated claims)
  --report-dir DIR   where the report goes (default: reports for paper, reports/<profile> otherwise)
  --quiet            no progress bars (notices and the per-run lines still print)
  --reorder          train and check the profile with every batch-order seed shifted by 1000: in a full-batch
                     profile (small) the same arithmetic in another summation order, a rounding-only
                     perturbation (refused for paper); defaults become runs/<profile>-reordered and
                     reports/<profile>-reordered
  --write-baseline FILE   write the regression baseline (fixtures/small-baseline.json) from this verify's
                     verdicts, marking a verdict fragile when --perturbed-report (the verdict.json of a
                     --reorder verify) has another one

Verdicts: reproduced, direction only, not reproduced, not evaluable (a finding, not an error).
Exit code: 0 when every selected claim was evaluated; 1 when a claim is not evaluable, a run failed to
train, or (with --strict) a claim is not reproduced; 2 on bad flags.

Examples:
  npx grokcheck verify --profile small
  npx grokcheck verify --profile small --claim C05
  npx grokcheck verify --profile small --records-only --report-dir /tmp/report`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      profile: { type: 'string' },
      reorder: { type: 'boolean' },
      'write-baseline': { type: 'string' },
      'perturbed-report': { type: 'string' },
      claim: { type: 'string' },
      engine: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      jobs: { type: 'string' },
      'train-only': { type: 'boolean' },
      runs: { type: 'string' },
      'records-only': { type: 'boolean' },
      'export-records': { type: 'boolean' },
      'records-dir': { type: 'string' },
      strict: { type: 'boolean' },
      'report-dir': { type: 'string' },
      quiet: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const f = validateFlags(FlagsSchema, values);
    if (f['records-only'] && f['export-records']) throw new UsageError('--records-only reads the committed records; it cannot also export them');
    if (f['records-only'] && f['train-only']) throw new UsageError('--records-only trains nothing; it cannot be combined with --train-only');
    if (f['write-baseline'] && !f['perturbed-report']) throw new UsageError('--write-baseline needs --perturbed-report (the verdict.json of a --reorder verify)');
    if (f['write-baseline'] && f.claim) throw new UsageError('--write-baseline needs every claim: drop --claim');
    const profile = f.reorder ? reorderedProfile(getProfile(f.profile)) : getProfile(f.profile);
    const label = f.reorder ? `${profile.name}-reordered` : profile.name;
    const claimIds: ClaimId[] = f.claim ? [f.claim as ClaimId] : [...CLAIM_IDS];
    const experiments: ExperimentId[] | undefined = f.claim ? CLAIMS[f.claim as ClaimId].experiments : undefined;
    const storeRoot = resolve(f.runs ?? join('runs', label));
    const recordsDir = resolve(f['records-dir'] ?? join('fixtures', 'records', label));
    const reportDir = resolve(f['report-dir'] ?? (label === 'paper' ? 'reports' : join('reports', label)));
    const planOptions = experiments ? { experiments } : {};

    let set: RunSet;
    let trainFailures = 0;
    const waitingSaid = new Set<string>();
    if (f['records-only']) {
      const exported = readExportedRuns(recordsDir, runIdOf);
      const source: RunSource = { get: (id) => exported.get(id) };
      set = assembleRunSet(profile, source, runIdOf, forkPointOf, planOptions);
      console.error(`verify: ${exported.size} committed runs read from ${recordsDir}`);
    } else {
      // A worker (--train-only) is one job; the verify process that starts workers is job 1 of --jobs.
      const jobs = planJobs({ jobs: f['train-only'] ? 1 : f.jobs, threads: f.threads });
      const workerArgs = [
        '--profile', f.profile, ...(f.claim ? ['--claim', f.claim] : []), ...(f.reorder ? ['--reorder'] : []),
        '--engine', f.engine, ...(f.backend ? ['--backend', f.backend] : []),
        '--runs', storeRoot, '--threads', String(jobs.threads), '--jobs', '1', '--quiet',
      ];
      const workers = jobs.jobs > 1 ? startWorkers(jobs.jobs - 1, workerArgs, (line) => console.error(line)) : undefined;
      if (workers) console.error(`verify: training in ${jobs.jobs} processes, ${jobs.threads} engine thread(s) each`);
      const result = await trainProfile({
        profile,
        storeRoot,
        engine: f.engine,
        threads: jobs.threads,
        ...(f.backend === undefined ? {} : { backend: f.backend }),
        ...planOptions,
        progress: (run) => (f.quiet ? noticesOnly(run.key) : barProgress(run.key)),
        // Another process (a second verify, a claim test) may be training some runs: train the others, then wait.
        waitForLocked: true,
        onRun: (e) => {
          // Runs that this verify's own processes hold are not worth a message (a worker never says it waits).
          const heldByJob = f['train-only'] || (e.error instanceof LockHeldError && workers?.pids.has(e.error.holder.pid));
          if (e.kind === 'waiting' && !heldByJob && !waitingSaid.has(e.run.id)) {
            waitingSaid.add(e.run.id);
            console.error(`verify: ${e.run.key} (${e.run.id}) is being trained by another process; waiting for it`);
          }
          if (e.kind === 'done' && e.outcome) console.error(`verify: ${e.run.key} (${e.run.id}): ${e.outcome.status}${e.outcome.message ? `, ${e.outcome.message}` : ''}, ${e.outcome.wall_s.toFixed(1)} s`);
          if (e.kind === 'failed') console.error(`verify: ${e.run.key} (${e.run.id}) failed: ${e.error?.message}`);
        },
      });
      const workerFailures = workers ? await workers.finished() : [];
      for (const failure of workerFailures) console.error(`verify: ${failure}`);
      trainFailures = result.failures.length + workerFailures.length;
      set = result.set;
      if (f['train-only']) {
        console.error(`verify: trained ${result.trained.length} run(s) into ${storeRoot} (--train-only: no evaluation)`);
        return trainFailures ? 1 : 0;
      }
      if (!experiments || experiments.includes('ablate')) {
        const ablation = await ensureAblation(set, storeRoot, f.engine);
        if (ablation) set = { ...set, ablation };
      }
      if (f['export-records']) {
        // One file per run id: a run playing two roles (a schedule's constant run is a main run) is written once.
        const written = new Set<string>();
        for (const run of set.runs.values()) {
          if (run.state !== 'complete' || written.has(run.id)) continue;
          written.add(run.id);
          const ablation = set.ablation?.run_id === run.id ? set.ablation : undefined;
          writeExportedRun(recordsDir, {
            id: run.id,
            config: run.config,
            status: 'complete',
            engine: run.engine ?? 'unknown',
            wall_s: run.wall_s ?? 0,
            ...(run.message ? { message: run.message } : {}),
            records: run.records,
            ...(ablation ? { ablation } : {}),
          });
        }
        console.error(`verify: exported ${written.size} runs to ${recordsDir}`);
      }
    }

    const results = evaluateAtBothResolutions(set, claimIds);
    const canonical = new Map(results.map((r) => [r.definition.id, r.fine]));
    const rows = sensitivity(set, canonical, claimIds);
    const plots = buildPlots(set);
    const report = buildVerdictReport({
      set,
      results,
      sensitivity: rows,
      provenance: runProvenance(set, collectEnvironment(process.cwd())),
      plots,
      // Paths relative to the working folder, so a committed report does not carry one machine's layout.
      command: ['grokcheck', 'verify', ...argv].map(shellQuote).join(' '),
      source: f['records-only'] ? `committed records (${relative(process.cwd(), recordsDir) || '.'})` : `run store (${relative(process.cwd(), storeRoot) || '.'})`,
      generated: new Date(),
    });
    const written = writeReport(reportDir, report, plots);
    if (f['write-baseline']) {
      const perturbed = JSON.parse(readFileSync(f['perturbed-report']!, 'utf8')) as ReportClaims;
      const baseline = buildBaseline(report, perturbed, {
        profile: label,
        generated: report.generated ? new Date(report.generated) : new Date(),
        commit: report.provenance.git.commit,
        engine: report.provenance.engines.join('; '),
        fragility:
          'Each verdict was re-derived from a re-run of the whole profile with every batch-order seed shifted by 1000 ' +
          '(grokcheck verify --reorder): in this full-batch profile that permutes the examples inside the one batch, so ' +
          'the same function is computed with the gradient sums in another order (rounding only). A verdict that differs ' +
          `there is fragile. Perturbed report: ${f['perturbed-report']}.`,
      });
      writeFileAtomic(resolve(f['write-baseline']!), `${JSON.stringify(baseline, null, 2)}\n`);
      const fragile = Object.entries(baseline.claims).filter(([, c]) => c.fragile).map(([id]) => id);
      console.error(`verify: baseline written to ${f['write-baseline']} (fragile: ${fragile.length ? fragile.join(', ') : 'none'})`);
    }

    const count = (v: Verdict) => results.filter((r) => r.fine.verdict === v).length;
    for (const r of results) console.log(`${r.definition.id} ${r.definition.name.padEnd(16)} ${r.fine.verdict.padEnd(15)} ${r.fine.figure}`);
    console.log(
      `verify ${profile.name}: ${results.length} claim(s): ${count('reproduced')} reproduced, ${count('direction only')} direction only, ` +
        `${count('not reproduced')} not reproduced, ${count('not evaluable')} not evaluable; report ${written.markdown}`,
    );
    if (trainFailures > 0) return 1;
    if (count('not evaluable') > 0) return 1;
    if (f.strict && count('not reproduced') > 0) return 1;
    return 0;
  },
};

/** An argument as a POSIX shell would need it, so the report's command line can be pasted back. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
