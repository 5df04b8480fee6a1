/**
 * The core knows no paper (issue 28): a product module under src/ outside src/papers/ (the registry
 * src/papers/index.ts aside) may not import circuit-sync, nor name FSD's sync threshold or site (its run-config
 * fields `sync_threshold`, `fsd_site`), nor read circuit-sync's record fields.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('./', import.meta.url));

/**
 * What marks a module as knowing circuit-sync: importing it, naming its run-config options, or reading its record
 * fields (src/papers/circuit-sync/record.ts) in code (comments may cite them as examples).
 */
const PAPER_FACTS = [
  /papers\/circuit-sync\//,
  /\bsync_threshold\b/,
  /\bfsd_site\b/,
  /\b(fsd_alt|fsd_gen|restricted_logit_loss|restricted_logit_loss_train|nanda_excluded_loss|nanda_restricted_loss|gaussian_null)\b/,
];

/** The code of a module without its comments (block comments, and line comments that start a line). */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function productModules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' || path === join(SRC, 'papers') ? [] : productModules(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the core knows no paper', () => {
  const knowing = productModules(SRC)
    .filter((file) => PAPER_FACTS.some((fact) => fact.test(codeOf(readFileSync(file, 'utf8')))))
    .map((file) => relative(SRC, file))
    .sort();

  it('no module outside src/papers/ imports circuit-sync or names its sync threshold or site', () => {
    expect(knowing).toEqual([]);
  });

  it('finds what it looks for', () => {
    expect(PAPER_FACTS.some((fact) => fact.test("import { circuitSync } from '../papers/circuit-sync/index.js';"))).toBe(true);
    expect(PAPER_FACTS.some((fact) => fact.test('const t = config.metrics.sync_threshold;'))).toBe(true);
    expect(PAPER_FACTS.some((fact) => fact.test(codeOf('const x = records.map((r) => r.fsd_gen);')))).toBe(true);
    expect(PAPER_FACTS.some((fact) => fact.test(codeOf('/** e.g. circuit-sync\'s fsd_alt */\nconst y = 1;')))).toBe(false);
    // The registry is the one module outside src/papers/ that imports a paper; it is not a product module here.
    expect(productModules(SRC).map((f) => relative(SRC, f))).not.toContain('papers/index.ts');
    expect(productModules(SRC).map((f) => relative(SRC, f))).toContain('train/loop.ts');
  });
});
