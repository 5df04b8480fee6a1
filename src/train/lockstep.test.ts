/**
 * The lockstep trainer on WebGPU (lavapipe in CI; skipped with one line without an adapter): runs trained
 * together in one group end with the records, checkpoints and status they get trained alone, while the group
 * takes runs of different seeds, batch sizes (so that runs step in turns, one per batch size), step caps, a fork,
 * and more runs than slots; and a group killed (SIGKILL) in the middle resumes to the records of an
 * uninterrupted group, through the CLI (`train --seeds`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { webGpuForTests } from '../engine/webgpu/device.js';
import { RunConfigSchema, type RunConfig } from '../schema/runConfig.js';
import { makeTempDir } from '../testing/tempDir.js';
import { forkRunConfig } from './fork.js';
import { trainLockstep } from './lockstep.js';
import { openStore, trainRun } from './loop.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';

const { gpu, reason } = await webGpuForTests();
if (!gpu) console.log(`lockstep trainer tests skipped: ${reason}`);
gpu?.device.destroy();

const tiny = (over: { seed: number; batch?: number; steps: number }): RunConfig =>
  RunConfigSchema.parse({
    // 60 training examples: batches of 16 make epochs of 16, 16, 16, 12; batches of 20, three of 20.
    task: { kind: 'mod_add', n: 11, train_frac: 0.5, split_seed: 1 },
    model: { vocab: 12, classes: 11, d_model: 16, n_heads: 2, d_mlp: 32, n_layers: 2, variant: 'standard' },
    optimizer: { lr: 3e-3 },
    batch_size: over.batch ?? 16,
    init_seed: over.seed,
    batch_seed: over.seed,
    eval_every: 50,
    stop: { max_steps: over.steps },
    metrics: { permutations: 10 },
  });

function runFiles(store: string, id: string): { records: string; status: unknown; checkpoints: string[] } {
  const s = openStore(store);
  const { updated: _u, wall_s: _w, trained_by, ...status } = s.readStatus(id)!;
  return {
    records: readFileSync(s.paths(id).records, 'utf8'),
    // Where the run trained (alone or in a group of how many) is provenance, not a result: compared apart.
    status: { ...status, trained_by: trained_by!.map(({ started: _s, lockstep_slots: _l, ...t }) => t) },
    checkpoints: s.listCheckpoints(id).map((c) => `${c.step} ${createHash('sha256').update(readFileSync(c.path)).digest('hex')}`),
  };
}

describe.skipIf(!gpu)('the lockstep trainer', () => {
  it('gives every run of a group the records, checkpoints and status it gets alone', async () => {
    const alone = makeTempDir('gc-lockstep-alone-');
    const grouped = makeTempDir('gc-lockstep-group-');
    const parent = tiny({ seed: 5, batch: 20, steps: 100 });
    const parentRun = await trainRun({ measures: circuitSyncMeasures, config: parent, storeRoot: alone, engine: 'webgpu' });
    await trainRun({ measures: circuitSyncMeasures, config: parent, storeRoot: grouped, engine: 'webgpu' });
    const configs = [
      tiny({ seed: 1, steps: 150 }),
      tiny({ seed: 2, batch: 20, steps: 100 }),
      // Forked at the parent's last step, with its batch order (batches of 20) and another weight decay.
      forkRunConfig(parent, parentRun.id, { step: 100, weightDecay: 2, stop: { max_steps: 200 } }),
      tiny({ seed: 3, steps: 100 }),
    ];
    const events: string[] = [];
    const results = await trainLockstep(
      configs.map((config) => ({ config, storeRoot: grouped, engine: 'webgpu' as const, measures: circuitSyncMeasures })),
      { groupSize: 3, onStart: (i) => void events.push(`start ${i}`), onSettled: (i) => void events.push(`done ${i}`) },
    );
    // Three slots: the fourth run takes the slot of the first to leave.
    expect(events.slice(0, 3)).toEqual(['start 0', 'start 1', 'start 2']);
    expect(events.indexOf('start 3')).toBeGreaterThan(events.findIndex((e) => e.startsWith('done')));
    for (const [i, config] of configs.entries()) {
      const result = results[i];
      if (result.status === 'rejected') throw result.reason;
      expect(result.value.status).toBe('complete');
      const solo = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: alone, engine: 'webgpu' });
      expect(solo.id).toBe(result.value.id);
      expect(runFiles(grouped, solo.id), `run ${i}`).toEqual(runFiles(alone, solo.id));
      expect(openStore(grouped).readStatus(solo.id)!.trained_by!.at(-1)!.lockstep_slots).toBe(3);
      expect(openStore(alone).readStatus(solo.id)!.trained_by!.at(-1)!.lockstep_slots).toBeUndefined();
    }
  }, 900_000);

  it('a group killed with SIGKILL resumes, as a group, to the records of an uninterrupted one', async () => {
    const cli = fileURLToPath(new URL('../../bin/grokcheck.js', import.meta.url));
    const args = [
      'train', '--p', '11', '--d-model', '16', '--heads', '2', '--d-mlp', '32', '--batch-size', '32', '--train-frac', '0.5',
      '--lr', '3e-3', '--steps', '300', '--after-grok', 'none', '--eval-every', '25', '--permutations', '10',
      '--seeds', '1,2,3', '--engine', 'webgpu', '--quiet',
    ];
    const ids = (store: string) => (existsSync(store) ? readdirSync(store).filter((n) => /^[0-9a-f]{16}$/.test(n)).sort() : []);
    const lines = (store: string) =>
      ids(store).reduce((sum, id) => {
        const file = join(store, id, 'records.jsonl');
        return sum + (existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0);
      }, 0);
    const whole = makeTempDir('gc-lockstep-whole-');
    const ref = spawnSync(process.execPath, [cli, ...args, '--runs', whole], { encoding: 'utf8' });
    expect(ref.status, ref.stderr).toBe(0);
    expect(ids(whole)).toHaveLength(3);
    const killed = makeTempDir('gc-lockstep-killed-');
    let kills = 0;
    // Two kills: after a third and after two thirds of all records (3 runs x 13 checkpoints).
    for (const atLines of [13, 26]) {
      const child = spawn(process.execPath, [cli, ...args, '--runs', killed], { stdio: 'ignore' });
      const deadline = Date.now() + 300_000;
      while (lines(killed) < atLines && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
      }
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('exit', r)));
    }
    expect(kills).toBe(2);
    expect(lines(killed)).toBeLessThan(39);
    const resumed = spawnSync(process.execPath, [cli, ...args, '--runs', killed], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(ids(killed)).toEqual(ids(whole));
    for (const id of ids(whole)) expect(runFiles(killed, id).records, id).toBe(runFiles(whole, id).records);
  }, 900_000);
});
