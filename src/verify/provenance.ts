/**
 * Provenance of a verdict report (claims.md): the code (git commit, dirty or not), the engines that trained
 * the runs, package and runtime versions, the machine, the seeds of each experiment and the wall time spent
 * training it. Collected once per report; everything but `collectEnvironment` is pure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RunSet } from '../paper/runSet.js';
import type { Environment, Provenance } from '../report/inputs.js';


/** Paths whose changes do not change what the code computes (git pathspecs, relative to the repository root). */
const OUTPUT_PATHS = ['reports', 'fixtures', '*.md'];

const PACKAGES = ['zod', 'simple-statistics', '@tensorflow/tfjs', 'node-addon-api', 'vitest', 'typescript'];

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Reads git, package and machine facts; never throws (unknown facts are null). */
export function collectEnvironment(root: string): Environment {
  const commit = git(['rev-parse', 'HEAD'], root);
  // Only changes that can move a result make the code "dirty": not the reports, records and docs that verify
  // itself writes or that describe the runs (regenerating one report must not mark the next as dirty).
  const status = git(['status', '--porcelain', '--untracked-files=no', '--', '.', ...OUTPUT_PATHS.map((p) => `:(exclude)${p}`)], root);
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    const file = join(root, 'node_modules', name, 'package.json');
    if (existsSync(file)) packages[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  const cpuList = cpus();
  return {
    git: { commit, dirty: status === null ? null : status.length > 0 },
    node: process.version,
    packages,
    machine: { cpu: cpuList[0]?.model ?? 'unknown', cores: cpuList.length, memory_gib: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}` },
  };
}

export function runProvenance(set: RunSet, env: Environment): Provenance {
  const byExperiment = new Map<string, { runs: number; complete: number; seeds: Set<number>; wall: number }>();
  const engines = new Set<string>();
  const wallById = new Map<string, number>();
  for (const run of set.runs.values()) {
    const e = byExperiment.get(run.role.experiment) ?? { runs: 0, complete: 0, seeds: new Set<number>(), wall: 0 };
    e.runs++;
    if (run.state === 'complete') e.complete++;
    e.seeds.add(run.config.init_seed);
    if (run.config.batch_seed !== undefined) e.seeds.add(run.config.batch_seed);
    e.wall += run.wall_s ?? 0;
    byExperiment.set(run.role.experiment, e);
    if (run.engine) engines.add(run.engine);
    wallById.set(run.id, run.wall_s ?? 0);
  }
  return {
    ...env,
    engines: [...engines].sort(),
    experiments: [...byExperiment.entries()].map(([experiment, e]) => ({
      experiment,
      runs: e.runs,
      complete: e.complete,
      seeds: [...e.seeds].sort((a, b) => a - b),
      wall_s: e.wall,
    })),
    total_wall_s: [...wallById.values()].reduce((a, b) => a + b, 0),
  };
}
