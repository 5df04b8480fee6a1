/**
 * The reference-fixture format of shared/spec/model.md ("Reference fixtures"): a PyTorch run's init, batches,
 * optimiser and expected values. Validated with zod so a malformed file gets an error naming the field.
 */
import { z } from 'zod';
import { ConfigError, formatZodError, readJsonFile } from '../schema/parse.js';
import { ModelConfigSchema } from '../schema/model.js';
import { TaskKindSchema, taskElements } from '../schema/task.js';
import { checkParams, type Params } from '../model/params.js';

const finite = z.number().finite();
const tensor = z.object({ shape: z.array(z.number().int().nonnegative()), data: z.array(finite) }).strict();

export const FixtureSchema = z
  .object({
    name: z.string().min(1),
    generator: z.string().optional(),
    task: z
      .object({
        kind: TaskKindSchema,
        n: z.number().int().min(2),
        grid_order: z.string().optional(),
      })
      .passthrough(),
    model: ModelConfigSchema,
    optimizer: z
      .object({
        kind: z.literal('adamw'),
        lr: z.number().positive(),
        beta1: z.number().min(0).lt(1),
        beta2: z.number().min(0).lt(1),
        eps: z.number().positive(),
        weight_decay: z.number().min(0),
        warmup_steps: z.number().int().min(0).optional(),
      })
      .strict(),
    /** `full`: every batch is the whole training set (model.md "Model switches"); informative, `batches` rules. */
    batch_size: z.union([z.number().int().positive(), z.literal('full')]).optional(),
    train: z
      .object({
        tokens: z.array(z.array(z.number().int().nonnegative()).length(3)),
        labels: z.array(z.number().int().nonnegative()),
      })
      .strict(),
    batches: z.array(z.array(z.number().int().nonnegative()).min(1)),
    init: z.record(z.string(), tensor),
    expected: z
      .object({
        loss: z.array(finite),
        grid_loss: finite,
        grid_acc: finite,
        grad0: z.record(z.string(), z.array(finite)).optional(),
        grad0_norm: z.record(z.string(), finite).optional(),
        final: z.record(z.string(), z.array(finite)).optional(),
        final_summary: z.record(z.string(), z.object({ sum: finite, sumsq: finite }).strict()).optional(),
        grid_logits: z.array(finite).optional(),
        block0_mlp_hidden_last: z.array(finite).optional(),
        block0_attn_out_last: z.array(finite).optional(),
      })
      .passthrough(),
  })
  .passthrough()
  .superRefine((f, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const { model, train } = f;
    if (train.tokens.length !== train.labels.length)
      issue(['train', 'labels'], `has ${train.labels.length} labels for ${train.tokens.length} token rows`);
    train.tokens.forEach((row, i) => {
      if (row.some((t) => t >= model.vocab)) issue(['train', 'tokens', i], `token out of range (vocab ${model.vocab})`);
    });
    train.labels.forEach((y, i) => {
      if (y >= model.classes) issue(['train', 'labels', i], `label ${y} out of range (classes ${model.classes})`);
    });
    f.batches.forEach((batch, s) => {
      const bad = batch.find((i) => i >= train.tokens.length);
      if (bad !== undefined) issue(['batches', s], `index ${bad} is outside the training set (${train.tokens.length})`);
    });
    if (f.expected.loss.length !== f.batches.length)
      issue(['expected', 'loss'], `has ${f.expected.loss.length} values for ${f.batches.length} batches`);
    for (const [name, t] of Object.entries(f.init)) {
      const size = t.shape.reduce((a, b) => a * b, 1);
      if (size !== t.data.length) issue(['init', name, 'data'], `has ${t.data.length} values for shape [${t.shape}]`);
    }
    const initSizes = Object.fromEntries(Object.entries(f.init).map(([k, t]) => [k, t.data]));
    for (const problem of checkParams(model, initSizes)) issue(['init'], problem);
    if (f.expected.final) for (const problem of checkParams(model, f.expected.final)) issue(['expected', 'final'], problem);
    if (f.expected.grad0) for (const problem of checkParams(model, f.expected.grad0)) issue(['expected', 'grad0'], problem);
    const gridSize = taskElements(f.task.kind, f.task.n) ** 2;
    const gridChecks: [keyof typeof f.expected, number][] = [
      ['grid_logits', gridSize * model.classes],
      ['block0_mlp_hidden_last', gridSize * model.d_mlp],
      ['block0_attn_out_last', gridSize * model.d_model],
    ];
    for (const [key, size] of gridChecks) {
      const arr = f.expected[key] as number[] | undefined;
      if (arr && arr.length !== size) issue(['expected', key], `has ${arr.length} values, expected ${size} (grid x units)`);
    }
  });
export type Fixture = z.infer<typeof FixtureSchema>;


/** Reads and validates a fixture file; throws a ConfigError that names the file and every bad field. */
export function loadFixture(path: string): Fixture {
  const result = FixtureSchema.safeParse(readJsonFile(path, 'fixture'));
  if (!result.success) {
    const lines = formatZodError(result.error).split('\n');
    const shown = lines.slice(0, 20).join('\n') + (lines.length > 20 ? `\n... and ${lines.length - 20} more` : '');
    throw new ConfigError(`malformed fixture ${path}:\n${shown}`);
  }
  return result.data;
}

export function fixtureParams(fixture: Fixture): Params {
  const params: Params = {};
  for (const [name, t] of Object.entries(fixture.init)) params[name] = Float32Array.from(t.data);
  return params;
}

/** Token rows and labels of one fixture batch, as engine inputs. */
export function fixtureBatch(fixture: Fixture, step: number): { tokens: Int32Array; labels: Int32Array } {
  const batch = fixture.batches[step];
  const tokens = new Int32Array(batch.length * 3);
  const labels = new Int32Array(batch.length);
  batch.forEach((idx, i) => {
    tokens.set(fixture.train.tokens[idx], i * 3);
    labels[i] = fixture.train.labels[idx];
  });
  return { tokens, labels };
}
