/**
 * The tfjs backends by name (tfjsBackend.ts selects and initialises them). Apart from tfjsBackend.ts so that
 * the CLI's flag tables name them without loading @tensorflow/tfjs at every start.
 */
export type TfjsBackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const TFJS_BACKEND_NAMES: readonly TfjsBackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
/** Tried in this order when no backend is forced (webgpu only when asked: it reads back only asynchronously). */
export const AUTOMATIC_ORDER: readonly TfjsBackendName[] = ['tensorflow', 'wasm', 'cpu'];
/** The backends that read back only asynchronously (the tfjs engine is then an AsyncEngine). */
export const ASYNC_ONLY_BACKENDS: readonly TfjsBackendName[] = ['webgpu'];
