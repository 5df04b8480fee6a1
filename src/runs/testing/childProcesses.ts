/**
 * Test support: runs the run-store modules in plain `node` child processes, so lock exclusivity,
 * signal handling and SIGKILL-safety are tested across real processes. Node 20 cannot import .ts files and tsx
 * is not installed, so the modules are transpiled (types erased, no type checking: vitest and tsc check them)
 * into a temporary folder mirroring the repository layout, with a node_modules link for zod.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Relative imports of a transpiled module (`from './x.js'`, `import './x.js'`). */
function relativeImports(js: string): string[] {
  const found: string[] = [];
  for (const m of js.matchAll(/(?:from|import)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) found.push(m[1]);
  return found;
}

/**
 * Transpiles `entry` (a path relative to the repository root, e.g. 'src/runs/store.ts') and every module it
 * imports at run time into `outDir`; returns the file URL of the entry's .js, for `import()` in a child script.
 */
export function transpileForChild(entry: string, outDir: string): string {
  const pending = [resolve(repoRoot, entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const source = pending.pop()!;
    if (done.has(source)) continue;
    done.add(source);
    const output = ts.transpileModule(readFileSync(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: source,
    }).outputText;
    const target = join(outDir, relative(repoRoot, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
    for (const spec of relativeImports(output)) pending.push(resolve(dirname(source), spec.replace(/\.js$/, '.ts')));
  }
  try {
    symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return pathToFileURL(join(outDir, entry.replace(/\.ts$/, '.js'))).href;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `node` child whose stdout lines are collected. */
export interface NodeChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Every complete stdout line so far. */
  readonly lines: string[];
  /** Resolves with the first line (past or future) matching `pattern`; rejects on timeout or exit. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<ChildExit>;
}

/** Starts `node script ...args`, collecting stdout lines (stderr is kept for failure messages). */
export function spawnNode(script: string, args: string[]): NodeChild {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start node ${script}`);
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    partial += text;
    let end: number;
    while ((end = partial.indexOf('\n')) !== -1) {
      const line = partial.slice(0, end);
      partial = partial.slice(end + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (!waiter.pattern.test(line)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  // 'close', not 'exit': it comes after the last stdout data, so no line is missed.
  const exited = new Promise<ChildExit>((resolveExit) => child.on('close', (code, signal) => resolveExit({ code, signal })));
  return {
    process: child,
    pid: child.pid,
    lines,
    exited,
    waitForLine(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolveLine, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolveLine(line);
          },
        });
        void exited.then((exit) => {
          clearTimeout(timer);
          reject(new Error(`child exited (${exit.code ?? exit.signal}) before a line matching ${pattern}; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
        });
      });
    },
  };
}
