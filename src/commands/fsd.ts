/** `grokcheck fsd`: FSD, its top frequency, ranks and permutation test of stored activations (metrics.md). */
import { z } from 'zod';
import { ConfigError, formatZodError, readJsonFile } from '../schema/parse.js';
import { loadFixture } from '../replay/fixtureFile.js';
import { makeTask } from '../tasks/task.js';
import { fsdWithNullTest } from '../metrics/fsdSummary.js';
import { CLI, UsageError, type Command } from './command.js';
import { Flags, switchFlag, valueFlag } from './flags.js';

const FIXTURE_SITES = { block0_mlp_hidden_last: 'd_mlp', block0_attn_out_last: 'd_model' } as const;

const FSD_FLAGS = new Flags({
  fixture: valueFlag('FILE', z.string().optional(), 'a reference fixture (model.md format); its task gives p and the operation'),
  site: valueFlag('SITE', z.enum(['block0_mlp_hidden_last', 'block0_attn_out_last']).default('block0_mlp_hidden_last'), "the fixture's activations to read"),
  activations: valueFlag('FILE', z.string().optional(), '{"p", "op": "add"|"sub"|"mul", "units", "data"} with data row-major over the grid (a*p+b)'),
  permutations: valueFlag('N', z.coerce.number().int().min(1).default(1000), 'replicates of the null'),
  seed: valueFlag('N', z.coerce.number().int().min(0).default(0), 'seed of the null'),
  null: valueFlag('KIND', z.enum(['permutation', 'gaussian']).default('permutation'), 'permutation or gaussian (i.i.d. Gaussian activations of the same shape)'),
  json: switchFlag('print {fsd, top_frequency, participation, median_rank, rank1_fraction, p_value,\nnull_mean, null_q95, silent_units}'),
});

const ActivationsFileSchema = z
  .object({
    p: z.number().int().min(3),
    op: z.enum(['add', 'sub', 'mul', 'mod_add', 'mod_sub', 'mod_mul']),
    units: z.number().int().positive(),
    data: z.array(z.number().finite()),
  })
  .strict()
  .superRefine((f, ctx) => {
    const expected = f.p * f.p * f.units;
    if (f.data.length !== expected)
      ctx.addIssue({
        code: 'custom',
        path: ['data'],
        message: `must hold p * p * units = ${f.p} * ${f.p} * ${f.units} = ${expected} values (row-major over a*p+b), got ${f.data.length}`,
      });
  });

function loadActivations(path: string) {
  const parsed = ActivationsFileSchema.safeParse(readJsonFile(path, 'activations'));
  if (!parsed.success) throw new ConfigError(`malformed activations file ${path}:\n${formatZodError(parsed.error)}`);
  const f = parsed.data;
  const kind = (f.op.startsWith('mod_') ? f.op : `mod_${f.op}`) as 'mod_add' | 'mod_sub' | 'mod_mul';
  return { p: f.p, labels: makeTask(kind, f.p).labels, units: f.units, data: Float32Array.from(f.data) };
}

export const fsdCommand: Command = {
  name: 'fsd',
  summary: 'FSD, top frequency, Fourier ranks and permutation test of stored activations',
  help: `Usage: ${CLI} fsd (--fixture FILE.json [--site SITE] | --activations FILE.json) [--permutations N] [--json]

Computes, on the full grid of a Z_p task (shared/spec/metrics.md): FSD, the top frequency and its
participation, the median Fourier rank and the rank-1 fraction, and the permutation test (p-value, null mean
and 95th percentile over N seeded replicates).

${FSD_FLAGS.help()}`,
  async run(argv) {
    const { values: f } = FSD_FLAGS.parse(argv);
    if ((f.fixture === undefined) === (f.activations === undefined)) throw new UsageError('give exactly one of --fixture and --activations');
    let input: { p: number; labels: Int32Array; units: number; data: Float32Array };
    if (f.fixture) {
      const fixture = loadFixture(f.fixture);
      if (fixture.task.kind === 'sym') throw new UsageError('fsd works on Z_p tasks; this fixture is a symmetric-group task');
      const data = fixture.expected[f.site];
      if (!data) throw new ConfigError(`fixture ${f.fixture} has no expected.${f.site}`);
      input = { p: fixture.task.n, labels: makeTask(fixture.task.kind, fixture.task.n).labels, units: fixture.model[FIXTURE_SITES[f.site]], data: Float32Array.from(data) };
    } else input = loadActivations(f.activations!);
    const report = fsdWithNullTest(input.data, input.units, input.labels, input.p, { replicates: f.permutations, seed: f.seed, kind: f.null });
    if (f.json) console.log(JSON.stringify(report.json));
    else {
      const j = report.json;
      console.log(`FSD ${j.fsd.toFixed(4)}${report.noSignal ? ' (no signal: every unit is silent)' : ''}`);
      console.log(`  top frequency ${j.top_frequency ?? '-'} with participation ${j.participation.toFixed(4)}`);
      console.log(`  median Fourier rank ${j.median_rank ?? '-'}, rank-1 fraction ${j.rank1_fraction.toFixed(4)}, silent units ${j.silent_units}`);
      console.log(`  ${report.nullKind} null (${report.replicates} replicates): p = ${j.p_value.toPrecision(3)}, mean ${j.null_mean.toFixed(4)}, 95th percentile ${j.null_q95.toFixed(4)}`);
    }
    return 0;
  },
};
