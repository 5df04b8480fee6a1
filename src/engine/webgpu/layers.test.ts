/**
 * The WebGPU layer kernels against float64 references of model.md's math, and R runs in one dispatch against
 * each run alone, bit for bit. On lavapipe in CI (GROKCHECK_REQUIRE_WEBGPU=1); skipped with one line without
 * an adapter.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../random/rng.js';
import { webGpuForTests } from './device.js';
import { readFloats, storageBuffer } from './buffers.js';
import { f32, groupsFor, runKernels } from './kernel.js';
import { ADAMW_HYPER_FLOATS, adamwHyper, LayerKernels } from './layers.js';

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`WebGPU layer tests skipped: ${reason}`);
afterAll(() => gpu?.device.destroy());
const kernels = gpu ? new LayerKernels(gpu.device) : null;

const rng = new Rng(11);
const rand = (n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));
function close(got: Float32Array, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst, what).toBeLessThanOrEqual(tol);
}
/** erf to ~1e-15 (Abramowitz-Stegun 7.1.26 is too coarse for a reference; this is the series / continued fraction). */
function erf(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 3) {
    let term = z, sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (-z * z) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else r = 1 - Math.exp(-z * z) / (z * Math.sqrt(Math.PI)) * (1 - 1 / (2 * z * z) + 3 / (4 * z ** 4));
  return x < 0 ? -r : r;
}

