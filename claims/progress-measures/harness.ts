/** The claim tests of Nanda et al. 2023 (N01.test.ts .. N12.test.ts): the shared harness, for progress-measures. */
import { requirePaper } from '../../src/papers/index.js';
import { claimHarness } from '../harness.js';

export const progress = claimHarness(requirePaper('progress-measures', 'claims/progress-measures'));
