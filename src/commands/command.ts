/** A CLI sub-command: its help text is the truth about its flags (they are declared once, in a Flags table). */
import { ConfigError } from '../schema/parse.js';

/**
 * How the README tells users to start the CLI (issue 31): the launcher itself, from the checkout. npx re-installs
 * the project into npm's cache on first use, and a kill in that moment leaves the cache unusable; node runs the
 * launcher with nothing between. Every help text and message that shows a command line uses this.
 */
export const CLI = 'node bin/grokcheck.js';

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
