/** `grokcheck replay FIXTURE.json`: check our arithmetic against a PyTorch reference run (model.md fixtures). */
import { loadFixture } from '../replay/fixtureFile.js';
import { REPLAY_TOLERANCES, TWIN_FACTOR, TWIN_SEEDS, replayFixture } from '../replay/replayFixture.js';
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
Tolerances (src/replay/replayFixture.ts, REPLAY_TOLERANCES): relative 1e-4 on every step's loss, absolute 1e-3
on the final parameters, and those of the step-0 gradients, parameter sums, grid logits, activations, grid loss
and accuracy where the fixture has them. Where a fixed tolerance is missed, the replay runs again from three
rounding twins of the init (every value one ulp away) and judges each check against ${TWIN_FACTOR} times the twins'
distance from its own run (step by step for the loss): a chaotic trajectory moves that far by rounding alone,
and the report says when this was done. Exit code 0 when within tolerance, 1 when not, 2 when the file is
malformed (the error names the field). The fixtures of the model switches are in ../shared/fixtures/reference/switches/.

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
      const tol = REPLAY_TOLERANCES;
      console.log(`  max relative loss error   ${fmt(report.max_rel_loss_err)}  (tolerance ${tol.lossRel})`);
      console.log(`  max abs final-param error ${fmt(report.max_abs_param_err)}  (tolerance ${tol.paramAbs})`);
      if (report.max_rel_summary_err !== null)
        console.log(`  max final_summary error   ${fmt(report.max_rel_summary_err)}  (tolerance ${tol.summaryRel})`);
      console.log(`  grid loss ${report.grid_loss.toFixed(6)}  grid acc ${report.grid_acc.toFixed(6)}`);
      const twin = report.rounding_twin;
      if (twin)
        console.log(
          `  a fixed tolerance was missed, so the checks were judged against ${TWIN_FACTOR} x the rounding twins' distance ` +
            `(${TWIN_SEEDS.length} runs from one ulp off the init): loss ${fmt(twin.max_rel_loss_dist)}, parameters ${fmt(twin.max_abs_param_dist)}, ` +
            `summary ${fmt(twin.max_rel_summary_dist)}`,
        );
      for (const failure of report.failures) console.log(`  ${failure}`);
      console.log(report.ok ? '  OK: within tolerance' : '  FAIL: outside tolerance');
    }
    return report.ok ? 0 : 1;
  },
};