describe.skipIf(!gpu)(`WebGPU layer kernels (${gpu?.description ?? 'no adapter'})`, () => {
  const device = gpu!.device;
  const k = kernels!;

  it('matmul backward through the strided kernel: dinp = dout W^T, dW = inp^T dout, dbias = column sums', async () => {
    const [n, c, o] = [37, 29, 19];
    const inp = rand(n * c), w = rand(c * o), dout = rand(n * o);
    const [dinp, dw, db] = await runKernels(device, [inp, w, dout], [n * c, c * o, o], [
      // dinp[i, j] = sum_q dout[i, q] W[j, q]: A = dout (strides o, 1), B(q, j) = W[j, q] (strides 1, o).
      { kernel: k.matmulStrided, uniforms: [n, o, c, o, 1, 1, o, 0, 0, 0], buffers: [2, 1, 3], workgroups: [Math.ceil(c / 16), Math.ceil(n / 16), 1] },
      // dW[j, q] = sum_i inp[i, j] dout[i, q]: A(j, i) = inp[i, j] (strides 1, c), B = dout (strides o, 1).
      { kernel: k.matmulStrided, uniforms: [c, n, o, 1, c, o, 1, 0, 0, 0], buffers: [0, 2, 4], workgroups: [Math.ceil(o / 16), Math.ceil(c / 16), 1] },
      { kernel: k.biasGrad, uniforms: [1, n, o], buffers: [2, 5], workgroups: groupsFor(o) },
    ]);
    const want = (rows: number, cols: number, f: (i: number, j: number) => number) => Array.from({ length: rows * cols }, (_, x) => f(Math.floor(x / cols), x % cols));
    const sum = (len: number, f: (q: number) => number) => Array.from({ length: len }, (_, q) => f(q)).reduce((a, b) => a + b, 0);
    close(dinp, want(n, c, (i, j) => sum(o, (q) => dout[i * o + q] * w[j * o + q])), 1e-5, 'dinp');
    close(dw, want(c, o, (j, q) => sum(n, (i) => inp[i * c + j] * dout[i * o + q])), 1e-5, 'dW');
    close(db, want(1, o, (_, q) => sum(n, (i) => dout[i * o + q])), 1e-5, 'dbias');
  });

  it('LayerNorm forward and backward (input, weight, bias) follow the math, with eps 1e-5', async () => {
    const [runs, rows, d] = [2, 13, 24];
    const x = rand(runs * rows * d, 3), w = rand(runs * d), b = rand(runs * d), dout = rand(runs * rows * d);
    const [out, mean, rstd, dinp, dw, db] = await runKernels(device, [x, w, b, dout], [runs * rows * d, runs * rows, runs * rows, runs * rows * d, runs * d, runs * d], [
      { kernel: k.layernormForward, uniforms: [runs * rows, rows, d, f32(1e-5)], buffers: [0, 1, 2, 4, 5, 6], workgroups: groupsFor(runs * rows) },
      { kernel: k.layernormBackward, uniforms: [runs * rows, rows, d, 0], buffers: [3, 0, 1, 5, 6, 7], workgroups: groupsFor(runs * rows) },
      { kernel: k.layernormParamsBackward, uniforms: [runs, rows, d], buffers: [3, 0, 5, 6, 8, 9], workgroups: groupsFor(runs * d) },
    ]);
    const wantOut: number[] = [], wantDinp: number[] = [], wantDw = new Float64Array(runs * d), wantDb = new Float64Array(runs * d);
    for (let r = 0; r < runs; r++)
      for (let i = 0; i < rows; i++) {
        const row = Array.from(x.subarray((r * rows + i) * d, (r * rows + i + 1) * d));
        const m = row.reduce((a, v) => a + v, 0) / d;
        const rs = 1 / Math.sqrt(row.reduce((a, v) => a + (v - m) ** 2, 0) / d + 1e-5);
        expect(Math.abs(mean[r * rows + i] - m)).toBeLessThan(1e-5);
        expect(Math.abs(rstd[r * rows + i] - rs) / rs).toBeLessThan(1e-5);
        const norm = row.map((v) => (v - m) * rs);
        const g = Array.from(dout.subarray((r * rows + i) * d, (r * rows + i + 1) * d));
        const dnorm = g.map((v, j) => v * w[r * d + j]);
        const dm = dnorm.reduce((a, v) => a + v, 0) / d;
        const dnm = dnorm.reduce((a, v, j) => a + v * norm[j], 0) / d;
        norm.forEach((nv, j) => {
          wantOut.push(nv * w[r * d + j] + b[r * d + j]);
          wantDinp.push((dnorm[j] - dm - nv * dnm) * rs);
          wantDw[r * d + j] += g[j] * nv;
          wantDb[r * d + j] += g[j];
        });
      }
    close(out, wantOut, 1e-5, 'out');
    close(dinp, wantDinp, 1e-4, 'dinp');
    close(dw, wantDw, 1e-5, 'dweight');
    close(db, wantDb, 1e-5, 'dbias');
  });

  it('GELU is the exact erf one, forward and backward, to float32 accuracy', async () => {
    const x = Float32Array.from([...rand(200, 6), 0, -0, 1e-6, -1e-6, 8, -8, 3.5, -3.5]);
    const dout = rand(x.length);
    const [y, dx] = await runKernels(device, [x, dout], [x.length, x.length], [
      { kernel: k.geluForward, uniforms: [x.length], buffers: [0, 2], workgroups: groupsFor(x.length) },
      { kernel: k.geluBackward, uniforms: [x.length], buffers: [0, 1, 3], workgroups: groupsFor(x.length) },
    ]);
    const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
    const dgelu = (v: number) => 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
    close(y, Array.from(x, gelu), 1e-6, 'gelu');
    close(dx, Array.from(x, (v, i) => dout[i] * dgelu(v)), 1e-6, 'dgelu');
  });

  it('cross-entropy: per-row losses, the mean per run, accuracy (first argmax) and d(mean loss)/dlogits', async () => {
    const [runs, rows, classes] = [2, 21, 17];
    const logits = rand(runs * rows * classes, 4);
    logits[5 * classes + 3] = logits[5 * classes + 9] = 9; // a tie: the first argmax (3) counts
    const labels = Int32Array.from({ length: runs * rows }, (_, i) => (i === 5 ? 3 : Math.floor(rng.uniform() * classes)));
    const [losses, dlogits, correct, mean, acc] = await runKernels(device, [logits, labels], [runs * rows, runs * rows * classes, runs * rows, runs, runs], [
      { kernel: k.crossentropy, uniforms: [runs * rows, rows, classes], buffers: [0, 1, 2, 3, 4], workgroups: groupsFor(runs * rows) },
      { kernel: k.rowMean, uniforms: [runs, rows], buffers: [2, 5], workgroups: [1] },
      { kernel: k.rowMean, uniforms: [runs, rows], buffers: [4, 6], workgroups: [1] },
    ]);
    const wantLoss: number[] = [], wantGrad: number[] = [], wantCorrect: number[] = [];
    for (let row = 0; row < runs * rows; row++) {
      const z = Array.from(logits.subarray(row * classes, (row + 1) * classes));
      const mx = Math.max(...z);
      const s = z.reduce((a, v) => a + Math.exp(v - mx), 0);
      wantLoss.push(Math.log(s) - (z[labels[row]] - mx));
      wantCorrect.push(z.indexOf(mx) === labels[row] ? 1 : 0);
      z.forEach((v, c) => wantGrad.push((Math.exp(v - mx) / s - (c === labels[row] ? 1 : 0)) / rows));
    }
    close(losses, wantLoss, 1e-5, 'losses');
    close(dlogits, wantGrad, 1e-6, 'dlogits');
    expect(Array.from(correct)).toEqual(wantCorrect);
    expect(correct[5]).toBe(1);
    for (let r = 0; r < runs; r++) {
      expect(Math.abs(mean[r] - wantLoss.slice(r * rows, (r + 1) * rows).reduce((a, v) => a + v, 0) / rows)).toBeLessThan(1e-5);
      expect(acc[r]).toBeCloseTo(wantCorrect.slice(r * rows, (r + 1) * rows).reduce((a, v) => a + v, 0) / rows, 6);
    }
  });

  it('AdamW follows PyTorch\'s order for each run with its own weight decay and step, and R = 2 equals each alone', async () => {
    const perRun = 300;
    const p = rand(2 * perRun), g = rand(2 * perRun, 0.1), m0 = rand(2 * perRun, 0.01), v0 = Float32Array.from(rand(2 * perRun, 0.001), Math.abs);
    const steps = [
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1, t: 7 },
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 3, t: 1200 },
    ];
    const hyper = Float32Array.from(steps.flatMap(adamwHyper));
    // AdamW updates params, m and v in place: upload them, run, and read those three back.
    async function readBack(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, h: Float32Array, runs: number): Promise<Float32Array[]> {
      const bufs = [grads, h, params, m, v].map((a) => storageBuffer(device, a));
      const encoder = device.createCommandEncoder();
      k.adamw.encode(encoder, [perRun, runs], bufs, groupsFor(perRun * runs));
      device.queue.submit([encoder.finish()]);
      const out = await Promise.all([2, 3, 4].map((i) => readFloats(device, bufs[i], perRun * runs)));
      for (const b of bufs) b.destroy();
      return out;
    }
    const both = await readBack(p, g, m0, v0, hyper, 2);
    for (let r = 0; r < 2; r++) {
      const s = steps[r];
      const sl = (a: Float32Array) => a.subarray(r * perRun, (r + 1) * perRun);
      const alone = await readBack(sl(p), sl(g), sl(m0), sl(v0), hyper.subarray(r * ADAMW_HYPER_FLOATS, (r + 1) * ADAMW_HYPER_FLOATS), 1);
      for (let j = 0; j < 3; j++) expect(Array.from(both[j].subarray(r * perRun, (r + 1) * perRun))).toEqual(Array.from(alone[j]));
      const bc1 = 1 - s.beta1 ** s.t, bc2 = 1 - s.beta2 ** s.t;
      const want = Array.from(sl(p), (pi, i) => {
        const gi = g[r * perRun + i];
        const mi = s.beta1 * m0[r * perRun + i] + (1 - s.beta1) * gi;
        const vi = s.beta2 * v0[r * perRun + i] + (1 - s.beta2) * gi * gi;
        return pi * (1 - s.lr * s.weight_decay) - (s.lr / bc1) * mi / (Math.sqrt(vi) / Math.sqrt(bc2) + s.eps);
      });
      close(alone[0], want, 2e-6, `params of run ${r}`);
    }
    // A run that sits the step out keeps its parameters and moments bit for bit, even with a non-finite gradient;
    // the other run steps as it did.
    const gNaN = Float32Array.from(g, (x, i) => (i < perRun && i % 7 === 0 ? Number.NaN : x));
    const out = await readBack(p, gNaN, m0, v0, Float32Array.from([...adamwHyper(null), ...adamwHyper(steps[1])]), 2);
    for (const [j, before] of [p, m0, v0].entries()) {
      expect(Array.from(out[j].subarray(0, perRun))).toEqual(Array.from(before.subarray(0, perRun)));
      expect(Array.from(out[j].subarray(perRun))).toEqual(Array.from(both[j].subarray(perRun)));
    }
  });
  it('causal attention forward follows softmax(q k^T / sqrt(d_head)) v per head; its backward matches finite differences', async () => {
    const [examples, t, d, heads] = [5, 3, 12, 3];
    const dh = d / heads;
    const q = rand(examples * t * d), kk = rand(examples * t * d), v = rand(examples * t * d), dy = rand(examples * t * d);
    const [y, probs, dq, dk, dv] = await runKernels(device, [q, kk, v, dy], [examples * t * d, examples * heads * t * t, examples * t * d, examples * t * d, examples * t * d], [
      { kernel: k.attentionForward, uniforms: [examples, t, d, heads], buffers: [0, 1, 2, 4, 5], workgroups: groupsFor(examples * heads) },
      { kernel: k.attentionBackward, uniforms: [examples, t, d, heads], buffers: [3, 0, 1, 2, 5, 6, 7, 8], workgroups: groupsFor(examples * heads) },
    ]);
    const forward = (Q: ArrayLike<number>, K: ArrayLike<number>, V: ArrayLike<number>) => {
      const out = new Float64Array(examples * t * d);
      for (let e = 0; e < examples; e++)
        for (let h = 0; h < heads; h++)
          for (let a = 0; a < t; a++) {
            const scores = Array.from({ length: a + 1 }, (_, b) => {
              let dot = 0;
              for (let c = 0; c < dh; c++) dot += Q[(e * t + a) * d + h * dh + c] * K[(e * t + b) * d + h * dh + c];
              return dot / Math.sqrt(dh);
            });
            const mx = Math.max(...scores);
            const ex = scores.map((x) => Math.exp(x - mx));
            const sum = ex.reduce((x, z) => x + z, 0);
            for (let c = 0; c < dh; c++) out[(e * t + a) * d + h * dh + c] = ex.reduce((acc, p, b) => acc + (p / sum) * V[(e * t + b) * d + h * dh + c], 0);
          }
      return out;
    };
    close(y, forward(q, kk, v), 1e-5, 'y');
    // Position 0 attends only to itself; nothing above the diagonal.
    expect(probs[0]).toBe(1);
    expect(probs[1]).toBe(0);
    // L = sum y . dy; dL/dx by central differences in float64, at 20 entries of each of q, k, v.
    const loss = (Q: ArrayLike<number>, K: ArrayLike<number>, V: ArrayLike<number>) => forward(Q, K, V).reduce((acc, x, i) => acc + x * dy[i], 0);
    for (const [name, arr, grad] of [['dq', q, dq], ['dk', kk, dk], ['dv', v, dv]] as const) {
      for (let trial = 0; trial < 20; trial++) {
        const i = Math.floor(rng.uniform() * arr.length);
        const plus = Float64Array.from(arr), minus = Float64Array.from(arr);
        plus[i] += 1e-5;
        minus[i] -= 1e-5;
        const args = (x: Float64Array) => (name === 'dq' ? [x, kk, v] : name === 'dk' ? [q, x, v] : [q, kk, x]) as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
        const numeric = (loss(...args(plus)) - loss(...args(minus))) / 2e-5;
        expect(Math.abs(grad[i] - numeric), `${name}[${i}]`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(numeric)));
      }
    }
  });

  it('embedding: W_E[token] + W_pos forward; its backward sums each token\'s and each position\'s gradient per run', async () => {
    const [runs, n, t, d, vocab] = [2, 9, 3, 8, 6];
    const tokens = Int32Array.from({ length: runs * n * t }, () => Math.floor(rng.uniform() * vocab));
    const wte = rand(runs * vocab * d), wpe = rand(runs * t * d), dx = rand(runs * n * t * d);
    const [x, dwte, dwpe] = await runKernels(device, [tokens, wte, wpe, dx], [runs * n * t * d, runs * vocab * d, runs * t * d], [
      { kernel: k.embedForward, uniforms: [runs, n, t, d, vocab], buffers: [0, 1, 2, 4], workgroups: groupsFor(runs * n * t * d) },
      { kernel: k.embedBackward, uniforms: [runs, n, t, d, vocab], buffers: [0, 3, 5, 6], workgroups: groupsFor(runs * (vocab + t) * d) },
    ]);
    const wantX: number[] = [];
    const wantDwte = new Float64Array(runs * vocab * d), wantDwpe = new Float64Array(runs * t * d);
    for (let r = 0; r < runs; r++)
      for (let i = 0; i < n; i++)
        for (let p = 0; p < t; p++) {
          const row = (r * n + i) * t + p;
          for (let j = 0; j < d; j++) {
            wantX.push(wte[(r * vocab + tokens[row]) * d + j] + wpe[(r * t + p) * d + j]);
            wantDwte[(r * vocab + tokens[row]) * d + j] += dx[row * d + j];
            wantDwpe[(r * t + p) * d + j] += dx[row * d + j];
          }
        }
    close(x, wantX, 1e-6, 'x');
    close(dwte, wantDwte, 1e-5, 'dW_E');
    close(dwpe, wantDwpe, 1e-5, 'dW_pos');
  });
});

