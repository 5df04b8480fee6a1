/// <reference types="@webgpu/types" />
/**
 * Backend selection for the tfjs reference engine (shared/spec/design.md, "Engines").
 *
 * Order when nothing is forced: @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (both register the
 * 'tensorflow' backend; they are optional and not installed by default because their install downloads a
 * libtensorflow binary), then the wasm backend (@tensorflow/tfjs-backend-wasm, a dependency), then the pure
 * JavaScript cpu backend. `EngineOptions.backend` forces one of 'tensorflow' | 'webgpu' | 'wasm' | 'cpu'.
 *
 * 'webgpu' (@tensorflow/tfjs-backend-webgpu, an optional dependency, on the adapter of the optional `webgpu`
 * package, src/engine/webgpu/device.ts) is used only when forced: it hands results back only asynchronously
 * (its synchronous read needs a browser's OffscreenCanvas), so the tfjs engine on it is an AsyncEngine
 * (tfjs.ts), and on a machine without a GPU its adapter is lavapipe, far slower than wasm.
 *
 * tfjs keeps ONE global active backend per process. Every engine remembers the backend it was created with
 * and calls `activateTfjsBackend` before its work, so engines on different backends can live in one process.
 *
 * Wasm in Node (checked with tfjs 4.22): the SIMD binary loads and is used when the runtime validates SIMD
 * (Node 20 does). The threaded-SIMD binary does not: tfjs disables it under Node (tfjs issue #3830) and forcing
 * it fails because emscripten spawns its pthread workers from a `blob:` URL, which Node's Worker rejects. So the
 * wasm backend runs on one thread here.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { AUTOMATIC_ORDER, TFJS_BACKEND_NAMES, type TfjsBackendName } from './tfjsBackendNames.js';

export { ASYNC_ONLY_BACKENDS, TFJS_BACKEND_NAMES, type TfjsBackendName } from './tfjsBackendNames.js';

export interface TfjsBackendInfo {
  /** The tfjs backend name (the key of tf.setBackend). */
  name: TfjsBackendName;
  /** For provenance, e.g. "tfjs 4.22.0 (wasm, SIMD, 1 thread)". */
  description: string;
}

/** The packages that provide the 'tensorflow' backend, in order of preference. */
const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** One initialisation per backend per process; a failure is remembered with its reason. */
const initialised = new Map<TfjsBackendName, Promise<TfjsBackendInfo>>();

export class TfjsBackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfjsBackendUnavailableError';
  }
}

function isBackendName(name: string): name is TfjsBackendName {
  return (TFJS_BACKEND_NAMES as readonly string[]).includes(name);
}

function describe(detail: string): string {
  return `tfjs ${tf.version.tfjs} (${detail})`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function initTensorflow(): Promise<TfjsBackendInfo> {
  const attempts: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    try {
      // A variable specifier keeps TypeScript from requiring the (uninstalled) package's types.
      const specifier: string = pkg;
      await import(specifier);
    } catch (err) {
      attempts.push(`${pkg}: ${errorMessage(err)}`);
      continue;
    }
    // tfjs-node registers 'tensorflow' in the tfjs-core it depends on. If npm did not dedupe that copy with
    // ours (a version mismatch), our tf never sees the backend.
    if (tf.findBackendFactory('tensorflow') == null) {
      attempts.push(`${pkg}: loaded, but its @tensorflow/tfjs-core is a different copy from this project's (install a version matching @tensorflow/tfjs ${tf.version.tfjs})`);
      continue;
    }
    if (!(await tf.setBackend('tensorflow'))) {
      attempts.push(`${pkg}: the 'tensorflow' backend failed to initialise`);
      continue;
    }
    return { name: 'tensorflow', description: describe(`tensorflow via ${pkg}`) };
  }
  throw new TfjsBackendUnavailableError(
    `the tfjs 'tensorflow' backend is unavailable:\n  ${attempts.join('\n  ')}\n` +
      'install @tensorflow/tfjs-node-gpu (CUDA 11 + cuDNN 8) or @tensorflow/tfjs-node on a machine with internet access (README, "Running on a GPU")',
  );
}

/** Directory holding the three tfjs-backend-wasm binaries (plain, SIMD, threaded SIMD). */
export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

async function initWasm(): Promise<TfjsBackendInfo> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the backend cannot fetch its binaries from a URL: point it at the files in node_modules.
    wasm.setWasmPaths(wasmBinaryDirectory());
  } catch (err) {
    throw new TfjsBackendUnavailableError(`the tfjs 'wasm' backend is unavailable: ${errorMessage(err)}`);
  }
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (err) {
    throw new TfjsBackendUnavailableError(`the tfjs 'wasm' backend failed to initialise: ${errorMessage(err)}`);
  }
  if (!ok) throw new TfjsBackendUnavailableError("the tfjs 'wasm' backend failed to initialise (see tfjs's message above)");
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = wasm.getThreadsCount();
  return { name: 'wasm', description: describe(`wasm, ${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}`) };
}

