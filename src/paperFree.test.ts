/**
 * The core knows no paper (issue 28): a product module under src/ outside src/papers/ (the registry
 * src/papers/index.ts aside) may not import circuit-sync, nor name FSD's sync threshold or site (its run-config
 * fields `sync_threshold`, `fsd_site`).
 *
 * The move is under way: the modules in STILL_TO_MOVE hold the circuit-sync facts that issue 28's "per-paper
 * measurements" will move into src/papers/circuit-sync/ (the run config's metrics, the FSD record fields, the
 * sync event of the training loop's stop rule and triggers). The list may only shrink: a module not on it that
 * starts naming them fails, and so does a listed module that no longer does (take it off).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('./', import.meta.url));

const STILL_TO_MOVE = [
  'commands/train.ts',
  'schema/runConfig.ts',
];

/** What marks a module as knowing circuit-sync. */
const PAPER_FACTS = [/papers\/circuit-sync\//, /\bsync_threshold\b/, /\bfsd_site\b/];

function productModules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' || path === join(SRC, 'papers') ? [] : productModules(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the core knows no paper', () => {
  const knowing = productModules(SRC)
    .filter((file) => PAPER_FACTS.some((fact) => fact.test(readFileSync(file, 'utf8'))))
    .map((file) => relative(SRC, file))
    .sort();

  it('no module outside src/papers/ imports circuit-sync or names its sync threshold or site, but those still to move', () => {
    expect(knowing.filter((m) => !STILL_TO_MOVE.includes(m))).toEqual([]);
  });

  it('every module still to move still does (the list only shrinks)', () => {
    expect(STILL_TO_MOVE.filter((m) => !knowing.includes(m))).toEqual([]);
  });

  it('finds what it looks for', () => {
    expect(PAPER_FACTS.some((fact) => fact.test("import { circuitSync } from '../papers/circuit-sync/index.js';"))).toBe(true);
    expect(knowing.length).toBeGreaterThan(0);
  });
});
