/**
 * Progress-measures' named analysis options (shared/spec/papers/progress-measures/claims.md §2.4, §2.7, §2.8,
 * each marked [ours] there), canonical value first. The sensitivity section re-evaluates every claim under each
 * alternative, one option changed at a time; a variant is named by its assignment, e.g. `keys=neuron-argmax-now`.
 */

/**
 * Which key frequencies the K-dependent measures use (§2.4): the final model's under rule 1 (canonical, the
 * look-ahead their figures use), rule 1 with 1% of the neurons, rule 2, or rule 1' (`neuron-argmax-now`: each
 * checkpoint's own, no look-ahead; measured at the records' cadence only).
 */
export const KEY_OPTIONS = ['neuron-argmax', 'neuron-argmax:min1%', 'wl-nontrivial', 'neuron-argmax-now'] as const;
export type KeysOption = (typeof KEY_OPTIONS)[number];
/** The look-ahead-free choice: what a verdict that holds only with look-ahead fails under. */
export const NO_LOOK_AHEAD: KeysOption = 'neuron-argmax-now';

/** t_mem (§2.8): the test-loss peak in [0, 5000], or where the excluded loss stops declining (its argmin there). */
export const MEM_OPTIONS = ['test-peak', 'excluded-argmin'] as const;
export type MemOption = (typeof MEM_OPTIONS)[number];

/** t_circ (§2.8): the first checkpoint after t_mem at which log E has covered this fraction of its rise. */
export const CIRC_OPTIONS = [0.9, 0.8, 0.95] as const;
export type CircOption = (typeof CIRC_OPTIONS)[number];

/** t_clean (§2.8): test loss stays <= 1e-3 from there (spike checkpoints aside), or G_E reaches 90% of its rise. */
export const CLEAN_OPTIONS = ['test<=1e-3', 'gini-90'] as const;
export type CleanOption = (typeof CLEAN_OPTIONS)[number];

/** The Gini input (§2.7): the p component norms, or the (p-1)/2 per-frequency norms. */
export const GINI_OPTIONS = ['components', 'frequencies'] as const;
export type GiniOption = (typeof GINI_OPTIONS)[number];

/** SSW (§2.7, N05 "Hard"): every parameter, or without the biases and the separator's rows. */
export const SSW_OPTIONS = ['all', 'core'] as const;
export type SswOption = (typeof SSW_OPTIONS)[number];

export interface ProgressOptions {
  keys: KeysOption;
  mem: MemOption;
  circ: CircOption;
  clean: CleanOption;
  gini: GiniOption;
  ssw: SswOption;
}

export const CANONICAL: ProgressOptions = { keys: KEY_OPTIONS[0], mem: MEM_OPTIONS[0], circ: CIRC_OPTIONS[0], clean: CLEAN_OPTIONS[0], gini: GINI_OPTIONS[0], ssw: SSW_OPTIONS[0] };

const ALTERNATIVES: { [K in keyof ProgressOptions]: readonly ProgressOptions[K][] } = {
  keys: KEY_OPTIONS.slice(1),
  mem: MEM_OPTIONS.slice(1),
  circ: CIRC_OPTIONS.slice(1),
  clean: CLEAN_OPTIONS.slice(1),
  gini: GINI_OPTIONS.slice(1),
  ssw: SSW_OPTIONS.slice(1),
};

/** Every single-option departure from the canonical analysis, by its name. */
export const VARIANTS: readonly { label: string; options: ProgressOptions }[] = (Object.keys(ALTERNATIVES) as (keyof ProgressOptions)[]).flatMap((key) =>
  ALTERNATIVES[key].map((value) => ({ label: `${key}=${value}`, options: { ...CANONICAL, [key]: value } as ProgressOptions })),
);

/** The options a variant names (undefined: canonical); an unknown name is an error. */
export function optionsOf(variant?: string): ProgressOptions {
  if (variant === undefined) return CANONICAL;
  const found = VARIANTS.find((v) => v.label === variant);
  if (!found) throw new Error(`unknown analysis variant '${variant}' (expected one of ${VARIANTS.map((v) => v.label).join(', ')})`);
  return found.options;
}
