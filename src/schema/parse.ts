/**
 * Parsing configs and input files with zod: errors name every bad field, so a user reads what is wrong and where.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Formats a zod error as one line per problem, naming the field path, e.g. "model.d_model: expected number". */
export function formatZodError(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((s) => s !== '').join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses `value` with `schema`; throws a ConfigError naming every bad field (prefixed by `where`). */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(`invalid ${where}:\n${formatZodError(result.error, where)}`);
  return result.data;
}

/** Reads a JSON input file; an unreadable or unparsable file is a ConfigError naming `what` and the path. */
export function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}
