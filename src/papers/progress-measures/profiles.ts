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
  /**
   * How this profile's epochs compare with the paper's: the claims' bands are in the paper's epochs and are
   * multiplied by this (1 in the paper profile; a scaled-down profile says why its factor is what it is).
   */
  epochScale: number;
  main: { p: number; trainFrac: number; weightDecay: number; seeds: readonly number[] };
  nowd: { seeds: readonly number[] };
  frac: { fractions: readonly number[]; seeds: readonly number[]; /** Stop this many steps after grokking (claims.md: + 2,000). */ afterGrok: number };
  /**
   * N12: a prime near main's at main's weight decay (`similar`: the paper's 109), and a small prime (`small`: the
   * paper's 53) at main's weight decay and at a stronger one (`strongDecay`: the paper's 5).
   */
  primes: { similar: number; small: number; strongDecay: number; seeds: readonly number[] };
  /** Rule 1''s cadence (metricOptions.ts). */
  neuronKeysEvery: number;
  /** The perturbed re-run's: every full batch fed back to front (runSet.ts). */
  batchOrder?: 'reversed';
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
    ...(profile.batchOrder ? { batch_order: profile.batchOrder } : {}),
    eval_every: profile.eval_every,
    stop,
    metrics: { neuron_keys_every: profile.neuronKeysEvery },
  });
  return { ...config, metrics: completeProgressOptions(config) };
}

/** N12's cases: the similar prime at main's weight decay, the small prime at main's and at the strong one. */
export function primeCases(profile: ProfileSpec): { p: number; weightDecay: number }[] {
  const { similar, small, strongDecay } = profile.primes;
  const wd = profile.main.weightDecay;
  return [
    { p: similar, weightDecay: wd },
    { p: small, weightDecay: wd },
    { p: small, weightDecay: strongDecay },
  ];
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
    for (const { p, weightDecay } of primeCases(profile))
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
  epochScale: 1,
  main: { p: 113, trainFrac: 0.3, weightDecay: 1, seeds: [0, 1, 2, 3, 4] },
  nowd: { seeds: [0, 1, 2] },
  frac: { fractions: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], seeds: [0], afterGrok: 2000 },
  primes: { similar: 109, small: 53, strongDecay: 5, seeds: [0, 1, 2] },
  neuronKeysEvery: 500,
};

/**
 * Scaled down for CI: p = 31 with a 64-wide model (4 heads, 256 MLP units), half the pairs to train on, 10,000
 * full-batch epochs. Calibrated by one run (seed 42 of this model, before this profile existed): memorised at
 * 200, grokked at 5,500; p = 31 at 40% of the pairs with a 128-wide model had not grokked by 8,000 and p = 37 at
 * 40% grokked at 7,800, so 50% leaves time for cleanup inside the run. Its verdicts are its own: the bands are
 * the paper's at a quarter of its epochs (10k of 40k), which this model's timings need not meet.
 */
export const smallProfile: ProfileSpec = {
  name: 'small',
  description: 'Every experiment at p = 31 (a 64-wide model, half the pairs, 10,000 epochs): the claim tests run on its committed records in CI.',
  rationale:
    'Sized so that its 21 runs train in about ten minutes on two cores and every experiment still shows its phenomenon at this size: ' +
    'p = 31 at 50% of the pairs memorises by ~200 epochs and groks by ~5,500 (one calibration run), leaving cleanup inside 10,000 epochs; ' +
    'the data-fraction sweep spans 0.2-0.9 and the primes case compares 29 (near 31) with 17 at lambda 1 and 5. The bands are the paper\'s at a quarter of its epochs.',
  model: (p) => ({ ...nandaModel(p), d_model: 64, n_heads: 4, d_mlp: 256 }),
  eval_every: 100,
  steps: 10_000,
  epochScale: 0.25,
  main: { p: 31, trainFrac: 0.5, weightDecay: 1, seeds: [0, 1, 2, 3, 4] },
  nowd: { seeds: [0, 1] },
  frac: { fractions: [0.2, 0.3, 0.5, 0.7, 0.9], seeds: [0], afterGrok: 500 },
  primes: { similar: 29, small: 17, strongDecay: 5, seeds: [0, 1, 2] },
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
  epochScale: 0.01,
  main: { p: 13, trainFrac: 0.5, weightDecay: 1, seeds: [0, 1] },
  nowd: { seeds: [0] },
  frac: { fractions: [0.3, 0.6], seeds: [0], afterGrok: 100 },
  primes: { similar: 11, small: 7, strongDecay: 5, seeds: [0] },
  neuronKeysEvery: 200,
};

export function getProfile(name: ProfileName): ProfileSpec {
  return PROFILES.find((p) => p.name === name)!;
}

const PROFILES: readonly ProfileSpec[] = [paperProfile, smallProfile, tinyProfile];
