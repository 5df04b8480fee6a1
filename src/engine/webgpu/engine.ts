/**
 * `--engine webgpu`: one run through the engine interface the training loop, the measurements and the replay
 * use. It is a lockstep group of one (group.ts), so a run trained alone and one trained in a group of R run the
 * same code and get the same records. Subnormal floats are as the adapter treats them (WGSL lets an
 * implementation flush them); the engine reports `keep`, the mode no flag changes, and names the adapter in its
 * description.
 */
import type { AsyncEngine, EngineCreateArgs, EngineOptions } from '../engine.js';
import { WEBGPU_MAX_BATCH, WebGpuGroup } from './group.js';

/** The engine options the webgpu engine takes (none of the CPU engines' knobs but threads, which it ignores). */
function checkWebGpuOptions(options: EngineOptions | undefined): void {
  if (options?.denormals === 'flush')
    throw new Error('the webgpu engine cannot set the float mode: subnormals are as the adapter treats them (use --denormals keep, or leave it out)');
  if (options?.backend !== undefined) throw new Error(`--backend is for the tfjs engine; the webgpu engine has none (got '${options.backend}')`);
}

export async function createWebGpuEngine(args: EngineCreateArgs): Promise<AsyncEngine> {
  checkWebGpuOptions(args.options);
  const group = await WebGpuGroup.open(args.model, 1, undefined, Math.max(WEBGPU_MAX_BATCH, args.options?.maxBatch ?? 0));
  return group.join(args, { closesGroup: true });
}
