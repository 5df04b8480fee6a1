#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli.ts to dist/cli.js by `npm ci` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('grokcheck: dist/cli.js is missing; run `npm run build` (or `npm ci`) first.');
  process.exit(2);
}
await import(cli);
