/** `grokcheck merge DEST SRC...`: the union of run stores trained on other machines (src/verify/merge.ts). */
import { PAPERS } from '../papers/index.js';
import { MergeError, mergeStores } from '../verify/merge.js';
import { CLI, UsageError, type Command } from './command.js';
import { Flags, switchFlag } from './flags.js';

const MERGE_FLAGS = new Flags({ json: switchFlag('print {copied, unchanged, skipped} as JSON') });

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge run stores from other machines (shards) into one',
  help: `Usage: ${CLI} merge DEST SRC... [flags]

Copies every complete run of each SRC run store into DEST (created if absent), so that \`${CLI} verify
--runs DEST\` trains nothing more and writes the report (the runs of \`verify --shard i/N\`, trained on other
machines or CI runners). Each store is untrusted input: merge never follows a symbolic link, never writes outside
DEST, accepts only run-id folders and the store's own file names, bounds file sizes, and checks every config,
record, checkpoint and measurement of every source before copying anything. It refuses two different records
under one run id (naming the run and the file), leaving DEST as it was; merging twice changes nothing.
Incomplete runs are left out and listed.

${MERGE_FLAGS.help()}

Exit code: 0 when merged; 1 when refused (nothing was written); 2 on bad arguments.`,
  async run(argv) {
    const { values: f, positionals } = MERGE_FLAGS.parse(argv, { positionals: true });
    if (positionals.length < 2) throw new UsageError('expected a destination store and at least one source store');
    const [dest, ...sources] = positionals;
    // A run does not say which paper it serves: it is checked against every paper's records and measurements.
    const checks = { records: PAPERS.map((p) => p.checkpoint.record.schema), measurements: PAPERS.flatMap((p) => p.measurements) };
    let result;
    try {
      result = mergeStores(dest, sources, checks);
    } catch (error) {
      if (error instanceof MergeError) {
        console.error(`grokcheck merge: refused, ${dest} is as it was: ${(error as Error).message}`);
        return 1;
      }
      throw error;
    }
    if (f.json) console.log(JSON.stringify(result));
    else {
      console.log(`merged into ${dest}: ${result.copied.length} run(s) copied, ${result.unchanged.length} already there`);
      for (const s of result.skipped) console.log(`  left out ${s.run} of ${s.source}: ${s.why}`);
    }
    return 0;
  },
};
