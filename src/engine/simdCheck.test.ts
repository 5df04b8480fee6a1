import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/tempDir.js';

// native/check/simd_check.cc checks that the three implementations of native/engine_simd.h (AVX-512, AVX2 + FMA,
// portable) give the same bits. It is a standalone program, not part of the addon, so nothing ran it unless
// someone remembered to: this test builds it once per implementation, as its header comment says, and compares
// the outputs. Machines without AVX-512 run the other two implementations: this is what says they compute the same.
// A build the CPU cannot run (its binary would use instructions the CPU lacks) is reported as skipped, with the
// reason, never as passed. Building takes ~3 s of CPU per implementation; the three compile in parallel (~16 s
// for all three on a 2-core machine busy with two training runs).

const CHECK_DIR = fileURLToPath(new URL('../../native/check/', import.meta.url));
const FLAGS = ['-std=c++17', '-O3', '-march=native', '-fno-math-errno'];
const x64 = process.arch === 'x64';

function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m);
    return new Set(line ? line[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}
const cpu = cpuFlags();

interface Build {
  name: 'avx512' | 'avx2' | 'portable';
  flags: string[];
  /** Why this build cannot run on this CPU; undefined: it runs. */
  missing?: string;
}
const builds: Build[] = [
  { name: 'avx512', flags: [], missing: cpu.has('avx512f') ? undefined : 'the CPU has no avx512f (/proc/cpuinfo)' },
  {
    name: 'avx2',
    flags: ['-mno-avx512f'],
    missing: cpu.has('avx2') && cpu.has('fma') ? undefined : 'the CPU has no avx2 and fma (/proc/cpuinfo)',
  },
  // -march=native alone gives the portable implementation on a CPU that is not x86.
  { name: 'portable', flags: x64 ? ['-mno-avx512f', '-mno-avx2', '-mno-fma'] : [] },
];

interface Outcome {
  code: number;
  stdout: string;
}
const outcomes = new Map<string, Outcome>();

/** Compiles simd_check.cc for one implementation and runs it; a non-zero exit is an outcome, not a throw. */
async function buildAndRun(build: Build, dir: string): Promise<Outcome> {
  const binary = join(dir, `check-${build.name}`);
  const sources = ['simd_check.cc', '../engine_vecmath.cc'];
  await promisify(execFile)('g++', [...FLAGS, ...build.flags, ...sources, '-o', binary], { cwd: CHECK_DIR });
  return new Promise((resolve) => {
    // A crash (a signal, no exit code) counts as -1.
    execFile(binary, (error, stdout) => resolve({ code: !error ? 0 : typeof error.code === 'number' ? error.code : -1, stdout }));
  });
}

/** The output without its first line, "simd <implementation>", which is the only line allowed to differ. */
const hashes = (o: Outcome) => o.stdout.split('\n').slice(1);

describe('native/check/simd_check.cc: the engine_simd.h implementations agree bit for bit', () => {
  beforeAll(async () => {
    const dir = makeTempDir('gc-simd-check-');
    const runnable = builds.filter((b) => !b.missing);
    const results = await Promise.all(runnable.map((b) => buildAndRun(b, dir)));
    runnable.forEach((b, i) => outcomes.set(b.name, results[i]));
  }, 300_000);

  for (const build of builds) {
    it(`${build.name}: builds, names its implementation and passes its own checks (exit status 0)`, (ctx) => {
      if (build.missing) ctx.skip(`${build.name} not checked: ${build.missing}`);
      const outcome = outcomes.get(build.name)!;
      expect(outcome.code, outcome.stdout).toBe(0);
      expect(outcome.stdout.split('\n')[0]).toBe(`simd ${build.name}`);
      expect(outcome.stdout).toMatch(/\nok\n$/);
    });
  }

  it('every implementation that runs here prints the same hashes as the portable one', (ctx) => {
    if (outcomes.size < 2) ctx.skip('nothing to compare: only the portable implementation runs on this CPU');
    const reference = outcomes.get('portable')!;
    expect(hashes(reference).length).toBeGreaterThan(25);
    for (const [name, outcome] of outcomes) expect(hashes(outcome), `${name} vs portable`).toEqual(hashes(reference));
  });
});
