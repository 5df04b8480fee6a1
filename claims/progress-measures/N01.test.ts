import { expect, it } from 'vitest';
import { ACCEPTED, CLAIM_TEST_TIMEOUT } from '../harness.js';
import { progress } from './harness.js';

it(`${progress.claimTitle('N01')}: the small profile's verdict matches the committed baseline`, { timeout: CLAIM_TEST_TIMEOUT }, async () => {
  const check = await progress.checkClaim('N01');
  expect(check.status, check.message).toMatch(ACCEPTED);
});
