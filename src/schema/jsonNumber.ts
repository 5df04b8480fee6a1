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

/** A JSON.stringify replacer that writes NaN and +-Infinity as JsonNumberSchema reads them back (not as null). */
export function nonFiniteAsString(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
