import { expect, it } from 'vitest';
import { CLAIMS } from '../src/experiments/claims.js';
import { ACCEPTED, checkClaim, CLAIM_TEST_TIMEOUT } from './harness.js';

it(`C11 ${CLAIMS.C11.name}: the small profile's verdict matches the committed baseline`, { timeout: CLAIM_TEST_TIMEOUT }, async () => {
  const check = await checkClaim('C11');
  expect(check.status, check.message).toMatch(ACCEPTED);
});
