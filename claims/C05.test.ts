import { expect, it } from 'vitest';
import { CLAIMS } from '../src/experiments/claims.js';
import { ACCEPTED, checkClaim, CLAIM_TEST_TIMEOUT } from './harness.js';

it(`C05 ${CLAIMS.C05.name}: the small profile's verdict matches the committed baseline`, { timeout: CLAIM_TEST_TIMEOUT }, async () => {
  const check = await checkClaim('C05');
  expect(check.status, check.message).toMatch(ACCEPTED);
});
