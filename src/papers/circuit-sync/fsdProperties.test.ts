import { describe, expect, it } from 'vitest';
import { checkFsdProperties, FSD_PROPERTY_NAMES, metricFsd, type FsdFunction } from './fsdProperties.js';

describe('C13 FSD property checks', () => {
  it('pass for the metric on every generated case', () => {
    const checks = checkFsdProperties(13, 25);
    expect(checks.map((c) => c.name)).toEqual(FSD_PROPERTY_NAMES);
    expect(checks.filter((c) => c.failures > 0)).toEqual([]);
  });

  it('catch an FSD that is not normalised', () => {
    const unnormalised: FsdFunction = (a, u, l, p) => 2 * metricFsd(a, u, l, p);
    const checks = checkFsdProperties(13, 25, unnormalised);
    expect(checks.find((c) => c.name.startsWith('FSD in [0, 1]'))!.failures).toBeGreaterThan(0);
    expect(checks.find((c) => c.name.startsWith('FSD = 1'))!.failures).toBe(25);
  });

  it('catch an FSD that depends on unit order or on the answer labels', () => {
    // Looks only at the first unit's share of the total activation: changes with unit order and labels.
    const orderDependent: FsdFunction = (a, units, labels, p) => {
      let first = 0, all = 0;
      for (let i = 0; i < a.length; i++) {
        const v = Math.abs(a[i]) * (1 + (labels[Math.floor(i / units)] % p) / p);
        all += v;
        if (i % units === 0) first += v;
      }
      return first / all;
    };
    const checks = checkFsdProperties(13, 25, orderDependent);
    const failing = (prefix: string) => checks.find((c) => c.name.startsWith(prefix))!.failures;
    expect(failing('invariant to permuting the units')).toBeGreaterThan(0);
    expect(failing('invariant to a cyclic shift')).toBeGreaterThan(0);
    expect(checks.find((c) => c.name.startsWith('invariant to permuting'))!.example).toMatch(/^p=\d+ units=\d+: /);
  });
});
