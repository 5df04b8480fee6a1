import { expect, it } from 'vitest';
import { CLAIMS } from '../src/experiments/claims.js';
import { ACCEPTED, checkClaim, CLAIM_TEST_TIMEOUT } from './harness.js';

it(`C12 ${CLAIMS.C12.name}: the small profile's verdict matches the committed baseline`, { timeout: CLAIM_TEST_TIMEOUT }, async () => {
  const check = await checkClaim('C12');
  expect(check.status, check.message).toMatch(ACCEPTED);
});
