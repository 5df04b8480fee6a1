/**
 * Where the PyTorch reference fixtures are (model.md "Reference fixtures"): the circuit-sync model's in
 * shared/fixtures/reference/, and those of the model switches in its switches/ folder ("Model switches").
 * Every engine's replay test reads both.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = fileURLToPath(new URL('../../../shared/fixtures/reference/', import.meta.url));
export const SWITCHES_DIR = `${REFERENCE_DIR}switches/`;

export interface ReferenceFixture {
  /** The file name without `.json`, e.g. `add13-1l-nanda`. */
  name: string;
  path: string;
  /** Whether it is a fixture of the model switches (switches/). */
  switches: boolean;
}

/** Every fixture of both folders, the circuit-sync model's first, each folder in name order. */
export function referenceFixtures(): ReferenceFixture[] {
  const list = (dir: string, switches: boolean) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ name: f.slice(0, -'.json'.length), path: dir + f, switches }));
  return [...list(REFERENCE_DIR, false), ...list(SWITCHES_DIR, true)];
}

/** The path of the fixture named `name` in either folder. */
export function referenceFixturePath(name: string): string {
  const found = referenceFixtures().find((f) => f.name === name);
  if (!found) throw new Error(`no reference fixture named ${name} in ${REFERENCE_DIR} or ${SWITCHES_DIR}`);
  return found.path;
}
