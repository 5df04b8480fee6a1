/**
 * Task config (shared/spec/model.md "Tasks"): Z_p addition, subtraction and multiplication, and S_n
 * composition, with the seeded train/validation split; and the one place that counts a task's elements.
 */
import { z } from 'zod';

export const TaskKindSchema = z.enum(['mod_add', 'mod_sub', 'mod_mul', 'sym']);
export type TaskKind = z.infer<typeof TaskKindSchema>;

export const TaskConfigSchema = z
  .object({
    kind: TaskKindSchema,
    /** p for the Z_p tasks, n for the symmetric group S_n. */
    n: z.number().int().min(2).max(1000),
    /** Fraction of the grid used for training (model.md: 0.3 for Z_p, 0.7 for S5). */
    train_frac: z.number().gt(0).lt(1),
    split_seed: z.number().int().min(0),
  })
  .strict()
  .refine((t) => t.kind !== 'sym' || t.n <= 6, { message: 'sym supports n <= 6 (n! classes)', path: ['n'] });
export type TaskConfig = z.infer<typeof TaskConfigSchema>;

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Number of operands of a task: p for Z_p, n! for S_n (the vocabulary is this + 1, the classes this). */
export function taskElements(kind: TaskKind, n: number): number {
  if (kind !== 'sym') return n;
  let elements = 1;
  for (let i = 2; i <= n; i++) elements *= i;
  return elements;
}
