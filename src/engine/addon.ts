/** Loads the compiled N-API addon (build/Release/grokcheck_native.node), with a clear message when it is missing. */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function findAddon(): string {
  // Works from src/engine (vitest, tsx) and dist/engine (compiled CLI): both are two levels below the root.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const kind of ['Release', 'Debug']) {
    const path = `${root}build/${kind}/grokcheck_native.node`;
    if (existsSync(path)) return path;
  }
  throw new Error('the native addon is not built: run `npm ci` or `npm run build` (needs g++, make, python3)');
}

let cached: Record<string, unknown> | undefined;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function nativeAddon(): any {
  cached ??= require(findAddon()) as Record<string, unknown>;
  return cached;
}
