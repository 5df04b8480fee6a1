/** A CLI sub-command: its help text is the truth about its flags (parseArgs options are declared next to it). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { ConfigError, formatZodError } from '../schema/parse.js';

export interface Command {
  name: string;
  summary: string;
  /** Full help: usage line, flags, examples. */
  help: string;
  run(argv: string[]): Promise<number>;
}

/** A usage error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict flags; unknown flags and missing values become UsageErrors. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Validates parsed flag values with a zod schema; errors name the flag (`--flag-name`). */
export function validateFlags<S extends z.ZodType>(schema: S, values: unknown): z.infer<S> {
  const result = schema.safeParse(values);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const flag = i.path.length ? `--${String(i.path[0]).replace(/_/g, '-')}` : '(flags)';
      return `${flag}: ${i.message}`;
    });
    throw new UsageError(lines.join('\n'));
  }
  return result.data;
}

/** A flag given as a string, parsed as a number with zod's coercion rules and a clear error. */
export const numberFlag = (what: z.ZodNumber) =>
  z.preprocess((v) => (v === undefined ? undefined : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN), what);

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}

export { formatZodError };
