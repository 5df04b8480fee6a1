/**
 * This paper's profiles and run sets as the core sees them (src/paper/): a profile spec (profiles.ts) with the
 * planner that turns it into runs (plan.ts), and the runs by role (roles.ts).
 */
import type { Profile } from '../../paper/paper.js';
import type { RunData, RunSet } from '../../paper/runSet.js';
import { forkPointOf } from './forkPoint.js';
import type { CircuitSyncRecord } from './record.js';
import { plan } from './plan.js';
import { reorderDescription, reorderMethod, type ProfileSpec } from './profiles.js';
import { isExperimentId, type RunRole } from './roles.js';

export interface CircuitProfile extends Profile<RunRole, CircuitSyncRecord> {
  readonly spec: ProfileSpec;
}
export type CircuitRunSet = RunSet<RunRole, CircuitProfile, CircuitSyncRecord>;
export type CircuitRun = RunData<RunRole, CircuitSyncRecord>;

/** `label` names the run store and report folders (the name, or `<name>-reordered` for the perturbed re-run). */
export function circuitProfile(spec: ProfileSpec, label: string = spec.name): CircuitProfile {
  return {
    name: spec.name,
    label,
    description: spec.description,
    rationale: spec.rationale,
    coarseStep: spec.coarseStep,
    perturbation: reorderDescription(spec),
    perturbationMethod: reorderMethod(spec),
    ...(spec.perturbedExperiments ? { perturbedExperiments: spec.perturbedExperiments } : {}),
    spec,
    plan(lookup, experiments) {
      const unknown = experiments?.filter((e) => !isExperimentId(e)) ?? [];
      if (unknown.length) throw new Error(`unknown experiment(s) ${unknown.join(', ')}`);
      return plan(spec, lookup, forkPointOf, experiments ? { experiments: experiments.filter(isExperimentId) } : {});
    },
  };
}
