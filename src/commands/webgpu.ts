/** `grokcheck webgpu`: is there a WebGPU adapter, which one, and does a kernel run on it? */
import { requestWebGpuDevice, WebGpuUnavailableError } from '../engine/webgpu/device.js';
import { MatmulForward } from '../engine/webgpu/matmul.js';
import { CLI, UsageError, type Command } from './command.js';
import { Flags, switchFlag } from './flags.js';

const WEBGPU_FLAGS = new Flags({
  json: switchFlag('print one JSON object: available, adapter, software, kernel_ok, reason'),
});

export const webgpuCommand: Command = {
  name: 'webgpu',
  summary: 'check the WebGPU adapter (the GPU route): which one, and whether a kernel runs on it',
  help: `Usage: ${CLI} webgpu [flags]

Loads the optional 'webgpu' package (Dawn's Node binding), asks for a high-performance adapter, names it,
and runs the matmul forward kernel of the WebGPU engine once against a CPU reference. On Linux without a GPU,
Mesa's lavapipe is an adapter on the CPU (.ci/lavapipe.sh installs it; figures there only show that the code
runs). Exit code 0 when an adapter ran the kernel correctly, 1 when there is none or it did not, 2 on bad flags.

${WEBGPU_FLAGS.help()}`,
  async run(argv) {
    const { values: f, positionals } = WEBGPU_FLAGS.parse(argv, { positionals: true });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    let gpu;
    try {
      gpu = await requestWebGpuDevice();
    } catch (error) {
      if (!(error instanceof WebGpuUnavailableError)) throw error;
      if (f.json) console.log(JSON.stringify({ available: false, adapter: null, software: null, kernel_ok: false, reason: error.message }));
      else console.error(`webgpu: ${error.message}`);
      return 1;
    }
    try {
      // A 3 x 5 by 5 x 2 product whose every entry is exact in float32.
      const inp = Float32Array.from({ length: 15 }, (_, i) => i - 7);
      const weight = Float32Array.from({ length: 10 }, (_, i) => (i % 3) - 1);
      const bias = Float32Array.from([0.5, -0.25]);
      const got = await new MatmulForward(gpu.device).run({ runs: 1, n: 3, c: 5, o: 2 }, inp, weight, bias);
      const want = Array.from({ length: 6 }, (_, k) => {
        const [i, j] = [Math.floor(k / 2), k % 2];
        let s = bias[j];
        for (let c = 0; c < 5; c++) s += inp[i * 5 + c] * weight[c * 2 + j];
        return s;
      });
      const ok = want.every((w, k) => got[k] === w);
      if (f.json) console.log(JSON.stringify({ available: true, adapter: gpu.description, software: gpu.software, kernel_ok: ok, reason: ok ? null : 'the kernel gave wrong values' }));
      else {
        console.log(`adapter: ${gpu.description}${gpu.software ? ' (a CPU implementation: correct, not fast)' : ''}`);
        console.log(ok ? 'matmul_forward: OK' : `matmul_forward: WRONG (got ${Array.from(got).join(', ')}, expected ${want.join(', ')})`);
      }
      return ok ? 0 : 1;
    } finally {
      gpu.device.destroy();
    }
  },
};
