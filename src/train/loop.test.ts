/** The training loop in-process: forks continue exactly, schedules fire where they should, stop rules hold. */
import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventSteps } from '../papers/circuit-sync/events.js';
import { openStore, stopRule, trainRun } from './loop.js';
import type { CircuitSyncRecord as CheckpointRecord } from '../papers/circuit-sync/record.js';
import type { RunConfig, RunConfigInput } from '../schema/runConfig.js';
import { makeTempDir } from '../testing/tempDir.js';
import { circuitSyncMeasures } from '../papers/circuit-sync/measure.js';
import { circuitSyncRunConfig } from '../papers/circuit-sync/metricOptions.js';

/** Completed by the paper, as trainRun names it (measures.ts completeRunConfig). */
function tinyConfig(overrides: Partial<RunConfigInput> = {}): RunConfig {
  return circuitSyncRunConfig({
    task: { kind: 'mod_add', n: 11, train_frac: 0.5, split_seed: 1 },
    model: { vocab: 12, classes: 11, d_model: 16, n_heads: 2, d_mlp: 32, n_layers: 2, variant: 'standard' },
    optimizer: { lr: 3e-3 },
    batch_size: 16,
    init_seed: 1,
    batch_seed: 1,
    eval_every: 50,
    stop: { max_steps: 600 },
    metrics: { permutations: 20 },
    ...overrides,
  });
}

const store = () => makeTempDir('grokcheck-loop-');

