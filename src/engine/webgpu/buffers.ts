/// <reference types="@webgpu/types" />
/** Plain storage buffers in and out of a WebGPU device (the engine's arrays live in them, as llm.c's on CUDA). */

/** A storage buffer holding `data` (float32 or int32), usable as a copy source for read-back. */
export function storageBuffer(device: GPUDevice, data: Float32Array | Int32Array | Uint32Array, label?: string): GPUBuffer {
  const buffer = device.createBuffer({
    ...(label ? { label } : {}),
    size: Math.max(4, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  const view = data instanceof Float32Array ? new Float32Array(buffer.getMappedRange()) : data instanceof Int32Array ? new Int32Array(buffer.getMappedRange()) : new Uint32Array(buffer.getMappedRange());
  view.set(data);
  buffer.unmap();
  return buffer;
}

/** An uninitialised (zero) storage buffer of `floats` float32 values. */
export function emptyBuffer(device: GPUDevice, floats: number, label?: string): GPUBuffer {
  return device.createBuffer({ ...(label ? { label } : {}), size: Math.max(4, floats * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
}

/**
 * Copies `floats` float32 values of `buffer`, from float `offset` on, back to the host (the one place the engine
 * waits for the GPU). One run's slice of an [R, ...] buffer is read alone, not the whole group's.
 */
export async function readFloats(device: GPUDevice, buffer: GPUBuffer, floats: number, offset = 0): Promise<Float32Array> {
  const staging = device.createBuffer({ size: Math.max(4, floats * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, offset * 4, staging, 0, floats * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}
