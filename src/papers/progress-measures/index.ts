/**
 * Nanda et al. 2023, "Progress measures for grokking via mechanistic interpretability" (arXiv 2301.05217), as a
 * grokcheck paper: its experiments (profiles.ts), what its checkpoints record (measure.ts) and its second pass
 * (finalKeys.ts), claims N01-N12 (claims/), the analysis options (options.ts) and plots (plots.ts).
 */
import type { Paper } from '../../paper/paper.js';
import { CLAIMS, evaluateClaims } from './claims/index.js';
import { finalKeysMeasurement } from './finalKeys.js';
import { progressMeasures } from './measure.js';
import { optionsOf, VARIANTS } from './options.js';
import { progressPlots } from './plots.js';
import { progressSections } from './sections.js';
import { getProfile, isProfileName, PROFILE_NAMES, type ProgressRole } from './profiles.js';
import type { ProgressRecord } from './record.js';
import { progressProfile, type ProgressProfile } from './runSet.js';

/** The variant that reads the records on the coarse grid (every 500 steps). */
const COARSE = 'resolution=coarse';

export const progressMeasuresPaper: Paper<ProgressRole, ProgressProfile, ProgressRecord> = {
  id: 'progress-measures',
  title: 'Progress measures for grokking via mechanistic interpretability',
  reference: 'Nanda et al., ICLR 2023, arXiv 2301.05217',
  profileNames: PROFILE_NAMES,
  defaultProfile: 'paper',
  profile(name, options = {}) {
    if (!isProfileName(name)) throw new Error(`unknown profile '${name}' (expected one of ${PROFILE_NAMES.join(', ')})`);
    return progressProfile(getProfile(name), options.perturbed ?? false);
  },
  claims: CLAIMS,
  evaluate: (set, ids, variant) => (variant === COARSE ? evaluateClaims(set, optionsOf(), ids, true) : evaluateClaims(set, optionsOf(variant), ids)),
  analysis: {
    coarse: COARSE,
    coarseGrid: "rule 1''s cadence; the paper's own grid is every 100 epochs, as ours",
    variants: VARIANTS.map((v) => v.label),
    limits: [
      "keys=neuron-argmax-now reads rule 1' only where the records measured it (every neuron_keys_every steps), so its phase boundaries are on that grid",
      'the Python-shuffle split of their code is not reproduced: our split is a seeded permutation of the same size (model-and-training.md switch 12)',
    ],
  },
  plots: (set) => progressPlots(set),
  sections: (set, outcomes) => progressSections(set, outcomes),
  measurements: [finalKeysMeasurement],
  checkpoint: progressMeasures,
};
