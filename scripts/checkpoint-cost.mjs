// Usage: node scripts/checkpoint-cost.mjs [DIST_DIR] [THREADS] — one p = 97 paper-model checkpoint
// (circuit-sync's measure.ts) against a training step (batch 512), fastest of 5. DIST_DIR is a build's dist/ (default
// ./dist), e.g. of an older commit checked out with `git worktree add`, to compare before and after a change.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const dist = pathToFileURL(resolve(process.argv[2] ?? 'dist')).href;
const threads = Number(process.argv[3] ?? 2);
const { createEngine } = await import(`${dist}/engine/create.js`);
const { initParams } = await import(`${dist}/model/params.js`);
const { taskFromConfig, gather } = await import(`${dist}/tasks/task.js`);
const { paperRunConfig } = await import(`${dist}/schema/runConfig.js`);
// circuit-sync's measure.ts since issue 28 (train/measure.ts in older builds).
const { measureCheckpoint } = await import(`${dist}/papers/circuit-sync/measure.js`).catch(() => import(`${dist}/train/measure.js`));
const config = paperRunConfig(97, 42);
const { task, split } = taskFromConfig(config.task);
const e = await createEngine('native', { model: config.model, optimizer: config.optimizer, params: initParams(config.model, 42), options: { threads } });
const batch = gather(task, split.train.slice(0, 512));
// `await` on every call: the engine and measureCheckpoint are asynchronous since issue 13 (synchronous before).
for (let i = 0; i < 10; i++) await e.trainStep(batch.tokens, batch.labels);
await measureCheckpoint(e, task, split, config, 100, 1, []);
const t = {};
const time = async (k, f) => { const s = performance.now(); await f(); t[k] = Math.min(t[k] ?? Infinity, performance.now() - s); };
for (let rep = 0; rep < 5; rep++) {
  await time('step', async () => { for (let i = 0; i < 20; i++) await e.trainStep(batch.tokens, batch.labels); });
  await time('checkpoint', () => measureCheckpoint(e, task, split, config, 100, 1, []));
  await time('checkpoint_null', () => measureCheckpoint(e, task, split, config, 500, 1, []));
}
const step = t.step / 20;
console.log(JSON.stringify({ threads, step_ms: step, checkpoint_ms: t.checkpoint, checkpoint_null_ms: t.checkpoint_null, checkpoint_steps: t.checkpoint / step, checkpoint_null_steps: t.checkpoint_null / step }));
e.dispose();
