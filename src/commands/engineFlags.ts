/** The engine flags every training or replaying command takes (design.md "Engines"). */
import { z } from 'zod';
import { DEFAULT_ENGINE, ENGINE_KINDS } from '../engine/create.js';
import { valueFlag } from './flags.js';

export const ENGINE_FLAGS = {
  engine: valueFlag('NAME', z.enum(ENGINE_KINDS).default(DEFAULT_ENGINE), `${ENGINE_KINDS.join(' or ')}: native is the C++ addon, tfjs the reference`),
  backend: valueFlag('NAME', z.string().optional(), 'tfjs backend: tensorflow, wasm or cpu (default: the best available)'),
  threads: valueFlag('N', z.coerce.number().int().positive().optional(), 'native engine threads (default: all cores; results do not depend on it)'),
};
