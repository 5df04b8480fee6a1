/** The engine flags every training or replaying command takes (design.md "Engines"). */
import { z } from 'zod';
import { DEFAULT_ENGINE, ENGINE_KINDS } from '../engine/create.js';
import { DENORMAL_MODES, type DenormalMode, type EngineOptions } from '../engine/engine.js';
import { TFJS_BACKEND_NAMES } from '../engine/tfjsBackendNames.js';
import { DEFAULT_GROUP_SIZE } from '../train/lockstep.js';
import { valueFlag } from './flags.js';

export const ENGINE_FLAGS = {
  engine: valueFlag(
    'NAME',
    z.enum(ENGINE_KINDS).default(DEFAULT_ENGINE),
    `${ENGINE_KINDS.join(', ')}: native is the C++ addon, tfjs the reference, webgpu the WGSL kernels\non a WebGPU adapter (grokcheck webgpu checks the adapter)`,
  ),
  backend: valueFlag(
    'NAME',
    z.string().optional(),
    `tfjs backend: ${TFJS_BACKEND_NAMES.join(', ')} (default: the first of tensorflow, wasm, cpu that\nworks; webgpu, on the WebGPU adapter, only when asked)`,
  ),
  threads: valueFlag('N', z.coerce.number().int().positive().optional(), 'native engine threads (default: all cores; results do not depend on it)'),
  denormals: valueFlag(
    'MODE',
    z.enum(DENORMAL_MODES).optional(),
    `subnormal floats: flush (native default: flush-to-zero, ~10x faster under strong weight decay\non Intel) or keep (IEEE, as PyTorch; tfjs always keeps them). Runs that never reach the\nsubnormal range give the same bits either way`,
  ),
};

/** The engine options of parsed engine flags. */
export function engineOptionsOf(f: { backend?: string; threads?: number; denormals?: DenormalMode }): EngineOptions {
  return {
    ...(f.threads === undefined ? {} : { threads: f.threads }),
    ...(f.backend === undefined ? {} : { backend: f.backend }),
    ...(f.denormals === undefined ? {} : { denormals: f.denormals }),
  };
}

/** Lockstep training on the webgpu engine (src/train/lockstep.ts): the commands that train several runs. */
export const LOCKSTEP_FLAGS = {
  'group-size': valueFlag(
    'N',
    z.coerce.number().int().positive().default(DEFAULT_GROUP_SIZE),
    "webgpu engine: train up to N runs of one model shape in lockstep, one dispatch per layer for\nall of them (fewer when the adapter's largest buffer cannot hold them; the records are those\nof runs trained alone)",
  ),
};

/** What a lockstep group that opens says (verify, train --seeds). */
export function lockstepLine(group: { slots: number; runs: number; bytes: number }): string {
  return `lockstep group of ${group.slots} slot(s) for ${group.runs} run(s) of one shape, ${(group.bytes / 2 ** 20).toFixed(0)} MiB of GPU memory (${(group.bytes / group.slots / 2 ** 20).toFixed(0)} MiB per run)`;
}
