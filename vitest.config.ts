import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { claimTestOrder } from './claims/order.js';

/** The claim tests first, the one with the most training first (claims/order.ts); then vitest's own order. */
class ClaimsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = new Map(claimTestOrder().map((id, i) => [`${id}.test.ts`, i]));
    const claimRank = (f: TestSpecification) => (/[\\/]claims[\\/]/.test(f.moduleId) ? rank.get(basename(f.moduleId)) : undefined);
    const claims = sorted.filter((f) => claimRank(f) !== undefined).sort((a, b) => claimRank(a)! - claimRank(b)!);
    return [...claims, ...sorted.filter((f) => claimRank(f) === undefined)];
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'claims/**/*.test.ts'],
    setupFiles: ['vitest.setup.ts'],
    // Native training and permutation tests are CPU-bound; two workers match the 2-core target machine.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    sequence: { sequencer: ClaimsFirst },
  },
});
