/** Engine selection: `native` (default, C++ addon) or `tfjs` (reference, @tensorflow/tfjs). */
import { ENGINE_KINDS, type Engine, type EngineCreateArgs, type EngineKind } from './engine.js';

export { ENGINE_KINDS } from './engine.js';
export const DEFAULT_ENGINE: EngineKind = ENGINE_KINDS[0];

export async function createEngine(kind: EngineKind, args: EngineCreateArgs): Promise<Engine> {
  if (kind === 'native') {
    const { createNativeEngine } = await import('./native.js');
    return createNativeEngine(args);
  }
  const { createTfjsEngine } = await import('./tfjs.js');
  return createTfjsEngine(args);
}
