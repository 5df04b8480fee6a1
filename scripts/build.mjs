#!/usr/bin/env node
/**
 * Builds what the CLI runs, and only what is missing or older than its sources (issues 31 and 26):
 *   native  build/Release/grokcheck_native.node, from binding.gyp and native/ (node-gyp)
 *   cli     dist/, from src/ (tsc -p tsconfig.build.json)
 * Each output carries a stamp: the SHA-256 of everything that made it (sources, build configuration, the tool's
 * version). A stamp that matches means "built from exactly these sources", so `npm ci`'s install and prepare steps,
 * npx's re-install of the project and every CLI start (bin/grokcheck.js) cost a hash, not a compile.
 *
 * Safe to interrupt and to run concurrently: builds hold one lock (proper-lockfile: a directory whose mtime its
 * holder refreshes, taken over once it is STALE_MS old, so a killed build never blocks for long); a stamp is
 * removed before its output changes and written only after the tool succeeded, so an interrupted build is seen
 * as stale and redone by the next call. The native build keeps a configured build/ and runs `node-gyp build`
 * (make recompiles what changed; the old addon stays until the new one is linked); it reconfigures
 * (`node-gyp rebuild`, which empties build/) only when binding.gyp, node or node-addon-api changed.
 *
 * Usage: node scripts/build.mjs [native|cli ...] [--force] [--check]
 *   --check  build nothing: exit 1 and name what is stale, 0 when everything is up to date
 *   --force  rebuild the named outputs (or both) whatever their stamps say
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const LOCK_TARGET = join(root, '.grokcheck-build');
/** A lock not refreshed for this long belongs to a dead build (its holder refreshes it every STALE_MS / 4). */
const STALE_MS = 20_000;

function filesUnder(dir, keep) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && keep(relative(root, path))) out.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'absent';
  }
}

/** SHA-256 over named parts and files (path and content), in order. */
function fingerprint(parts, files) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part}\0`);
  for (const file of files) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * The files tsc compiles: src/**\/*.ts less tests and test helpers. Must name the same set as
 * tsconfig.build.json's include/exclude (scripts/build.test.ts checks it against tsc's own reading).
 */
export function cliSources() {
  return filesUnder(join(root, 'src'), (path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !/(^|\/)testing\//.test(path));
}

/** What makes build/: reconfigure when this changes. */
function nativeConfiguration() {
  return fingerprint(
    [`node ${process.versions.node}`, `node-addon-api ${packageVersion('node-addon-api')}`, process.platform, process.arch],
    [join(root, 'binding.gyp')],
  );
}

export const targets = {
  native: {
    output: join(root, 'build', 'Release', 'grokcheck_native.node'),
    stamp: join(root, 'build', 'Release', 'grokcheck_native.stamp.json'),
    fingerprint: () => fingerprint([nativeConfiguration()], filesUnder(join(root, 'native'), () => true)),
    /** The configuration build/ was made for; `node-gyp rebuild` empties build/, this file with it. */
    configurationStamp: join(root, 'build', 'grokcheck-configuration.txt'),
    build(log) {
      const configuration = nativeConfiguration();
      const configured = existsSync(join(root, 'build', 'Makefile')) && readText(this.configurationStamp) === configuration;
      const verb = configured ? 'build' : 'rebuild';
      log(`grokcheck: compiling the native engine (node-gyp ${verb}, ${configured ? 'what changed' : 'about a minute on 2 cores'})`);
      run(nodeGyp(), [verb]);
      writeFileSync(this.configurationStamp, configuration);
    },
  },
  cli: {
    output: join(root, 'dist', 'cli.js'),
    stamp: join(root, 'dist', '.build-stamp.json'),
    fingerprint: () =>
      fingerprint(
        [`typescript ${packageVersion('typescript')}`],
        [join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), ...cliSources()],
      ),
    build(log) {
      log('grokcheck: compiling the CLI from src/ into dist/ (tsc, about 10 s)');
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      if (!existsSync(tsc)) throw new BuildError('typescript is not installed: run `npm ci` (it installs the compiler)');
      run(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')]);
    },
  },
};

export class BuildError extends Error {}

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readStamp(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * node-gyp as npm provides it to its scripts. Only under npm: npm also passes its configuration (nodedir, for
 * one) in npm_config_* variables, without which node-gyp would try to download node's headers.
 */
function nodeGyp() {
  const path = process.env.npm_config_node_gyp;
  if (!path || !existsSync(path)) throw new BuildError('the native engine is built through npm: run `npm run build`');
  return path;
}

function run(command, args) {
  const isScript = command.endsWith('.js');
  const result = spawnSync(isScript ? process.execPath : command, isScript ? [command, ...args] : args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.signal) throw new BuildError(`${command} ${args.join(' ')} was stopped by ${result.signal}`);
  if (result.status !== 0) throw new BuildError(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** The targets whose output is missing or whose stamp does not match their sources now. */
export function staleTargets(names = Object.keys(targets)) {
  return names.filter((name) => {
    const target = targets[name];
    return !existsSync(target.output) || readStamp(target.stamp)?.fingerprint !== target.fingerprint();
  });
}

async function withBuildLock(log, body) {
  const { default: lockfile } = await import('proper-lockfile');
  const options = { realpath: false, stale: STALE_MS, update: STALE_MS / 4 };
  let release;
  try {
    release = await lockfile.lock(LOCK_TARGET, options);
  } catch (error) {
    if (error.code !== 'ELOCKED') throw error;
    log('grokcheck: another build of grokcheck is running here; waiting for it');
    release = await lockfile.lock(LOCK_TARGET, { ...options, retries: { retries: 1200, factor: 1, minTimeout: 500 } });
  }
  try {
    return await body();
  } finally {
    await release().catch(() => {});
  }
}

/**
 * Builds the named targets that are stale (all of them with `force`), under the build lock, re-checking once the
 * lock is held (a concurrent build may have done the work). Returns the names built.
 */
export async function ensureBuilt(names = Object.keys(targets), { force = false, log = (line) => console.error(line) } = {}) {
  if (!force && staleTargets(names).length === 0) return [];
  return withBuildLock(log, () => {
    const built = [];
    for (const name of force ? names : staleTargets(names)) {
      const target = targets[name];
      const fingerprintBefore = target.fingerprint();
      rmSync(target.stamp, { force: true });
      target.build(log);
      if (target.fingerprint() !== fingerprintBefore) {
        throw new BuildError(`${name}: its sources changed while it was being built; run the command again`);
      }
      mkdirSync(dirname(target.stamp), { recursive: true });
      writeFileSync(target.stamp, `${JSON.stringify({ fingerprint: fingerprintBefore, built: new Date().toISOString() })}\n`);
      built.push(name);
    }
    return built;
  });
}

async function main(argv) {
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const flags = argv.filter((arg) => arg.startsWith('--'));
  const unknown = [...names.filter((name) => !(name in targets)), ...flags.filter((flag) => flag !== '--force' && flag !== '--check')];
  if (unknown.length > 0) {
    console.error(`build: unknown ${unknown.join(', ')}; usage: node scripts/build.mjs [native|cli ...] [--force] [--check]`);
    return 2;
  }
  const chosen = names.length > 0 ? names : Object.keys(targets);
  if (flags.includes('--check')) {
    const stale = staleTargets(chosen);
    for (const name of stale) console.log(`stale: ${name} (${relative(root, targets[name].output)})`);
    return stale.length > 0 ? 1 : 0;
  }
  try {
    await ensureBuilt(chosen, { force: flags.includes('--force') });
    return 0;
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`build: ${error.message}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main(process.argv.slice(2));
