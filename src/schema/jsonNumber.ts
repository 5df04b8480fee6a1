import { z } from 'zod';

/**
 * A number field that may hold NaN or +-Infinity, which records written with `nonFinite: 'string'` store as
 * the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers). Use it in record schemas for values
 * that legitimately diverge, such as losses.
 */
export const JsonNumberSchema = z.union([
  z.number(),
  z.enum(['NaN', 'Infinity', '-Infinity']).transform((text) => Number(text)),
]);
