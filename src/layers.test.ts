/**
 * The layering of README.md "How it is built", enforced: every module imports only from its own folder and
 * from the layers listed below its own, and no module imports itself back through others. The layers are read
 * from the README's numbered list, so the documentation and this check cannot drift apart. Test files and
 * test helpers (`testing/` folders) are left out: a test may reach across layers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = join(ROOT, 'src');

/** Folder (or root file) -> layer number, from the README's list items `N. `src/x/`, `src/y/`: ...`. */
function readmeLayers(): Map<string, number> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## How it is built'), readme.indexOf('\n## ', readme.indexOf('## How it is built') + 1));
  const layers = new Map<string, number>();
  for (const line of section.split('\n')) {
    const m = /^(\d+)\. (.*?):/.exec(line);
    if (!m) continue;
    for (const name of m[2].matchAll(/`src\/([a-zA-Z.]+)\/?`/g)) layers.set(name[1], Number(m[1]));
  }
  return layers;
}

function productModules(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'testing') out.push(...productModules(path));
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The modules a module imports (relative imports, resolved to .ts files), dynamic imports included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
}

/** `engine` for src/engine/native.ts, `cli.ts` for src/cli.ts. */
const unitOf = (file: string) => relative(SRC, file).split('/')[0];

describe('layers (README "How it is built")', () => {
  const layers = readmeLayers();
  const modules = productModules(SRC);
  const units = [...new Set(modules.map(unitOf))].filter((u) => u !== 'testing');

  it('lists every folder of src/ in the README', () => {
    expect(layers.size).toBeGreaterThan(5);
    expect(units.filter((u) => !layers.has(u)), 'folders missing from the README list').toEqual([]);
  });

  it('has no module importing from its own layer (other folders) or a layer above it', () => {
    const violations: string[] = [];
    for (const file of modules) {
      const from = unitOf(file);
      for (const target of importsOf(file)) {
        const to = unitOf(target);
        if (to === from || to === 'testing') continue;
        if (!(layers.get(to)! < layers.get(from)!))
          violations.push(`${relative(ROOT, file)} (layer ${layers.get(from)}) imports ${relative(ROOT, target)} (layer ${layers.get(to)})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const graph = new Map(modules.map((m) => [m, importsOf(m).filter((t) => modules.includes(t))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (m: string, path: string[]) => {
      if (state.get(m) === 'done') return;
      if (state.get(m) === 'open') {
        cycles.push([...path.slice(path.indexOf(m)), m].map((x) => relative(SRC, x)).join(' -> '));
        return;
      }
      state.set(m, 'open');
      for (const t of graph.get(m)!) visit(t, [...path, m]);
      state.set(m, 'done');
    };
    for (const m of modules) visit(m, []);
    expect(cycles).toEqual([]);
  });
});
