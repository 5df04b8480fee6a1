#!/usr/bin/env node
// Launcher: runs the CLI compiled from src/ (dist/cli.js) with the native engine (build/Release), after checking
// that both were built from the sources as they are now (scripts/build.mjs: a hash of the sources against each
// output's stamp, a few ms). When one is stale it is rebuilt first, through npm (which gives node-gyp its
// configuration), and the launcher says so: the CLI never runs code older than its sources.
// GROKCHECK_SKIP_BUILD_CHECK=1 skips the check (a packed copy with no compiler, as on the GPU device machine).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { root, staleTargets } from '../scripts/build.mjs';

if (process.env.GROKCHECK_SKIP_BUILD_CHECK !== '1') {
  const stale = staleTargets();
  if (stale.length > 0) {
    const what = { native: 'the native engine (build/)', cli: 'the CLI (dist/)' };
    console.error(`grokcheck: ${stale.map((name) => what[name] ?? name).join(' and ')} older than its sources or missing: rebuilding (npm run build)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['run', '--silent', 'build', '--', ...stale], { cwd: root, stdio: ['ignore', 2, 2] });
    if (result.error || result.status !== 0 || staleTargets().length > 0) {
      console.error('grokcheck: the rebuild failed (see above); fix it, or run `npm ci`, then try again');
      process.exit(result.signal ? 128 + 15 : 2);
    }
  }
}
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('grokcheck: dist/cli.js is missing; run `npm run build` (or `npm ci`) first.');
  process.exit(2);
}
await import(cli);