describe('training loop', () => {
  it('a fork with the parent weight decay and batch order reproduces the parent exactly', async () => {
    const root = store();
    const parent = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig(), storeRoot: root, engine: 'native' });
    expect(parent.status).toBe('complete');
    expect(parent.records.map((r) => r.step)).toEqual(Array.from({ length: 13 }, (_, i) => i * 50));
    // Forks start from kept checkpoints: every 1000 steps and the event steps (here the memorisation step).
    const at = eventSteps(parent.records, 0.8).memorisation!;
    expect(at).toBeGreaterThan(0);
    const fork = await trainRun({
      measures: circuitSyncMeasures,
      config: tinyConfig({ fork: { parent: parent.id, step: at }, batch_seed: undefined }),
      storeRoot: root,
      engine: 'native',
    });
    expect(fork.id).not.toBe(parent.id);
    expect(fork.records[0].step).toBe(at);
    expect(fork.records).toEqual(parent.records.filter((r) => r.step >= at));
  });

  it('a fork with a new weight decay or batch seed diverges from the parent', async () => {
    const root = store();
    const parent = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig(), storeRoot: root, engine: 'native' });
    const at = eventSteps(parent.records, 0.8).memorisation!;
    const atIndex = parent.records.findIndex((r) => r.step === at);
    const heavier = await trainRun({
      measures: circuitSyncMeasures,
      config: tinyConfig({ fork: { parent: parent.id, step: at }, batch_seed: undefined, optimizer: { lr: 3e-3, weight_decay: 5 } }),
      storeRoot: root,
      engine: 'native',
    });
    expect(heavier.records[0]).toEqual({ ...parent.records[atIndex], weight_decay: 5 });
    expect(heavier.records.at(-1)!.norm).toBeLessThan(parent.records.at(-1)!.norm);
    const reseeded = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig({ fork: { parent: parent.id, step: at }, batch_seed: 99 }), storeRoot: root, engine: 'native' });
    expect(reseeded.records[0].train_loss).toBe(parent.records[atIndex].train_loss);
    expect(reseeded.records[1].train_loss).not.toBe(parent.records[atIndex + 1].train_loss);
  });

  it('a step-triggered schedule raises the weight decay from that step on', async () => {
    const out = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig({ schedule: { lambda_high: 3, trigger: 'step:120' } }), storeRoot: store(), engine: 'native' });
    // A record's weight decay is the one in effect from its step on.
    const wd = Object.fromEntries(out.records.map((r) => [r.step, r.weight_decay]));
    expect(wd[100]).toBe(1);
    expect(wd[150]).toBe(3);
    expect(wd[600]).toBe(3);
  });

  it('a step trigger on a checkpoint step shows in that step\'s record', async () => {
    // The record of step 100 says the weight decay in effect from step 100 on; it once said the old one, so a
    // step-500 trigger showed at 600 in the records (the training was the same: it fired before step 100 -> 101).
    const out = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig({ schedule: { lambda_high: 3, trigger: 'step:100' } }), storeRoot: store(), engine: 'native' });
    const wd = Object.fromEntries(out.records.map((r) => [r.step, r.weight_decay]));
    expect([wd[50], wd[100], wd[150]]).toEqual([1, 3, 3]);
  });

  it('an event-triggered schedule fires at the memorisation checkpoint', async () => {
    const out = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig({ schedule: { lambda_high: 2, trigger: 'mem' } }), storeRoot: store(), engine: 'native' });
    const mem = eventSteps(out.records, 0.8).memorisation;
    expect(mem).not.toBeNull();
    for (const r of out.records) expect(r.weight_decay).toBe(r.step < mem! ? 1 : 2);
  });

  it('stop rules: the cap, N steps after grokking (canonical val >= 0.95), and divergence', () => {
    const rec = (step: number, val_acc: number, diverged = false) => ({ step, val_acc, diverged }) as CheckpointRecord;
    const history = [rec(0, 0.1), rec(100, 0.5), rec(200, 0.96), rec(300, 0.4)];
    expect(stopRule(history.slice(0, 3), 200, 1000, 200)).toBeNull();
    expect(stopRule(history, 300, 1000, 200)).toBeNull();
    expect(stopRule([...history, rec(400, 1)], 400, 1000, 200)).toMatch(/grokked at 200/);
    expect(stopRule(history, 300, 1000, undefined)).toBeNull();
    expect(stopRule(history, 1000, 1000, undefined)).toMatch(/step cap 1000/);
    expect(stopRule([rec(0, 0.1, true)], 0, 1000, 100)).toMatch(/diverged/);
  });

  it('stop.coarse_grid: goes on past grok + N until N steps after a checkpoint on the coarse grid grokked too', () => {
    const rec = (step: number, val_acc: number) => ({ step, val_acc, diverged: false }) as CheckpointRecord;
    // Grokked at 700 on the 100-step grid; 1000 is below 0.95 (the paper's p = 53 stopped here without a 500-grid grok).
    const history = [0, 100, 200, 300, 400, 500, 600].map((s) => rec(s, 0.2)).concat([rec(700, 0.96), rec(800, 0.97), rec(900, 0.96), rec(1000, 0.9)]);
    expect(stopRule(history, 1000, 5000, 300)).toMatch(/grokked at 700/);
    expect(stopRule(history, 1000, 5000, 300, 500)).toBeNull();
    const later = [...history, ...[1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800].map((s) => rec(s, 0.97))];
    expect(stopRule(later.slice(0, history.length + 5), 1500, 5000, 300, 500)).toBeNull();
    expect(stopRule(later.slice(0, -1), 1700, 5000, 300, 500)).toBeNull();
    expect(stopRule(later, 1800, 5000, 300, 500)).toMatch(/grokked at 700 \(at 1500 on the 500-step grid\); stopped 300 steps after both/);
    // The cap still ends it.
    expect(stopRule(history, 5000, 5000, 300, 500)).toMatch(/step cap 5000/);
  });

  it("each training call is named in the run's status: commit, CPU, engine, start and first step", async () => {
    const root = store();
    const config = tinyConfig({ stop: { max_steps: 200 } });
    await trainRun({ measures: circuitSyncMeasures, config, storeRoot: root, engine: 'native', stepBudget: 100 });
    await trainRun({ measures: circuitSyncMeasures, config, storeRoot: root, engine: 'native' });
    const s = openStore(root);
    const trainedBy = s.readStatus(s.identify(config).id)!.trained_by!;
    expect(trainedBy.map((t) => t.from_step)).toEqual([0, 100]);
    for (const t of trainedBy) {
      expect(t.commit === null || /^[0-9a-f]{40}$/.test(t.commit)).toBe(true);
      expect(t.cpu.length).toBeGreaterThan(0);
      expect(t.engine).toMatch(/^native/);
      expect(Number.isNaN(Date.parse(t.started))).toBe(false);
    }
  });

  it('batch_order reversed: the same batches fed back to front, a different run id, the same function up to rounding', async () => {
    const root = store();
    const plain = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig({ stop: { max_steps: 100 } }), storeRoot: root, engine: 'native' });
    const reversed = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig({ stop: { max_steps: 100 }, batch_order: 'reversed' }), storeRoot: root, engine: 'native' });
    expect(reversed.id).not.toBe(plain.id);
    // Rounding only: close, not identical (the last bits of the sums differ).
    const a = plain.records.at(-1)!.train_loss;
    const b = reversed.records.at(-1)!.train_loss;
    expect(Math.abs(a - b) / a).toBeLessThan(1e-3);
    expect(plain.records.map((r) => r.train_loss)).not.toEqual(reversed.records.map((r) => r.train_loss));
  });

  it('a complete run is read back without training', async () => {
    const config = tinyConfig({ stop: { max_steps: 100 } });
    const root = store();
    const out = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: root, engine: 'native' });
    expect(out.status).toBe('complete');
    const statusFile = join(openStore(root).paths(out.id).status);
    const before = readFileSync(statusFile, 'utf8');
    const again = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: root, engine: 'native' });
    expect(again.records).toEqual(out.records);
    expect(readFileSync(statusFile, 'utf8')).toBe(before);
  });

  it('a diverging run is recorded as diverged and stops', async () => {
    // A learning rate of 1e20 makes the MLP output (hidden ~ 1e20 times W_out ~ 1e20) overflow float32.
    const out = await trainRun({ measures: circuitSyncMeasures, config: tinyConfig({ optimizer: { lr: 1e20, weight_decay: 0 } }), storeRoot: store(), engine: 'native' });
    expect(out.status).toBe('complete');
    expect(out.message).toMatch(/diverged/);
    expect(out.records.at(-1)!.diverged).toBe(true);
    expect(Number.isNaN(out.records.at(-1)!.fsd)).toBe(true);
  });

  it('refuses corrupt records with a message naming the file and line', async () => {
    const root = store();
    const config = tinyConfig({ stop: { max_steps: 200 } });
    const out = await trainRun({ measures: circuitSyncMeasures, config, storeRoot: root, engine: 'native', stepBudget: 120 });
    expect(out.status).toBe('running');
    const file = join(openStore(root).paths(out.id).records);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].replace('"train_acc":', '"train_acc":"x","was":');
    writeFileSync(file, lines.join('\n'));
    await expect(trainRun({ measures: circuitSyncMeasures, config, storeRoot: root, engine: 'native' })).rejects.toThrow(/records\.jsonl:2: record fails its schema/);
    expect(readdirSync(join(root, out.id))).toContain('records.jsonl');
  });
});
