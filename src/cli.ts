/**
 * grokcheck CLI entry point. Every sub-command validates its flags and prints errors without stack traces
 * (exit 2 for usage and input errors, 1 for failures).
 */
import { InterruptedError } from './engine/engine.js';
import { ConfigError } from './schema/parse.js';
import { CLI, UsageError, type Command } from './commands/command.js';
import { commands } from './commands/index.js';

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'grokcheck: re-test the claims of "Circuit Synchronization Precedes Generalization" (arXiv 2606.12966)',
    '',
    `Usage: ${CLI} <command> [flags]      (${CLI} <command> --help for its flags)`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`grokcheck: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`grokcheck ${name}: ${err.message}\n(see ${CLI} ${name} --help)`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(`grokcheck ${name}: ${err.message}`);
      return 2;
    }
    if (err instanceof InterruptedError) {
      console.error(`grokcheck ${name}: ${err.message}; everything written so far is kept: run the same command again to resume`);
      return err.signal === 'SIGINT' ? 130 : err.signal === 'SIGHUP' ? 129 : 143;
    }
    console.error(`grokcheck ${name}: ${(err as Error).message ?? err}`);
    if (process.env.GROKCHECK_DEBUG) console.error((err as Error).stack);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
