// Usage: node scripts/engine-hash.mjs [DIST_DIR] — a fingerprint of the native engine's arithmetic: sha256 over the losses
// of a few hundred training steps, the state after them (parameters, both Adam moments), a grid evaluation with
// logits and captures, and gradients, on the small and paper models with 1 and 2 threads. Two builds that print the
// same lines compute the same bits there (how a change meant to be bit-identical, e.g. a faster kernel, is checked).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const dist = pathToFileURL(resolve(process.argv[2] ?? 'dist')).href;
const { createEngine } = await import(`${dist}/engine/create.js`);
const { initParams } = await import(`${dist}/model/params.js`);
const { taskFromConfig, gather } = await import(`${dist}/tasks/task.js`);
const { mainRunConfig, smallProfile, paperProfile } = await import(`${dist}/papers/circuit-sync/profiles.js`);
const cases = [[smallProfile, 43, 300, 'full'], [smallProfile, 53, 200, 'full'], [paperProfile, 97, 30, 512]];
for (const threads of [1, 2]) for (const [profile, p, steps, bs] of cases) {
  const config = mainRunConfig(profile, p, 42);
  const { task, split } = taskFromConfig(config.task);
  const e = await createEngine('native', { model: config.model, optimizer: config.optimizer, params: initParams(config.model, 42), options: { threads } });
  const all = gather(task, split.train);
  const h = createHash('sha256');
  const n = bs === 'full' ? all.labels.length : bs;
  for (let s = 0; s < steps; s++) {
    const off = (s * 37) % Math.max(1, all.labels.length - n + 1);
    const tokens = all.tokens.subarray(off * 3, (off + n) * 3), labels = all.labels.subarray(off, off + n);
    h.update(new Float64Array([await e.trainStep(tokens, labels)]));
  }
  const st = await e.getState();
  for (const group of [st.params, st.adamM, st.adamV]) for (const k of Object.keys(group).sort()) h.update(group[k]);
  const grid = gather(task, split.validation);
  const r = await e.evaluate({ tokens: grid.tokens, labels: grid.labels, capture: ['block0.mlp.post', 'block0.attn.out', 'block1.mlp.pre', 'block1.resid.mid'], logits: true });
  h.update(new Float64Array([r.loss, r.accuracy])); h.update(r.logits);
  for (const k of Object.keys(r.captures).sort()) h.update(r.captures[k]);
  const g = await e.gradients(all.tokens.subarray(0, 300), all.labels.subarray(0, 100));
  for (const k of Object.keys(g.grads).sort()) h.update(g.grads[k]);
  console.log(`threads ${threads} ${profile.name} p${p} ${steps} steps: ${h.digest('hex').slice(0, 16)}`);
  e.dispose();
}
