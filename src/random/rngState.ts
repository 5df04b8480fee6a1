/** zod schema of a serialised RNG state (four uint32 words), for checkpoint sidecars. */
import { z } from 'zod';
import type { RngState } from './rng.js';

const word = z.number().int().min(0).max(0xffffffff);
export const RngStateSchema = z.tuple([word, word, word, word]).transform((s) => s as RngState);
