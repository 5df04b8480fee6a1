/// <reference types="@webgpu/types" />
/**
 * The matmul forward kernel of the WebGPU engine, for R runs of one shape in one dispatch (issue "GPU training
 * through WebGPU", in the style of llm.c's matmul_forward):
 *
 *   out[r, n, o] = bias[r, o] + sum_{c = 0}^{C-1} inp[r, n, c] * weight[r, c, o]
 *
 * inp [R, N, C], weight [R, C, O] (model.md: every weight is [in, out], applied as x @ W + b), bias [R, O],
 * out [R, N, O], all row-major float32.
 * One invocation per output, 16 x 16 outputs per workgroup, the C axis walked in tiles of 16 through workgroup
 * memory. Each output is summed by one invocation in ascending c, the same order whatever R and whatever run
 * index r (the workgroup's z), so a run gives the same bits alone (R = 1) and in a group (no float atomics).
 */
import { emptyBuffer } from './buffers.js';
import { Kernel, kernelHeader, runKernels } from './kernel.js';

const TILE = 16;

export const MATMUL_FORWARD_WGSL = /* wgsl */ `
${kernelHeader('n: u32, c: u32, o: u32, has_bias: u32', 'inp, weight, bias, out rw')}

const TILE: u32 = ${TILE}u;
var<workgroup> inp_tile: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> weight_tile: array<array<f32, ${TILE}>, ${TILE}>;

@compute @workgroup_size(${TILE}, ${TILE}, 1)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let r = group.z;
  let o = group.x * TILE + local.x;   // output column
  let n = group.y * TILE + local.y;   // output row
  let inp_base = r * u.n * u.c;
  let weight_base = r * u.o * u.c;
  var acc: f32 = 0.0;
  let tiles = (u.c + TILE - 1u) / TILE;
  for (var t: u32 = 0u; t < tiles; t = t + 1u) {
    // Stage inp[n, t*TILE + x] and weight[t*TILE + y, o]: consecutive invocations read consecutive floats.
    let c_inp = t * TILE + local.x;
    let c_weight = t * TILE + local.y;
    inp_tile[local.y][local.x] = select(0.0, inp[inp_base + n * u.c + c_inp], n < u.n && c_inp < u.c);
    weight_tile[local.y][local.x] = select(0.0, weight[weight_base + c_weight * u.o + o], o < u.o && c_weight < u.c);
    workgroupBarrier();
    for (var k: u32 = 0u; k < TILE; k = k + 1u) {
      acc = acc + inp_tile[local.y][k] * weight_tile[k][local.x];
    }
    workgroupBarrier();
  }
  if (n < u.n && o < u.o) {
    var b: f32 = 0.0;
    if (u.has_bias == 1u) { b = bias[r * u.o + o]; }
    out[(r * u.n + n) * u.o + o] = acc + b;
  }
}
`;

export interface MatmulShape {
  runs: number;
  n: number;
  c: number;
  o: number;
}

/** The compiled kernel on one device (a Kernel, bound as every other layer's). */
export class MatmulForward {
  private readonly kernel: Kernel;
  /** Bound in the bias slot when there is no bias (has_bias = 0: never read). */
  private readonly noBias: GPUBuffer;

  constructor(private readonly device: GPUDevice) {
    this.kernel = new Kernel(device, 'matmul_forward', MATMUL_FORWARD_WGSL);
    this.noBias = emptyBuffer(device, 1, 'no bias');
  }

  /** Encodes one dispatch (no wait): out = inp @ weight + bias for every run. `bias` null: no bias. */
  encode(encoder: GPUCommandEncoder, shape: MatmulShape, inp: GPUBuffer, weight: GPUBuffer, bias: GPUBuffer | null, out: GPUBuffer): void {
    this.kernel.encode(encoder, [shape.n, shape.c, shape.o, bias ? 1 : 0], [inp, weight, bias ?? this.noBias, out], [Math.ceil(shape.o / TILE), Math.ceil(shape.n / TILE), shape.runs]);
  }

  /** Host arrays in, host array out: uploads, dispatches once and reads back (for tests and benchmarks). */
  async run(shape: MatmulShape, inp: Float32Array, weight: Float32Array, bias: Float32Array | null): Promise<Float32Array> {
    const { runs, n, c, o } = shape;
    if (inp.length !== runs * n * c || weight.length !== runs * o * c || (bias && bias.length !== runs * o))
      throw new RangeError(`matmul_forward: expected inp [${runs}, ${n}, ${c}], weight [${runs}, ${c}, ${o}] and bias [${runs}, ${o}]`);
    const [out] = await runKernels(this.device, [inp, weight, bias ?? new Float32Array(1)], [runs * n * o], [
      { kernel: this.kernel, uniforms: [n, c, o, bias ? 1 : 0], buffers: [0, 1, 2, 3], workgroups: [Math.ceil(o / TILE), Math.ceil(n / TILE), runs] },
    ]);
    return out;
  }

  dispose(): void {
    this.noBias.destroy();
  }
}