async function initWebgpu(): Promise<TfjsBackendInfo> {
  const { adapterDescription, navigatorGpu, WebGpuUnavailableError } = await import('./webgpu/device.js');
  let adapter: { description: string; software: boolean };
  try {
    // The backend registers itself at import only where navigator.gpu exists, as in a browser.
    const gpu = await navigatorGpu();
    const global = globalThis as { navigator?: { gpu?: GPU } };
    if (!global.navigator) global.navigator = { gpu };
    else if (!global.navigator.gpu) Object.defineProperty(global.navigator, 'gpu', { value: gpu, configurable: true });
    adapter = await adapterDescription();
  } catch (err) {
    throw new TfjsBackendUnavailableError(`the tfjs 'webgpu' backend has no adapter: ${err instanceof WebGpuUnavailableError ? err.message : errorMessage(err)}`);
  }
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    throw new TfjsBackendUnavailableError(`the tfjs 'webgpu' backend is unavailable: the optional dependency @tensorflow/tfjs-backend-webgpu does not load (${errorMessage(err)}); run npm ci with optional dependencies`);
  }
  if (tf.findBackendFactory('webgpu') == null)
    throw new TfjsBackendUnavailableError(`@tensorflow/tfjs-backend-webgpu loaded, but its @tensorflow/tfjs-core is a different copy from this project's (install a version matching @tensorflow/tfjs ${tf.version.tfjs})`);
  let ok = false;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (err) {
    throw new TfjsBackendUnavailableError(`the tfjs 'webgpu' backend failed to initialise: ${errorMessage(err)}`);
  }
  if (!ok) throw new TfjsBackendUnavailableError("the tfjs 'webgpu' backend failed to initialise (see tfjs's message above)");
  return { name: 'webgpu', description: describe(`webgpu, ${adapter.description}${adapter.software ? '; a CPU implementation' : ''}`) };
}

async function initCpu(): Promise<TfjsBackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new TfjsBackendUnavailableError("the tfjs 'cpu' backend failed to initialise");
  // The cpu backend prints a banner recommending tfjs-node on its first tensor write. Our description already
  // names the backend, so trigger that first write with tfjs's warnings muted, then restore the flag.
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    tf.tidy(() => tf.scalar(0));
  } finally {
    tf.env().set('PROD', prod);
  }
  return { name: 'cpu', description: describe('cpu') };
}

function initBackend(name: TfjsBackendName): Promise<TfjsBackendInfo> {
  let pending = initialised.get(name);
  if (!pending) {
    pending = name === 'tensorflow' ? initTensorflow() : name === 'webgpu' ? initWebgpu() : name === 'wasm' ? initWasm() : initCpu();
    initialised.set(name, pending);
  }
  return pending;
}

/**
 * Initialises and activates a tfjs backend: the forced one (`requested`), or the first that works in the order
 * tensorflow, wasm, cpu (webgpu only when forced). Throws TfjsBackendUnavailableError when a forced backend cannot be used, and an Error
 * for an unknown name.
 */
export async function selectTfjsBackend(requested?: string): Promise<TfjsBackendInfo> {
  if (requested !== undefined) {
    if (!isBackendName(requested))
      throw new Error(`unknown tfjs backend '${requested}' (expected one of: ${TFJS_BACKEND_NAMES.join(', ')})`);
    const info = await initBackend(requested);
    activateTfjsBackend(info.name);
    return info;
  }
  const failures: string[] = [];
  for (const name of AUTOMATIC_ORDER) {
    try {
      const info = await initBackend(name);
      activateTfjsBackend(info.name);
      return info;
    } catch (err) {
      failures.push(errorMessage(err));
    }
  }
  throw new TfjsBackendUnavailableError(`no tfjs backend could be initialised:\n  ${failures.join('\n  ')}`);
}

/**
 * Makes an already initialised backend the active one. Synchronous: tf.setBackend switches immediately when the
 * backend is registered and initialised (it only awaits for a first, asynchronous initialisation).
 */
export function activateTfjsBackend(name: TfjsBackendName): void {
  if (tf.getBackend() === name) return;
  if (tf.engine().registry[name] == null) throw new Error(`tfjs backend '${name}' is not initialised`);
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`could not switch tfjs to backend '${name}'`);
}
