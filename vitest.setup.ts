import { afterAll } from 'vitest';
import { removeTempDirs } from './src/testing/tempDir.js';

// Every test file's temporary directories go when the file ends (src/testing/tempDir.ts).
afterAll(removeTempDirs);
