/**
 * Progress-measures' experiments (shared/spec/papers/progress-measures/claims.md §1) at three scales, and the
 * run config of each run. Every run is the model and training of model-and-training.md §1-2: 1 layer, ReLU, no
 * LayerNorm, no attention or unembedding biases, Nanda et al.'s init, a logit for the separator, AdamW with
 * betas (0.9, 0.98) and a 10-step warm-up, full batch, the float64 loss. Seed s sets the split, the init and the
 * (unused, full-batch) batch order: our seeds are not the paper's (its init was not seeded), and our split is
 * grokcheck's seeded permutation, a different split of the same size (model-and-training.md §2 switch 12).
 */
import { nandaModel, nandaOptimizer, type ModelConfig } from '../../schema/model.js';
import { RunConfigSchema, type RunConfig, type StopRule } from '../../schema/runConfig.js';
import { completeProgressOptions } from './metricOptions.js';

export const PROFILE_NAMES = ['paper', 'small', 'tiny'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export const EXPERIMENT_IDS = ['main', 'nowd', 'frac', 'primes'] as const;
export type ExperimentId = (typeof EXPERIMENT_IDS)[number];

/** A run's role: its experiment, prime, weight decay, training fraction and seed. */
export interface ProgressRole {
  experiment: ExperimentId;
  p: number;
  weightDecay: number;
  trainFrac: number;
  seed: number;
}

/** `main/p113/s0`, `nowd/p113/s0`, `frac/f0.1/s0`, `primes/p53/wd5/s0`. */
export function roleKey(role: ProgressRole): string {
  switch (role.experiment) {
    case 'main':
    case 'nowd':
      return `${role.experiment}/p${role.p}/s${role.seed}`;
    case 'frac':
      return `frac/f${role.trainFrac}/s${role.seed}`;
    case 'primes':
      return `primes/p${role.p}/wd${role.weightDecay}/s${role.seed}`;
  }
}

export interface ProfileSpec {
  name: ProfileName;
  description: string;
  /** Why its sizes are what they are (shown in the report). */
  rationale: string;
  /** The model of a run at prime p. */
  model(p: number): ModelConfig;
  eval_every: number;
  /** The run length of every experiment but `frac` (claims.md §1: 40,000 epochs). */
  steps: number;
  main: { p: number; trainFrac: number; weightDecay: number; seeds: readonly number[] };
  nowd: { seeds: readonly number[] };
  frac: { fractions: readonly number[]; seeds: readonly number[]; /** Stop this many steps after grokking (claims.md: + 2,000). */ afterGrok: number };
  primes: { cases: readonly { p: number; weightDecay: number }[]; seeds: readonly number[] };
  /** Rule 1''s cadence (metricOptions.ts). */
  neuronKeysEvery: number;
}

/** The run config of `role` in `profile`. */
export function runConfigOf(profile: ProfileSpec, role: ProgressRole): RunConfig {
  const stop: StopRule = role.experiment === 'frac' ? { max_steps: profile.steps, after_grok: profile.frac.afterGrok } : { max_steps: profile.steps };
  const config = RunConfigSchema.parse({
    task: { kind: 'mod_add', n: role.p, train_frac: role.trainFrac, split_seed: role.seed },
    model: profile.model(role.p),
    optimizer: { ...nandaOptimizer, weight_decay: role.weightDecay },
    batch_size: 'full',
    init_seed: role.seed,
    batch_seed: role.seed,
    eval_every: profile.eval_every,
    stop,
    metrics: { neuron_keys_every: profile.neuronKeysEvery },
  });
  return { ...config, metrics: completeProgressOptions(config) };
}

/** Every run of the profile's `experiments` (default all), in report order. */
export function rolesOf(profile: ProfileSpec, experiments: readonly ExperimentId[] = EXPERIMENT_IDS): ProgressRole[] {
  const { main } = profile;
  const roles: ProgressRole[] = [];
  const want = new Set(experiments);
  if (want.has('main')) for (const seed of main.seeds) roles.push({ experiment: 'main', p: main.p, weightDecay: main.weightDecay, trainFrac: main.trainFrac, seed });
  if (want.has('nowd')) for (const seed of profile.nowd.seeds) roles.push({ experiment: 'nowd', p: main.p, weightDecay: 0, trainFrac: main.trainFrac, seed });
  if (want.has('frac'))
    for (const trainFrac of profile.frac.fractions)
      for (const seed of profile.frac.seeds) roles.push({ experiment: 'frac', p: main.p, weightDecay: main.weightDecay, trainFrac, seed });
  if (want.has('primes'))
    for (const { p, weightDecay } of profile.primes.cases)
      for (const seed of profile.primes.seeds) roles.push({ experiment: 'primes', p, weightDecay, trainFrac: main.trainFrac, seed });
  return roles;
}

// ---------------------------------------------------------------------------------------------------------
// paper: claims.md §1, verbatim (the optional `nanda.wd` and `nanda.precision` are left out).

export const paperProfile: ProfileSpec = {
  name: 'paper',
  description: "The experiments of Nanda et al. 2023 as listed in shared/spec/papers/progress-measures/claims.md §1 (the model and training of model-and-training.md).",
  rationale: 'The paper\'s own design: p = 113, 30% of the pairs, lambda = 1, 40,000 full-batch epochs, a checkpoint every 100; 5 seeds of the main run, 3 without weight decay, the data-fraction sweep on seed 0, and the other primes on 3 seeds.',
  model: nandaModel,
  eval_every: 100,
  steps: 40_000,
  main: { p: 113, trainFrac: 0.3, weightDecay: 1, seeds: [0, 1, 2, 3, 4] },
  nowd: { seeds: [0, 1, 2] },
  frac: { fractions: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], seeds: [0], afterGrok: 2000 },
  primes: {
    cases: [
      { p: 109, weightDecay: 1 },
      { p: 53, weightDecay: 1 },
      { p: 53, weightDecay: 5 },
    ],
    seeds: [0, 1, 2],
  },
  neuronKeysEvery: 500,
};

/** For pipeline tests: every experiment, at a size that trains in seconds (nothing groks). */
export const tinyProfile: ProfileSpec = {
  name: 'tiny',
  description: 'Every experiment of the paper profile at p = 13 with a 16-wide model, 400 steps: for pipeline tests, not for verdicts.',
  rationale: 'Sized for seconds: the pipeline (plan, train, measure, report) runs end to end; no verdict means anything.',
  model: (p) => ({ ...nandaModel(p), d_model: 16, n_heads: 2, d_mlp: 32 }),
  eval_every: 100,
  steps: 400,
  main: { p: 13, trainFrac: 0.5, weightDecay: 1, seeds: [0, 1] },
  nowd: { seeds: [0] },
  frac: { fractions: [0.3, 0.6], seeds: [0], afterGrok: 100 },
  primes: { cases: [{ p: 11, weightDecay: 1 }], seeds: [0] },
  neuronKeysEvery: 200,
};

export function getProfile(name: ProfileName): ProfileSpec {
  const profile = PROFILES.find((p) => p.name === name);
  if (!profile) throw new Error(`progress-measures has no profile '${name}' yet (it has ${PROFILES.map((p) => p.name).join(', ')})`);
  return profile;
}

/** The profiles defined so far (the `small` one, scaled for CI, is calibrated next). */
const PROFILES: readonly ProfileSpec[] = [paperProfile, tinyProfile];
