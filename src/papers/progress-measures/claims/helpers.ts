/** What several claims read: the main runs, the paper's epochs at this profile's scale, shares of seeds. */
import type { ProgressContext } from '../context.js';

/** The profile's main runs (one per seed). */
export const mainKeys = (ctx: ProgressContext): string[] => ctx.keysOf('main');

/** `n` of the paper's epochs at the profile's scale (ProfileSpec.epochScale). */
export const epochs = (ctx: ProgressContext, n: number): number => n * ctx.profile.epochScale;

/** How many of `values` pass `test`. */
export function count<T>(values: readonly T[], test: (v: T) => boolean): number {
  return values.reduce((n, v) => n + (test(v) ? 1 : 0), 0);
}

/** `3/5 seeds` */
export const ofSeeds = (k: number, n: number): string => `${k}/${n} seeds`;

/** The run key's seed (`main/p113/s3` -> `s3`), for tables. */
export const seedOf = (key: string): string => key.split('/').at(-1)!;
