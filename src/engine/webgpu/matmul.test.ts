/**
 * The WebGPU matmul forward kernel against a float64 CPU reference, and R runs in one dispatch against each run
 * alone, bit for bit. Runs on any WebGPU adapter (lavapipe in CI: .ci/run sets GROKCHECK_REQUIRE_WEBGPU=1, so a
 * missing adapter fails there); without one, a plain npm test skips it with one line saying why.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../random/rng.js';
import { webGpuForTests } from './device.js';
import { MatmulForward } from './matmul.js';

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`WebGPU tests skipped: ${reason}`);
afterAll(() => gpu?.device.destroy());

function randomArray(rng: Rng, length: number): Float32Array {
  return Float32Array.from({ length }, () => 2 * rng.uniform() - 1);
}

/** out[r, n, o] = bias[r, o] + sum_c inp[r, n, c] weight[r, c, o], in float64. */
function reference(runs: number, n: number, c: number, o: number, inp: Float32Array, weight: Float32Array, bias: Float32Array | null): Float64Array {
  const out = new Float64Array(runs * n * o);
  for (let r = 0; r < runs; r++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < o; j++) {
        let s = bias ? bias[r * o + j] : 0;
        for (let k = 0; k < c; k++) s += inp[(r * n + i) * c + k] * weight[(r * c + k) * o + j];
        out[(r * n + i) * o + j] = s;
      }
  return out;
}

describe.skipIf(!gpu)(`WebGPU matmul_forward (${gpu?.description ?? 'no adapter'})`, () => {
  it('equals out = inp @ weight^T + bias within float32 rounding, on sizes off the 16 x 16 tile', async () => {
    const kernel = new MatmulForward(gpu!.device);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ n: fc.integer({ min: 1, max: 40 }), c: fc.integer({ min: 1, max: 70 }), o: fc.integer({ min: 1, max: 40 }), bias: fc.boolean(), seed: fc.integer({ min: 0, max: 1e6 }) }),
        async ({ n, c, o, bias, seed }) => {
          const rng = new Rng(seed);
          const inp = randomArray(rng, n * c), weight = randomArray(rng, o * c), b = bias ? randomArray(rng, o) : null;
          const got = await kernel.run({ runs: 1, n, c, o }, inp, weight, b);
          const want = reference(1, n, c, o, inp, weight, b);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.sqrt(c)));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('R = 3 runs in one dispatch give each run the bits it gets alone (R = 1)', async () => {
    const kernel = new MatmulForward(gpu!.device);
    const [runs, n, c, o] = [3, 37, 128, 51];
    const rng = new Rng(7);
    const inp = randomArray(rng, runs * n * c), weight = randomArray(rng, runs * o * c), bias = randomArray(rng, runs * o);
    const grouped = await kernel.run({ runs, n, c, o }, inp, weight, bias);
    for (let r = 0; r < runs; r++) {
      const alone = await kernel.run(
        { runs: 1, n, c, o },
        inp.subarray(r * n * c, (r + 1) * n * c),
        weight.subarray(r * o * c, (r + 1) * o * c),
        bias.subarray(r * o, (r + 1) * o),
      );
      expect(Array.from(grouped.subarray(r * n * o, (r + 1) * n * o))).toEqual(Array.from(alone));
    }
  });
});
