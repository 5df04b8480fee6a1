/** A CLI sub-command: its help text is the truth about its flags (they are declared once, in a Flags table). */
import { ConfigError } from '../schema/parse.js';

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

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}
