import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'claims/**/*.test.ts', 'scripts/**/*.test.ts'],
    setupFiles: ['vitest.setup.ts'],
    // Native training and permutation tests are CPU-bound; two workers match the 2-core target machine.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
