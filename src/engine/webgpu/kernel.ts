/// <reference types="@webgpu/types" />
/**
 * One compiled WGSL compute kernel and how it is bound (the WebGPU engine's layers are made of these): binding 0
 * is a uniform block of 32-bit words (sizes, and f32 hyper-parameters as their bits), bindings 1.. the storage
 * buffers in the order the kernel declares them.
 */
import { readFloats, storageBuffer, emptyBuffer } from './buffers.js';

/** A uniform word: an integer (u32) or a float passed as its f32 bits (`f32(x)`). */
export type Word = number | { f32: number };
export const f32 = (x: number): Word => ({ f32: x });

function words(values: readonly Word[]): Uint32Array {
  const out = new Uint32Array(Math.max(4, Math.ceil(values.length / 4) * 4));
  const asFloat = new Float32Array(out.buffer);
  values.forEach((v, i) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`a u32 uniform must be an integer in 0..2^32-1, got ${v}`);
      out[i] = v;
    } else asFloat[i] = v.f32;
  });
  return out;
}

/** A stable number per GPU buffer, for the bind-group cache's keys. */
const bufferIds = new WeakMap<GPUBuffer, number>();
let nextBufferId = 0;
function idOf(buffer: GPUBuffer): number {
  let id = bufferIds.get(buffer);
  if (id === undefined) bufferIds.set(buffer, (id = nextBufferId++));
  return id;
}

/**
 * Bind groups a kernel keeps, per distinct (uniforms, buffers): a training step encodes the same ~70 dispatches
 * with the same sizes and buffers every time (per-step values such as AdamW's bias corrections are in a storage
 * buffer), so after the first step none of them allocates a uniform buffer or a bind group again. Bounded, since
 * a dispatch's uniforms can vary (evaluation chunks) and buffers of a closed group are never asked for again.
 */
const MAX_CACHED_BIND_GROUPS = 256;

export class Kernel {
  private readonly pipeline: GPUComputePipeline;
  private readonly bindGroups = new Map<string, GPUBindGroup>();

  constructor(
    readonly device: GPUDevice,
    readonly label: string,
    code: string,
  ) {
    const module = device.createShaderModule({ code, label });
    this.pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label });
  }

  /** Encodes one dispatch; nothing waits (the queue runs passes in submission order). */
  encode(encoder: GPUCommandEncoder, uniforms: readonly Word[], buffers: readonly GPUBuffer[], workgroups: readonly [number, number?, number?]): void {
    const data = words(uniforms);
    const key = `${data.join(',')}|${buffers.map(idOf).join(',')}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      // The uniform buffer lives as long as the bind group that holds it (no one writes it after creation).
      const uniform = this.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
      new Uint32Array(uniform.getMappedRange()).set(data);
      uniform.unmap();
      group = this.device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [uniform, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      if (this.bindGroups.size >= MAX_CACHED_BIND_GROUPS) this.bindGroups.clear();
      this.bindGroups.set(key, group);
    }
    const pass = encoder.beginComputePass({ label: this.label });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
    pass.end();
  }
}

/** Workgroups per grid dimension that every WebGPU device takes (maxComputeWorkgroupsPerDimension's floor). */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/**
 * The grid of 64-invocation workgroups covering `count` items (a flat kernel, FLAT_MAIN): one row of at most
 * 65535 workgroups, and as many rows as needed (the paper model's activations of 2 runs x 2048 examples alone
 * are 98304 workgroups).
 */
export function groupsFor(count: number): [number, number] {
  const groups = Math.max(1, Math.ceil(count / 64));
  const rows = Math.ceil(groups / MAX_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(groups / rows), rows];
}

/**
 * The entry point of a flat kernel: 64 invocations per workgroup on the 2D grid of groupsFor, `id.x` the item's
 * flat index (past the end on the grid's last row: every kernel checks its bound).
 */
export const FLAT_MAIN = `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) grid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let id = vec3<u32>(grid.x + grid.y * groups.x * 64u, 0u, 0u);`;

/**
 * For tests and one-off use: uploads `inputs`, creates zeroed outputs of the given lengths, runs the kernels in
 * order on one command buffer (each names its buffers by index into inputs then outputs) and reads the outputs.
 */
export async function runKernels(
  device: GPUDevice,
  inputs: readonly (Float32Array | Int32Array | Uint32Array)[],
  outputs: readonly number[],
  steps: readonly { kernel: Kernel; uniforms: readonly Word[]; buffers: readonly number[]; workgroups: readonly [number, number?, number?] }[],
): Promise<Float32Array[]> {
  const all = [...inputs.map((x) => storageBuffer(device, x)), ...outputs.map((n) => emptyBuffer(device, n))];
  const encoder = device.createCommandEncoder();
  for (const s of steps) s.kernel.encode(encoder, s.uniforms, s.buffers.map((i) => all[i]), s.workgroups);
  device.queue.submit([encoder.finish()]);
  const out = await Promise.all(outputs.map((n, i) => readFloats(device, all[inputs.length + i], n)));
  for (const b of all) b.destroy();
  return out;
}

/**
 * A kernel's bindings as Kernel binds them: the uniform block `u` of the given fields at binding 0, then the storage
 * buffers in order from binding 1, each `name` (read-only f32), `name rw` (read-write) and/or `name i32`.
 */
export function kernelHeader(uniforms: string, buffers: string): string {
  const lines = [`struct U { ${uniforms} }`, '@group(0) @binding(0) var<uniform> u: U;'];
  buffers.split(',').forEach((spec, i) => {
    const [name, ...tags] = spec.trim().split(/\s+/);
    const access = tags.includes('rw') ? 'read_write' : 'read';
    lines.push(`@group(0) @binding(${i + 1}) var<storage, ${access}> ${name}: array<${tags.includes('i32') ? 'i32' : 'f32'}>;`);
  });
  return lines.join('\n');
}