describe.skipIf(!gpu)('WebGPU dispatch grids and device errors', () => {
  it('a flat kernel over more items than one grid row of 65535 workgroups holds covers every item once', async () => {
    const n = 65535 * 64 + 12345;
    expect(groupsFor(n)[1]).toBe(2);
    const a = Float32Array.from({ length: n }, (_, i) => i % 1000), b = Float32Array.from({ length: n }, (_, i) => (i % 7) * 1000);
    const [sum] = await runKernels(gpu!.device, [a, b], [n], [{ kernel: kernels!.add, uniforms: [n], buffers: [0, 1, 2], workgroups: groupsFor(n) }]);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (sum[i] !== a[i] + b[i]) wrong++;
    expect(wrong).toBe(0);
  });

  it('after a dispatch the device rejects, every read fails instead of returning what never ran', async () => {
    const { requestWebGpuDevice } = await import('./device.js');
    const own = await requestWebGpuDevice();
    try {
      const k = new LayerKernels(own.device);
      const n = 100;
      // A grid row longer than WebGPU allows: a validation error, the pass never runs.
      const run = runKernels(own.device, [new Float32Array(n), new Float32Array(n)], [n], [{ kernel: k.add, uniforms: [n], buffers: [0, 1, 2], workgroups: [70_000] }]);
      await expect(run).rejects.toThrow(/WebGPU device reported an error.*exceeds max compute workgroups/s);
      await expect(readFloats(own.device, storageBuffer(own.device, new Float32Array(4)), 4)).rejects.toThrow(/reported an error/);
    } finally {
      own.device.destroy();
    }
  });
});
