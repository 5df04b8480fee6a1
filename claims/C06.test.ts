import { expect, it } from 'vitest';
import { ACCEPTED, checkClaim, CLAIM_TEST_TIMEOUT, claimTitle } from './harness.js';

it(`${claimTitle('C06')}: the small profile's verdict matches the committed baseline`, { timeout: CLAIM_TEST_TIMEOUT }, async () => {
  const check = await checkClaim('C06');
  expect(check.status, check.message).toMatch(ACCEPTED);
});
