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

/** A validation or out-of-memory error of the device: the work it reports never ran, so no result is trusted. */
export class WebGpuDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuDeviceError';
  }
}

/** The first error each watched device reported (WebGPU reports errors as events, not exceptions). */
const deviceErrors = new WeakMap<GPUDevice, string>();

/** Records the device's errors, so that every read after one fails (readFloats). */
export function watchDeviceErrors(device: GPUDevice): void {
  device.addEventListener('uncapturederror', (event) => {
    if (!deviceErrors.has(device)) deviceErrors.set(device, (event as GPUUncapturedErrorEvent).error.message);
  });
}

function throwIfFailed(device: GPUDevice): void {
  const error = deviceErrors.get(device);
  if (error !== undefined) throw new WebGpuDeviceError(`the WebGPU device reported an error, so its results cannot be used: ${error}`);
}

/**
 * Copies `floats` float32 values of `buffer`, from float `offset` on, back to the host: a Readback of one slice
 * (Readback.read is the one place the engine waits for the GPU). One run's slice of an [R, ...] buffer is read alone, not the whole group's. Fails if the
 * device has reported an error (watchDeviceErrors).
 */
export async function readFloats(device: GPUDevice, buffer: GPUBuffer, floats: number, offset = 0): Promise<Float32Array> {
  const back = new Readback(device, floats);
  const encoder = device.createCommandEncoder();
  back.copy(encoder, buffer, floats, offset);
  device.queue.submit([encoder.finish()]);
  return (await back.read())[0];
}

/**
 * Several slices read back with one wait for the GPU, where readFloats waits once each (an evaluation chunk
 * reads its loss, accuracy, logits and every capture site). The copies are recorded on the caller's encoder, in
 * order with its passes, so a scratch buffer can be copied out and then reused by the next pass; `read` (after
 * the encoder is submitted) maps the staging buffer once and frees it.
 */
export class Readback {
  private readonly staging: GPUBuffer;
  private readonly slices: { start: number; floats: number }[] = [];
  private used = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity: number,
  ) {
    this.staging = device.createBuffer({ size: Math.max(4, capacity * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Records a copy of `floats` values of `buffer`, from float `offset` on; `read` returns them at this call's index. */
  copy(encoder: GPUCommandEncoder, buffer: GPUBuffer, floats: number, offset = 0): number {
    if (this.used + floats > this.capacity) throw new RangeError(`readback of ${this.capacity} floats is full`);
    if (floats > 0) encoder.copyBufferToBuffer(buffer, offset * 4, this.staging, this.used * 4, floats * 4);
    this.slices.push({ start: this.used, floats });
    this.used += floats;
    return this.slices.length - 1;
  }

  async read(): Promise<Float32Array[]> {
    try {
      await this.staging.mapAsync(GPUMapMode.READ);
      const all = new Float32Array(this.staging.getMappedRange().slice(0));
      this.staging.unmap();
      throwIfFailed(this.device);
      return this.slices.map((s) => all.subarray(s.start, s.start + s.floats));
    } finally {
      this.staging.destroy();
    }
  }
}
