/** `grokcheck replay FIXTURE.json`: check our arithmetic against a PyTorch reference run (model.md fixtures). */
import { loadFixture } from '../replay/fixtureFile.js';
import { replayFixture } from '../replay/replayFixture.js';
import { CLI, UsageError, type Command } from './command.js';
import { ENGINE_FLAGS, engineOptionsOf } from './engineFlags.js';
import { Flags, switchFlag } from './flags.js';

const REPLAY_FLAGS = new Flags({
  json: switchFlag('print one JSON object: name, losses, grid_loss, grid_acc, max_rel_loss_err,\nmax_abs_param_err, ok, and the other agreement figures'),
  ...ENGINE_FLAGS,
});

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a PyTorch reference fixture and report the agreement',
  help: `Usage: ${CLI} replay FIXTURE.json [flags]

Runs the fixture's training steps from its 'init' on its 'batches' with its optimiser, then evaluates the
full grid, and compares with its 'expected' values (shared/spec/model.md, "Reference fixtures").
Tolerance: relative 1e-4 on every step's loss, absolute 1e-3 on the final parameters where the fixture has
them. Exit code 0 when within tolerance, 1 when not, 2 when the file is malformed (the error names the field).

${REPLAY_FLAGS.help()}

Example: ${CLI} replay ../shared/fixtures/reference/add11-1l-standard.json --json`,
  async run(argv) {
    const { values: flags, positionals } = REPLAY_FLAGS.parse(argv, { positionals: true });
    if (positionals.length !== 1) throw new UsageError('expected exactly one fixture file');
    const fixture = loadFixture(positionals[0]);
    const report = await replayFixture(fixture, flags.engine, { engine: engineOptionsOf(flags) });
    if (flags.json) console.log(JSON.stringify(report));
    else {
      const fmt = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toExponential(2));
      console.log(`${report.name}: ${report.losses.length} steps on ${flags.engine}`);
      console.log(`  max relative loss error   ${fmt(report.max_rel_loss_err)}  (tolerance 1e-4)`);
      console.log(`  max abs final-param error ${fmt(report.max_abs_param_err)}  (tolerance 1e-3)`);
      console.log(`  grid loss ${report.grid_loss.toFixed(6)}  grid acc ${report.grid_acc.toFixed(6)}`);
      console.log(report.ok ? '  OK: within tolerance' : '  FAIL: outside tolerance');
    }
    return report.ok ? 0 : 1;
  },
};
