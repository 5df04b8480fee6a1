/// <reference types="@webgpu/types" />
/**
 * A WebGPU device in Node (issue "GPU training through WebGPU"): the optional npm package `webgpu` (Dawn's Node
 * binding, its dawn.node shipped inside the package) gives `navigator.gpu`: Vulkan on Linux, Metal on macOS,
 * D3D12 on Windows. On a Linux machine without a GPU, Mesa's lavapipe is a Vulkan driver on the CPU and so an
 * adapter (.ci/lavapipe.sh installs it). Every failure says what is missing and how to get it.
 */
import { watchDeviceErrors } from './buffers.js';

export class WebGpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

export interface WebGpuDevice {
  device: GPUDevice;
  /** The adapter in words, for provenance: e.g. "llvmpipe (mesa, cpu): Mesa 25.0.7 (LLVM 15.0.6)". */
  description: string;
  /** The adapter runs on the CPU (lavapipe, SwiftShader): figures there only show that the code runs. */
  software: boolean;
}

const LAVAPIPE_HINT =
  'on Linux without a GPU, install Mesa\'s lavapipe from bookworm-backports (.ci/lavapipe.sh: mesa-vulkan-drivers >= 25 and libvulkan1; bookworm\'s own 22.3 is too old for Dawn); with a GPU, install its Vulkan driver and libvulkan1';

interface WebGpuModule {
  create(options: string[]): GPU;
  globals: object;
}

let gpu: GPU | undefined;

/** navigator.gpu from the `webgpu` package, loaded once per process. */
export async function navigatorGpu(): Promise<GPU> {
  if (gpu) return gpu;
  let mod: WebGpuModule;
  try {
    mod = (await import('webgpu')) as unknown as WebGpuModule;
  } catch (error) {
    throw new WebGpuUnavailableError(
      `the optional dependency 'webgpu' (Dawn's Node binding) is not installed or its dawn.node does not load on ${process.platform}-${process.arch}: ${(error as Error).message}. Run npm ci (optional dependencies on)`,
    );
  }
  // The WebGPU constants (GPUBufferUsage, GPUShaderStage, ...) are globals in a browser.
  Object.assign(globalThis, mod.globals);
  gpu = mod.create([]);
  return gpu;
}

/** The adapter in words from its info (vendor, architecture, device, description; the empty ones left out). */
export function describeAdapter(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>): string {
  const head = info.device || info.architecture || 'adapter';
  const tags = [info.vendor, info.device ? info.architecture : ''].filter((s) => s).join(', ');
  return `${head}${tags ? ` (${tags})` : ''}${info.description ? `: ${info.description}` : ''}`;
}

/** Whether an adapter is a CPU implementation (lavapipe's llvmpipe, SwiftShader). */
export function isSoftwareAdapter(description: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software/i.test(description);
}

/** The adapter a device would be made on (high performance), in words; WebGpuUnavailableError when there is none. */
export async function adapterDescription(): Promise<{ description: string; software: boolean }> {
  const adapter = await (await navigatorGpu()).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError(`no WebGPU adapter: ${LAVAPIPE_HINT}`);
  const description = describeAdapter(adapter.info);
  return { description, software: isSoftwareAdapter(description) };
}

/**
 * A device on the best adapter (high performance), with the adapter's storage-buffer limits (the parameter
 * buffers of many runs in one dispatch need them). Throws WebGpuUnavailableError, saying why and what to do.
 */
export async function requestWebGpuDevice(): Promise<WebGpuDevice> {
  const navigator = await navigatorGpu();
  const adapter = await navigator.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError(`no WebGPU adapter: ${LAVAPIPE_HINT}`);
  const description = describeAdapter(adapter.info);
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
    },
  });
  watchDeviceErrors(device);
  return { device, description, software: isSoftwareAdapter(description) };
}

/**
 * For tests: a device, or null with the reason when there is none. Under GROKCHECK_REQUIRE_WEBGPU=1 (CI, where
 * .ci/run installs lavapipe) a missing adapter is an error instead.
 */
export async function webGpuForTests(): Promise<{ gpu: WebGpuDevice | null; reason: string | null }> {
  try {
    return { gpu: await requestWebGpuDevice(), reason: null };
  } catch (error) {
    if (process.env.GROKCHECK_REQUIRE_WEBGPU === '1' || !(error instanceof WebGpuUnavailableError)) throw error;
    return { gpu: null, reason: error.message };
  }
}
