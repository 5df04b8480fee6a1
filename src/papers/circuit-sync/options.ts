/**
 * The named analysis options of shared/spec/metrics.md ("Named options") that can be re-derived from stored
 * records without retraining. The canonical value of each comes first; the sensitivity section of the report
 * re-evaluates every claim under each alternative, one option changed at a time.
 */
import { CANONICAL_FSD_SITE, FSD_SITES, type FsdSite } from '../../schema/sites.js';

export type FsdSiteOption = FsdSite;
export type FsdInputsOption = 'grid' | 'train' | 'validation';
export type SyncRuleOption = 'threshold:0.80' | 'threshold:0.70' | 'threshold:0.90' | 'plateau:0.05' | 'sustained:3';
export type GrokRuleOption = 'val>=0.95' | 'val>=0.99';
export type BaselineInputsOption = 'grid' | 'train';
export type ResolutionOption = 'fine' | 'coarse';

export interface AnalysisOptions {
  /** metrics.md `fsd.site`; `block0.mlp.post` means "the run's configured site" (block-0 attention output for attn_only). */
  fsdSite: FsdSiteOption;
  fsdInputs: FsdInputsOption;
  syncRule: SyncRuleOption;
  grokRule: GrokRuleOption;
  baselineInputs: BaselineInputsOption;
  /** `fine`: every checkpoint (100 steps in the paper profile); `coarse`: only the profile's coarse grid (500). */
  resolution: ResolutionOption;
}

export const CANONICAL_OPTIONS: AnalysisOptions = {
  fsdSite: CANONICAL_FSD_SITE,
  fsdInputs: 'grid',
  syncRule: 'threshold:0.80',
  grokRule: 'val>=0.95',
  baselineInputs: 'grid',
  resolution: 'fine',
};

export const OPTION_ALTERNATIVES: { [K in keyof AnalysisOptions]: readonly AnalysisOptions[K][] } = {
  fsdSite: FSD_SITES.filter((site) => site !== CANONICAL_FSD_SITE),
  fsdInputs: ['train', 'validation'],
  syncRule: ['threshold:0.70', 'threshold:0.90', 'plateau:0.05', 'sustained:3'],
  grokRule: ['val>=0.99'],
  baselineInputs: ['train'],
  resolution: ['coarse'],
};

/** metrics.md's names of the options, for the report. */
export const OPTION_NAMES: { [K in keyof AnalysisOptions]: string } = {
  fsdSite: 'fsd.site',
  fsdInputs: 'fsd.inputs',
  syncRule: 'sync.rule',
  grokRule: 'grok.rule',
  baselineInputs: 'baseline.inputs',
  resolution: 'resolution',
};

export interface OptionVariant {
  /** e.g. `sync.rule=plateau:0.05`. */
  label: string;
  option: keyof AnalysisOptions;
  options: AnalysisOptions;
}

/** Every single-option departure from the canonical choice. */
export function optionVariants(): OptionVariant[] {
  const out: OptionVariant[] = [];
  for (const option of Object.keys(OPTION_ALTERNATIVES) as (keyof AnalysisOptions)[]) {
    for (const value of OPTION_ALTERNATIVES[option]) {
      out.push({ label: `${OPTION_NAMES[option]}=${value}`, option, options: { ...CANONICAL_OPTIONS, [option]: value } });
    }
  }
  return out;
}

/** What the variants cannot re-derive from the stored runs (the report's sensitivity limits). */
export const SENSITIVITY_LIMITS = [
  'Fork points and fsd-triggered schedules were fixed at training time by the canonical sync rule; alternatives re-derive events on those same runs.',
  "C14's ablation is measured once, at the canonical grokking checkpoint.",
  'FSD_gen (S_n) is recorded for the configured site on the full grid only, and keeps its 0.50 threshold under the threshold alternatives.',
];
