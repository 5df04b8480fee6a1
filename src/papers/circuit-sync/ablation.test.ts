import { describe, expect, it } from 'vitest';
import { asAsync, type Engine, type EvalRequest } from '../../engine/engine.js';
import { accuracyDrops, componentsOf, measureAblation } from './ablation.js';
import { archRunConfig, mainRunConfig, smallProfile } from './profiles.js';

/** An engine whose full-grid accuracy is 1 minus a fixed cost per zeroed component; it records the requests. */
function fakeEngine(cost: Record<string, number>) {
  const requests: EvalRequest[] = [];
  const engine = {
    kind: 'native',
    description: 'fake',
    evaluate(request: EvalRequest) {
      requests.push(request);
      const lost = (request.zero ?? []).reduce((s, c) => s + cost[`block${c.layer}.${c.kind}`], 0);
      return { loss: 0, accuracy: 1 - lost, captures: {} };
    },
  } as unknown as Engine;
  return { engine, requests };
}

describe('zero ablation (C14)', () => {
  it('evaluates the full grid intact and with each component zeroed, one at a time', async () => {
    const config = mainRunConfig(smallProfile, 7, 1);
    const { engine, requests } = fakeEngine({ 'block0.attn': 0.5, 'block0.mlp': 0.1, 'block1.attn': 0.9, 'block1.mlp': 0.6 });
    const result = await measureAblation(asAsync(engine), config, 'abcdef0123456789', 700);
    expect(requests).toHaveLength(5);
    expect(requests.every((r) => r.tokens.length === 3 * 49 && r.labels.length === 49)).toBe(true);
    expect(requests.map((r) => r.zero?.length ?? 0)).toEqual([0, 1, 1, 1, 1]);
    expect(result).toMatchObject({ run_id: 'abcdef0123456789', step: 700, baseline_accuracy: 1, engine: 'fake' });
    const drops = accuracyDrops(result);
    expect(drops['block1.attn']).toBeCloseTo(90, 10);
    expect(drops['block0.mlp']).toBeCloseTo(10, 10);
  });

  it('zeroes only the components the variant has', async () => {
    expect(componentsOf(archRunConfig(smallProfile, '2l-attn_only')).map((c) => c.kind)).toEqual(['attn', 'attn']);
    expect(componentsOf(archRunConfig(smallProfile, '1l-standard'))).toEqual([{ layer: 0, kind: 'attn' }, { layer: 0, kind: 'mlp' }]);
  });
});
