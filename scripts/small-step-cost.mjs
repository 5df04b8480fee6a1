// Usage: node scripts/small-step-cost.mjs [DIST_DIR] [P] — one small-profile training step (full batch)
// against one checkpoint (circuit-sync's measure.ts), fastest of 5, one thread.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const dist = pathToFileURL(resolve(process.argv[2] ?? 'dist')).href;
const p = Number(process.argv[3] ?? 43);
const { createEngine } = await import(`${dist}/engine/create.js`);
const { initParams } = await import(`${dist}/model/params.js`);
const { taskFromConfig, gather } = await import(`${dist}/tasks/task.js`);
const { mainRunConfig, smallProfile } = await import(`${dist}/papers/circuit-sync/profiles.js`);
// circuit-sync's measure.ts since issue 28 (train/measure.ts in older builds).
const { measureCheckpoint } = await import(`${dist}/papers/circuit-sync/measure.js`).catch(() => import(`${dist}/train/measure.js`));
const config = mainRunConfig(smallProfile, p, 42);
const { task, split } = taskFromConfig(config.task);
const e = await createEngine('native', { model: config.model, optimizer: config.optimizer, params: initParams(config.model, 42), options: { threads: 1 } });
const batch = gather(task, split.train);
for (let i = 0; i < 20; i++) await e.trainStep(batch.tokens, batch.labels);
const t = {};
const time = async (k, f) => { const s = performance.now(); await f(); t[k] = Math.min(t[k] ?? Infinity, performance.now() - s); };
for (let rep = 0; rep < 5; rep++) {
  await time('train_step x50', async () => { for (let i = 0; i < 50; i++) await e.trainStep(batch.tokens, batch.labels); });
  await time('checkpoint (no null)', () => measureCheckpoint(e, task, split, config, 100, 1, []));
  await time('checkpoint (with null)', () => measureCheckpoint(e, task, split, config, 500, 1, []));
}
const step = t['train_step x50'] / 50;
console.log(`p ${p}, eval_every ${config.eval_every}, batch ${batch.labels.length}: step ${step.toFixed(2)} ms`);
for (const [k, v] of Object.entries(t)) console.log(`${k.padEnd(30)} ${v.toFixed(1).padStart(8)} ms ${(v / step).toFixed(1).padStart(7)} steps`);
e.dispose();
