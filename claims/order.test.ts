import { expect, it } from 'vitest';
import { claimTraining } from './order.js';
import { PAPER } from './harness.js';

it('the claim tests start with the most new training first, each claim once', () => {
  const order = claimTraining();
  expect(order.map((c) => c.id).sort()).toEqual(PAPER.claims.map((c) => c.id).sort());
  // Greedy on new training: what each next claim brings never grows.
  for (let i = 1; i < order.length; i++) expect(order[i].newUnits).toBeLessThanOrEqual(order[i - 1].newUnits);
  // The first two (one per worker) train mostly different runs (both read a few main runs: C07's fork parents,
  // C08's constant-decay runs), so neither spends long waiting on the other's locks.
  const second = order[1];
  expect(second.newUnits).toBeGreaterThan(0.75 * second.units);
  // A claim that reads no run (C13: a pure statistics claim) has nothing to train.
  for (const c of order) if (c.runs.size === 0) expect(c.newUnits).toBe(0);
});
