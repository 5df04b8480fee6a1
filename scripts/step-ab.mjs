// Usage: node scripts/step-ab.mjs BASE_DIST NEW_DIST [small|paper] [P] [STEPS]
// One training step of two builds of the native engine (each DIST a build's dist/, e.g. of an older commit checked
// out with `git worktree add` and built there), both loaded in one process and stepped alternately on the same
// batch, one thread each: the medians of each and their ratio, which a shared, noisy machine cannot skew the way
// it skews two separate timings. small: the small profile's full batch (d_model 32); paper: batch 512, d_model 128.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [baseDist, newDist, profileName = 'small', pArg, stepsArg] = process.argv.slice(2);
if (!baseDist || !newDist) throw new Error('usage: node scripts/step-ab.mjs BASE_DIST NEW_DIST [small|paper] [P] [STEPS]');
const p = Number(pArg ?? (profileName === 'paper' ? 97 : 43));
const steps = Number(stepsArg ?? (profileName === 'paper' ? 60 : 300));
const builds = [];
for (const dir of [baseDist, newDist]) {
  const dist = pathToFileURL(resolve(dir)).href;
  const { createEngine } = await import(`${dist}/engine/create.js`);
  const { initParams } = await import(`${dist}/model/params.js`);
  const { taskFromConfig, gather } = await import(`${dist}/tasks/task.js`);
  const profiles = await import(`${dist}/papers/circuit-sync/profiles.js`);
  const config = profiles.mainRunConfig(profileName === 'paper' ? profiles.paperProfile : profiles.smallProfile, p, 42);
  const { task, split } = taskFromConfig(config.task);
  const engine = await createEngine('native', { model: config.model, optimizer: config.optimizer, params: initParams(config.model, 42), options: { threads: 1 } });
  const all = gather(task, split.train);
  const n = Math.min(config.batch_size, all.labels.length);
  builds.push({ dir, engine, tokens: all.tokens.subarray(0, n * 3), labels: all.labels.subarray(0, n), ms: [] });
}
// Alternate which build goes first, so neither always steps on the other's warm cache.
for (let i = 0; i < steps; i++)
  for (const b of i % 2 ? builds : [...builds].reverse()) {
    const start = performance.now();
    await b.engine.trainStep(b.tokens, b.labels);
    b.ms.push(performance.now() - start);
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const [base, next] = builds.map((b) => median(b.ms.slice(Math.min(20, steps >> 2))));
console.log(`${profileName} p${p}, batch ${builds[0].labels.length}, ${steps} steps each: base ${base.toFixed(2)} ms, new ${next.toFixed(2)} ms, new/base ${(next / base).toFixed(3)}`);
for (const b of builds) b.engine.dispose();
