/**
 * Temporary directories for tests. Each one is removed when its test file ends (vitest.setup.ts registers
 * removeTempDirs as an afterAll hook), so a test run leaves nothing behind in the system's temp folder: run
 * stores with checkpoints are tens of MB each. Set GROKCHECK_KEEP_TEMP=1 to keep them for debugging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  const dirs = created.splice(0);
  if (process.env.GROKCHECK_KEEP_TEMP === '1') return;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
