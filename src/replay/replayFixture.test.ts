import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DENORMAL_MODES } from '../engine/engine.js';
import { loadFixture } from './fixtureFile.js';
import { isGaugeParam, replayFixture } from './replayFixture.js';

const dir = fileURLToPath(new URL('../../../shared/fixtures/reference/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replaying the PyTorch reference fixtures with the native engine', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  // PyTorch keeps subnormals; flushing them (the native default) must not move any fixture out of tolerance.
  for (const denormals of DENORMAL_MODES)
    for (const file of files) {
      it(`${file} agrees with PyTorch within REPLAY_TOLERANCES, denormals ${denormals}`, async () => {
        const fixture = loadFixture(dir + file);
        const report = await replayFixture(fixture, 'native', { engine: { denormals } });
        expect(report.failures).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.losses).toHaveLength(fixture.batches.length);
        expect(report.engine).toMatch(new RegExp(`^native .*denormals ${denormals === 'flush' ? 'flushed' : 'kept'}`));
      });
    }
});

describe('the replay check itself', () => {
  const small = () => loadFixture(dir + 'add11-1l-standard.json');

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
