/** scripts/build.mjs hashes the CLI's sources as tsc reads them (so an edit anywhere tsc compiles makes dist/ stale). */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// A plain ES module (it runs before anything is compiled), outside tsconfig.json's include.
import { cliSources, root } from './build.mjs';

const require = createRequire(import.meta.url);

describe('scripts/build.mjs', () => {
  it('hashes exactly the files that tsconfig.build.json compiles', () => {
    const ts = require('typescript') as typeof import('typescript');
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    expect(config).toBeDefined();
    const compiled = config!.fileNames.map((file) => join(file)).sort();
    expect((cliSources() as string[]).map((file) => join(file))).toEqual(compiled);
  });
});
