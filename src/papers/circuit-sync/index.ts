/**
 * arXiv 2606.12966, "Circuit Synchronization Precedes Generalization", as a paper module (src/paper/paper.ts):
 * its profiles and experiment table (profiles.ts, roles.ts, plan.ts), its claims (claims/C01.ts .. C16.ts), its
 * analysis options (options.ts), its plots (plots.ts) and C14's ablation (ablation.ts).
 */
import { circuitSyncMeasures } from './measure.js';
import type { Paper } from '../../paper/paper.js';
import { ablationMeasurement } from './ablation.js';
import { CLAIMS, evaluateClaims } from './claims/index.js';
import { optionsOf, optionVariants, REPLICATES_SWEEP_SET, SENSITIVITY_LIMITS, SWEEP_CANONICAL, SWEEP_CLAIMS, sweepPoints } from './options.js';
import { circuitSyncPageOne } from './pageOne.js';
import { buildPlots } from './plots.js';
import { getProfile, PROFILE_NAMES, reorderedProfile, type ProfileName } from './profiles.js';
import type { RunRole } from './roles.js';
import { circuitProfile, type CircuitProfile } from './runSet.js';
import type { CircuitSyncRecord } from './record.js';

const VARIANTS = optionVariants();
const COARSE = 'resolution=coarse';

function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export const circuitSync: Paper<RunRole, CircuitProfile, CircuitSyncRecord> = {
  id: 'circuit-sync',
  title: 'Circuit Synchronization Precedes Generalization',
  reference: 'arXiv 2606.12966',
  profileNames: PROFILE_NAMES,
  defaultProfile: 'paper',
  profile(name, options = {}) {
    if (!isProfileName(name)) throw new Error(`unknown profile '${name}' (expected one of ${PROFILE_NAMES.join(', ')})`);
    const spec = getProfile(name);
    return options.perturbed ? circuitProfile(reorderedProfile(spec), `${name}-reordered`) : circuitProfile(spec);
  },
  claims: CLAIMS,
  pageOne: circuitSyncPageOne,
  evaluate: (set, ids, variant) => evaluateClaims(set, optionsOf(variant), ids),
  analysis: {
    coarse: COARSE,
    coarseGrid: "the paper's grid",
    variants: VARIANTS.map((v) => v.label),
    limits: SENSITIVITY_LIMITS,
    sweep: {
      title: 'the sync-rule sweep',
      description:
        'Each claim that reads a sync or grokking event, re-derived from the same runs for every sync threshold of each thresholded rule and for `plateau:0.05`, ' +
        'at both resolutions.',
      claims: SWEEP_CLAIMS,
      points: sweepPoints(),
      canonical: SWEEP_CANONICAL,
      sets: (profile) => (profile.spec.replicates ? [REPLICATES_SWEEP_SET] : []),
    },
  },
  plots: buildPlots,
  measurements: [ablationMeasurement],
  checkpoint: circuitSyncMeasures,
};
