/**
 * Provenance of a verdict report (claims.md): the code (git commit, dirty or not), the engines that trained
 * the runs, package and runtime versions, the machine, the seeds of each experiment and the wall time spent
 * training it. Collected once per report; everything but `collectEnvironment` is pure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RunSet } from '../paper/runSet.js';
import { codeVersion } from '../runs/codeVersion.js';
import type { Environment, Provenance, TrainerProvenance } from '../report/inputs.js';


const PACKAGES = ['zod', 'simple-statistics', '@tensorflow/tfjs', 'node-addon-api', 'vitest', 'typescript'];

/** Reads git, package and machine facts; never throws (unknown facts are null). */
export function collectEnvironment(root: string): Environment {
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    const file = join(root, 'node_modules', name, 'package.json');
    if (existsSync(file)) packages[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  const cpuList = cpus();
  return {
    git: codeVersion(root),
    node: process.version,
    packages,
    machine: { cpu: cpuList[0]?.model ?? 'unknown', cores: cpuList.length, memory_gib: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}` },
  };
}

/** Distinct runs per (commit, CPU, engine) that trained any of their steps, with the first and last date. */
export function trainersOf(set: RunSet): { trainers: TrainerProvenance[]; untraced_runs: number } {
  const byTrainer = new Map<string, TrainerProvenance & { ids: Set<string> }>();
  const untraced = new Set<string>();
  for (const run of set.runs.values()) {
    if (run.state !== 'complete' && run.state !== 'failed') continue;
    if (!run.trained_by?.length) {
      untraced.add(run.id);
      continue;
    }
    for (const t of run.trained_by) {
      const key = JSON.stringify([t.commit, t.dirty, t.cpu, t.engine]);
      const e = byTrainer.get(key) ?? { commit: t.commit, dirty: t.dirty, cpu: t.cpu, engine: t.engine, runs: 0, first: t.started, last: t.started, ids: new Set<string>() };
      e.ids.add(run.id);
      e.runs = e.ids.size;
      if (t.started < e.first) e.first = t.started;
      if (t.started > e.last) e.last = t.started;
      byTrainer.set(key, e);
    }
  }
  const trainers = [...byTrainer.values()].map(({ ids: _ids, ...t }) => t).sort((a, b) => a.first.localeCompare(b.first));
  return { trainers, untraced_runs: untraced.size };
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
    ...trainersOf(set),
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
