/**
 * The baselines through real engines: the native engine (default) against the tfjs reference on the PyTorch
 * fixture models of shared/fixtures/reference, and FSD of a native capture against FSD of PyTorch's own
 * activations.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create.js';
import type { AsyncEngine } from '../engine/engine.js';
import { fixtureParams, loadFixture } from '../replay/fixtureFile.js';
import type { Params } from '../model/params.js';
import { makeSplit, makeTask } from '../tasks/task.js';
import { fourierFsd } from './fsd.js';
import { progressMeasures } from './progressMeasures.js';
import { restrictedLogitLoss } from './restrictedLogit.js';

const FIXTURE_DIR = new URL('../../../shared/fixtures/reference/', import.meta.url);

describe.each(['add11-2l-standard', 'add11-1l-standard'])('baselines on the %s fixture', (name) => {
  const fixture = loadFixture(fileURLToPath(new URL(`${name}.json`, FIXTURE_DIR)));
  const p = fixture.task.n;
  const task = makeTask('mod_add', p);
  const split = makeSplit(task.gridSize, 0.3, 0);
  // The trained parameters (after the fixture's batches) when present, else the initial ones.
  const params: Params = fixture.expected.final
    ? Object.fromEntries(Object.entries(fixture.expected.final).map(([k, v]) => [k, Float32Array.from(v)]))
    : fixtureParams(fixture);
  const engines: AsyncEngine[] = [];
  const make = async (kind: 'native' | 'tfjs') => {
    const engine = await createEngine(kind, {
      model: fixture.model,
      optimizer: fixture.optimizer,
      params,
      options: kind === 'tfjs' ? { backend: 'wasm' } : { threads: 2 },
    });
    engines.push(engine);
    return engine;
  };
  afterAll(() => engines.forEach((e) => e.dispose()));

  it('the restricted-logit loss and Nanda measures agree between the native and tfjs engines', async () => {
    const native = await make('native');
    const tfjs = await make('tfjs');
    for (const keep of [2, 7]) {
      const a = await restrictedLogitLoss(native, task, p, { keep });
      const b = await restrictedLogitLoss(tfjs, task, p, { keep });
      expect(a.kept).toEqual(b.kept);
      expect(a.kept.length).toBe(Math.min(keep, Math.floor(p / 2)));
      expect(a.layer).toBe(fixture.model.n_layers - 1);
      expect(Number.isFinite(a.loss)).toBe(true);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-4 * Math.max(1, b.loss));
    }
    const m = await progressMeasures(native, task, p, split.train, { keyCount: 2 });
    const n = await progressMeasures(tfjs, task, p, split.train, { keyCount: 2 });
    expect(m.keyFrequencies).toEqual(n.keyFrequencies);
    expect(Math.abs(m.excludedLoss - n.excludedLoss)).toBeLessThan(1e-4 * Math.max(1, n.excludedLoss));
    expect(Math.abs(m.restrictedLoss - n.restrictedLoss)).toBeLessThan(1e-4 * Math.max(1, n.restrictedLoss));
  });

  it('FSD of the native block-0 capture equals FSD of the PyTorch activations', async () => {
    const expected = fixture.expected.block0_mlp_hidden_last;
    expect(expected).toBeDefined();
    // the fixture's activations are those of its final parameters
    const native = await make('native');
    const capture = (await native.evaluate({ tokens: task.tokens, labels: task.labels, capture: ['block0.mlp.post'] })).captures['block0.mlp.post']!;
    const ours = fourierFsd(capture, fixture.model.d_mlp, task.labels, p);
    const theirs = fourierFsd(Float64Array.from(expected!), fixture.model.d_mlp, task.labels, p);
    expect(ours.fsd).toBe(theirs.fsd);
    expect(Array.from(ours.counts)).toEqual(Array.from(theirs.counts));
  });
});
