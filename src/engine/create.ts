/** Engine selection: `native` (default, C++ addon) or `tfjs` (reference, @tensorflow/tfjs). */
import type { Engine, EngineCreateArgs, EngineKind } from './engine.js';

export const ENGINE_KINDS: readonly EngineKind[] = ['native', 'tfjs'];
export const DEFAULT_ENGINE: EngineKind = 'native';

export async function createEngine(kind: EngineKind, args: EngineCreateArgs): Promise<Engine> {
  if (kind === 'native') {
    const { createNativeEngine } = await import('./native.js');
    return createNativeEngine(args);
  }
  const { createTfjsEngine } = await import('./tfjs.js');
  return createTfjsEngine(args);
}
