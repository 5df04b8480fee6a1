// Usage: node scripts/webgpu-step-ab.mjs DIST_A DIST_B [R] [STEPS] [step|checkpoint]
// Two builds (each a compiled dist/ folder) step R runs of the tiny profile's model in one WebGPU lockstep group
// on the first adapter, alternately, 6 times STEPS steps each after 5 of warm-up; prints the median ms per step
// and the ratio B / A. The tiny model makes each step's work small, so what it measures is mostly the cost of
// encoding and submitting the step's ~70 dispatches, not the kernels. With `checkpoint`, each "step" is one
// checkpoint of every member instead (measure.ts, as the training loop makes it: the grid evaluation with its
// captures, the FSDs).
const [, , distA, distB, R = '4', steps = '40', what = 'step'] = process.argv;
if (!distA || !distB || !['step', 'checkpoint'].includes(what)) throw new Error('usage: node scripts/webgpu-step-ab.mjs DIST_A DIST_B [R] [STEPS] [step|checkpoint]');
const { resolve } = await import('node:path');
async function load(dist) {
  const from = (m) => import(resolve(dist, m));
  const { WebGpuGroup } = await from('engine/webgpu/group.js');
  const { initParams } = await from('model/params.js');
  const { mainRunConfig, tinyProfile } = await from('papers/circuit-sync/profiles.js');
  const { taskFromConfig, gather } = await from('tasks/task.js');
  const { BatchCursor } = await from('tasks/batches.js');
  // circuit-sync's measure.ts since issue 28 (train/measure.ts in older builds).
  const { measureCheckpoint } = await from('papers/circuit-sync/measure.js').catch(() => from('train/measure.js'));
  const config = mainRunConfig(tinyProfile, tinyProfile.main.runs[0].p, tinyProfile.main.runs[0].seed);
  const { task, split } = taskFromConfig(config.task);
  const group = await WebGpuGroup.open(config.model, Number(R));
  const members = Array.from({ length: Number(R) }, (_, r) => group.join({ model: config.model, optimizer: config.optimizer, params: initParams(config.model, r) }));
  const cursor = new BatchCursor(split.train.length, config.batch_size, 0);
  const batch = gather(task, Array.from(cursor.next(), (i) => split.train[i]));
  return async (n) => {
    const t = performance.now();
    for (let i = 0; i < n; i++)
      await Promise.all(
        members.map((m) => (what === 'step' ? m.trainStep(batch.tokens, batch.labels) : measureCheckpoint(m, task, split, config, 100, config.optimizer.weight_decay, []))),
      );
    return (performance.now() - t) / n;
  };
}
const a = await load(distA);
const b = await load(distB);
await a(5);
await b(5);
const ra = [];
const rb = [];
for (let k = 0; k < 6; k++) {
  ra.push(await a(Number(steps)));
  rb.push(await b(Number(steps)));
}
const median = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log(`${what}, R = ${R}: A ${median(ra).toFixed(2)} ms per step, B ${median(rb).toFixed(2)} ms per step, B / A ${(median(rb) / median(ra)).toFixed(3)}`);
process.exit(0);
