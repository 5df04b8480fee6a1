/** Engine selection: `native` (default, C++ addon), `tfjs` (reference, @tensorflow/tfjs) or `webgpu` (WGSL on a GPU). */
import { asAsync, ENGINE_KINDS, type AsyncEngine, type CpuEngineKind, type Engine, type EngineCreateArgs, type EngineKind } from './engine.js';

export { ENGINE_KINDS } from './engine.js';
export const DEFAULT_ENGINE: EngineKind = ENGINE_KINDS[0];

/** A CPU engine, synchronous (its tests and benchmarks call it directly). */
export async function createCpuEngine(kind: CpuEngineKind, args: EngineCreateArgs): Promise<Engine> {
  if (kind === 'native') {
    const { createNativeEngine } = await import('./native.js');
    return createNativeEngine(args);
  }
  const { createTfjsEngine } = await import('./tfjs.js');
  return createTfjsEngine(args);
}

/** Any engine, as the training loop and the measurements use it. */
export async function createEngine(kind: EngineKind, args: EngineCreateArgs): Promise<AsyncEngine> {
  if (kind === 'webgpu') {
    const { createWebGpuEngine } = await import('./webgpu/engine.js');
    return createWebGpuEngine(args);
  }
  if (kind === 'tfjs') {
    const { createTfjsAsyncEngine } = await import('./tfjs.js');
    return createTfjsAsyncEngine(args);
  }
  return asAsync(await createCpuEngine(kind, args));
}
