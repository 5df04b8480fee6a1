/**
 * The tfjs engine on tfjs's WebGPU backend (`--engine tfjs --backend webgpu`; lavapipe in CI, skipped with one
 * line without an adapter): every PyTorch reference fixture replays within the replay tolerances, through the
 * asynchronous engine the training loop and the replay use; the synchronous engine refuses the backend.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initParams } from '../model/params.js';
import { loadFixture } from '../replay/fixtureFile.js';
import { replayFixture } from '../replay/replayFixture.js';
import { createCpuEngine } from './create.js';
import { webGpuForTests } from './webgpu/device.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/reference/', import.meta.url));
const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`tfjs webgpu backend tests skipped: ${reason}`);
gpu?.device.destroy();

describe.skipIf(!gpu)('the tfjs engine on the webgpu backend', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort())
    it(`replays ${file} within every replay tolerance`, async () => {
      const report = await replayFixture(loadFixture(FIXTURES + file), 'tfjs', { engine: { backend: 'webgpu' } });
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.engine).toMatch(/^tfjs [\d.]+ \(webgpu, /);
      // The paper fixture's 512-example steps take long on lavapipe.
    }, 1_200_000);

  it('is refused as a synchronous engine, with the route that works', async () => {
    const model = { vocab: 12, classes: 11, d_model: 16, n_heads: 2, d_mlp: 32, n_layers: 1, variant: 'standard' as const };
    const optimizer = { kind: 'adamw' as const, lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 1 };
    await expect(createCpuEngine('tfjs', { model, optimizer, params: initParams(model, 1), options: { backend: 'webgpu' } })).rejects.toThrow(/only asynchronously.*--engine tfjs --backend webgpu/);
  });
});
