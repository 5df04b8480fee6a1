import { expect, it } from 'vitest';
import { ACCEPTED, checkClaim, CLAIM_TEST_TIMEOUT, claimTitle } from './harness.js';

it(`${claimTitle('C03')}: the small profile's verdict matches the committed baseline`, { timeout: CLAIM_TEST_TIMEOUT }, async () => {
  const check = await checkClaim('C03');
  expect(check.status, check.message).toMatch(ACCEPTED);
});
