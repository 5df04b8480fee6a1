/**
 * Progress-measures' profiles and run sets as the core sees them (src/paper/): a profile spec (profiles.ts) with
 * its plan (every run of its experiments; none waits on another), and its perturbed re-run.
 */
import type { Profile } from '../../paper/paper.js';
import type { Plan, RunData, RunSet } from '../../paper/runSet.js';
import { runIdOf } from '../../schema/runConfig.js';
import { EXPERIMENT_IDS, roleKey, rolesOf, runConfigOf, type ExperimentId, type ProfileSpec, type ProgressRole } from './profiles.js';
import type { ProgressRecord } from './record.js';

export interface ProgressProfile extends Profile<ProgressRole, ProgressRecord> {
  readonly spec: ProfileSpec;
}
export type ProgressRunSet = RunSet<ProgressRole, ProgressProfile, ProgressRecord>;
export type ProgressRun = RunData<ProgressRole, ProgressRecord>;

/** The records' coarse grid: rule 1''s cadence in the paper profile (every checkpoint is also read at 100). */
export const COARSE_STEP = 500;

const isExperiment = (e: string): e is ExperimentId => (EXPERIMENT_IDS as readonly string[]).includes(e);

/** Every run of `experiments` (default all), each once by key. */
export function planOf(spec: ProfileSpec, experiments?: readonly string[]): Plan<ProgressRole> {
  const unknown = experiments?.filter((e) => !isExperiment(e)) ?? [];
  if (unknown.length) throw new Error(`unknown experiment(s) ${unknown.join(', ')} (expected ${EXPERIMENT_IDS.join(', ')})`);
  const roles = rolesOf(spec, experiments?.filter(isExperiment));
  return {
    runs: roles.map((role) => {
      const config = runConfigOf(spec, role);
      return { key: roleKey(role), role, id: runIdOf(config), config };
    }),
    waiting: [],
    forkPoints: [],
  };
}

/** The rounding-only perturbation: every sum over the (full) batch taken back to front (RunConfig batch_order). */
export const PERTURBATION_METHOD = 'every full batch fed back to front';

export function progressProfile(spec: ProfileSpec, perturbed = false): ProgressProfile {
  const run = perturbed ? { ...spec, batchOrder: 'reversed' as const } : spec;
  return {
    name: spec.name,
    label: perturbed ? `${spec.name}-reordered` : spec.name,
    description: spec.description,
    rationale: spec.rationale,
    coarseStep: COARSE_STEP,
    perturbation:
      `Each verdict was re-derived from a re-run of the profile with ${PERTURBATION_METHOD} (grokcheck verify --reorder; RunConfig batch_order ` +
      'reversed): the same function with the gradient sums in another order (rounding only). A verdict that differs there is fragile.',
    perturbationMethod: PERTURBATION_METHOD,
    spec: run,
    plan: (_lookup, experiments) => planOf(run, experiments),
  };
}
