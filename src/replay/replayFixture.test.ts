import { describe, expect, it } from 'vitest';
import { DENORMAL_MODES } from '../engine/engine.js';
import { referenceFixturePath, referenceFixtures } from '../testing/referenceFixtures.js';
import { loadFixture } from './fixtureFile.js';
import { isGaugeParam, replayFixture, roundingTwin, TWIN_FACTOR } from './replayFixture.js';

const fixtures = referenceFixtures();

describe('replaying the PyTorch reference fixtures with the native engine', () => {
  it('finds the fixtures of both folders', () => {
    expect(fixtures.filter((f) => !f.switches).length).toBeGreaterThanOrEqual(5);
    expect(fixtures.filter((f) => f.switches).map((f) => f.name)).toEqual(
      expect.arrayContaining(['add13-1l-nanda', 'add13-1l-nanda-f64', 'add113-1l-nanda-paper']),
    );
  });

  // PyTorch keeps subnormals; flushing them (the native default) must not move any fixture out of tolerance.
  for (const denormals of DENORMAL_MODES)
    for (const { name, path } of fixtures) {
      it(`${name} agrees with PyTorch within REPLAY_TOLERANCES, denormals ${denormals}`, async () => {
        const fixture = loadFixture(path);
        const report = await replayFixture(fixture, 'native', { engine: { denormals } });
        expect(report.failures).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.losses).toHaveLength(fixture.batches.length);
        expect(report.engine).toMatch(new RegExp(`^native .*denormals ${denormals === 'flush' ? 'flushed' : 'kept'}`));
      });
    }
});

describe('the replay check itself', () => {
  const small = () => loadFixture(referenceFixturePath('add11-1l-standard'));

  it('fails when an expected loss or a final parameter is off', async () => {
    const fixture = small();
    fixture.expected.loss[3] *= 1 + 1e-3;
    fixture.expected.final!['unembed.W_U'][0] += 0.01;
    const report = await replayFixture(fixture, 'native');
    expect(report.ok).toBe(false);
    expect(report.failures.some((f) => f.includes('loss'))).toBe(true);
    expect(report.failures.some((f) => f.includes('final-parameter'))).toBe(true);
  });

  it('fails when the step-0 gradients or the grid activations are off', async () => {
    const fixture = small();
    fixture.expected.grad0!['blocks.0.mlp.W_in'][5] += 1e-4;
    fixture.expected.block0_mlp_hidden_last![7] += 0.01;
    const report = await replayFixture(fixture, 'native');
    expect(report.failures.some((f) => f.includes('grad0'))).toBe(true);
    expect(report.failures.some((f) => f.includes('block0_mlp_hidden_last'))).toBe(true);
  });

  it('reports but does not judge the gauge parameter attn.b_K', async () => {
    const fixture = small();
    fixture.expected.final!['blocks.0.attn.b_K'][0] += 0.5;
    const report = await replayFixture(fixture, 'native');
    expect(report.max_abs_gauge_param_err).toBeGreaterThan(0.4);
    expect(report.ok).toBe(true);
    expect(isGaugeParam('blocks.1.attn.b_K')).toBe(true);
    expect(isGaugeParam('blocks.1.attn.b_Q')).toBe(false);
  });
});

describe('the rounding-twin check of chaotic trajectories', () => {
  const f64 = () => loadFixture(referenceFixturePath('add13-1l-nanda-f64'));

  it('judges the 200-step f64 fixture against its twins, and says so', async () => {
    const report = await replayFixture(f64(), 'native');
    expect(report.max_rel_loss_err).toBeGreaterThan(1e-4); // the fixed tolerance is missed ...
    expect(report.rounding_twin).not.toBeNull(); // ... so the twins were run ...
    expect(report.rounding_twin!.max_rel_loss_dist).toBeGreaterThan(report.max_rel_loss_err / TWIN_FACTOR); // ... and they move as far
    expect(report.ok).toBe(true);
  });

  it('still fails a wrong loss in the early steps, where the trajectory is not yet chaotic', async () => {
    const fixture = f64();
    fixture.expected.loss[20] *= 1 + 1e-3;
    const report = await replayFixture(fixture, 'native');
    expect(report.rounding_twin).not.toBeNull();
    expect(report.failures.some((f) => f.includes('step 20'))).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('moves every non-zero value by exactly one ulp and keeps zeros', () => {
    const params = { a: new Float32Array([0, 1, -2.5, 3e-30, 0]) };
    const twin = roundingTwin(params, 1).a;
    const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer));
    const diff = bits(twin).map((b, i) => b - bits(params.a)[i]);
    expect(diff.map(Math.abs)).toEqual([0, 1, 1, 1, 0]);
    expect(twin[0]).toBe(0);
    const ones = { b: new Float32Array(64).fill(1) };
    const ups = (seed: number) => Array.from(roundingTwin(ones, seed).b, (x) => (x > 1 ? 1 : 0));
    expect(ups(2)).not.toEqual(ups(1)); // another seed, another pattern
    expect(ups(1).filter((u) => u === 1).length).toBeGreaterThan(16); // and both directions
    expect(ups(1).filter((u) => u === 1).length).toBeLessThan(48);
  });
});
