/** Progress-measures' experiment table: the paper's runs are claims.md §1's, with the model and training of model-and-training.md. */
import { describe, expect, it } from 'vitest';
import { runIdOf } from '../../schema/runConfig.js';
import { completeRunConfig } from '../../train/measures.js';
import { progressMeasures } from './measure.js';
import { paperProfile, roleKey, rolesOf, runConfigOf, tinyProfile } from './profiles.js';

describe('progress-measures profiles', () => {
  it('paper: 5 main seeds, 3 without weight decay, 7 fractions, 3 primes cases on 3 seeds; every key once', () => {
    const roles = rolesOf(paperProfile);
    const count = (e: string) => roles.filter((r) => r.experiment === e).length;
    expect([count('main'), count('nowd'), count('frac'), count('primes')]).toEqual([5, 3, 7, 9]);
    expect(new Set(roles.map(roleKey)).size).toBe(roles.length);
    expect(roles.slice(0, 2).map(roleKey)).toEqual(['main/p113/s0', 'main/p113/s1']);
  });

  it("paper's main run is Nanda et al.'s: p = 113, 30%, 1 layer, ReLU, no LayerNorm, their init, 114 classes, betas (0.9, 0.98), 10-step warm-up, full batch, float64 loss, 40k epochs", () => {
    const config = runConfigOf(paperProfile, rolesOf(paperProfile, ['main'])[0]);
    expect(config.task).toMatchObject({ kind: 'mod_add', n: 113, train_frac: 0.3 });
    expect(config.model).toMatchObject({ n_layers: 1, d_model: 128, n_heads: 4, d_mlp: 512, classes: 114, vocab: 114, norm: 'none', act: 'relu', attn_bias: false, unembed_bias: false, init: 'nanda', loss_precision: 'f64' });
    expect(config.optimizer).toMatchObject({ lr: 1e-3, beta1: 0.9, beta2: 0.98, weight_decay: 1, warmup_steps: 10 });
    expect(config).toMatchObject({ batch_size: 'full', eval_every: 100, stop: { max_steps: 40_000 } });
    expect(runConfigOf(paperProfile, rolesOf(paperProfile, ['nowd'])[0]).optimizer.weight_decay).toBe(0);
  });

  it('every config is complete as the training loop names it (its id does not move when trained)', () => {
    for (const profile of [paperProfile, tinyProfile])
      for (const role of rolesOf(profile)) {
        const config = runConfigOf(profile, role);
        expect(runIdOf(completeRunConfig(progressMeasures, config)), roleKey(role)).toBe(runIdOf(config));
      }
  });
});
