/**
 * The named analysis options of shared/spec/metrics.md ("Named options") that can be re-derived from stored
 * records without retraining. The canonical value of each comes first. Two views of them reach the report:
 * - the sensitivity section re-evaluates every claim under each alternative, one option changed at a time;
 * - the evidence sweep re-evaluates the claims that read a sync event under every sync threshold 0.50..0.95
 *   of each thresholded sync rule, plus `plateau:0.05`, at both resolutions (metrics.md `sync.threshold` sweep).
 * A variant is named by its assignments, `sync.rule=threshold:0.60,resolution=coarse`; `optionsOf` reads one.
 */
import { parseSyncRule } from './events.js';
import { CANONICAL_FSD_SITE, FSD_BASES, FSD_SITES, type FsdBasis, type FsdSite } from '../../schema/sites.js';

export type FsdInputsOption = 'grid' | 'train' | 'validation';
/** metrics.md `sync.rule`: any rule `parseSyncRule` reads (`threshold:X`, `plateau:X`, `sustained:N[@T]`, `skip-spikes[@T]`). */
export type SyncRuleOption = string;
export type GrokRuleOption = 'val>=0.95' | 'val>=0.99';
export type BaselineInputsOption = 'grid' | 'train';
export type ResolutionOption = 'fine' | 'coarse';
export type SpikeRuleOption = 'drop:0.2' | 'train_acc<0.99';
/** C07: `cv<=0.2` (the band's CV) or `no-trend` (the bootstrap CI of the slope of norm against lambda contains 0). */
export type NormRuleOption = 'cv<=0.2' | 'no-trend';
/** C01-C04: the paper's 9 main configurations, or every seed of every prime (claims.md "replicates"). */
export type ConfigurationsOption = 'paper' | 'replicates';
/**
 * C01-C04 (issue 27): `tested` (the direction must be supported by the claim's test, a one-sided sign test at
 * ALPHA for counts of leads, the CI of the mean for the lead size; neither direction supported: inconclusive) or
 * `majority` (the rule before: a strict majority of leads, or a positive mean, is the direction).
 */
export type VerdictRuleOption = 'tested' | 'majority';

export interface AnalysisOptions {
  /** metrics.md `fsd.site`; `block0.mlp.post` means "the run's configured site" (block-0 attention output for attn_only). */
  fsdSite: FsdSite;
  fsdInputs: FsdInputsOption;
  syncRule: SyncRuleOption;
  grokRule: GrokRuleOption;
  baselineInputs: BaselineInputsOption;
  /** `fine`: every checkpoint (100 steps in the paper profile); `coarse`: only the profile's coarse grid (500). */
  resolution: ResolutionOption;
  spikeRule: SpikeRuleOption;
  normRule: NormRuleOption;
  /** metrics.md `fsd.basis`; moves only multiplication runs (recorded for runs trained since it was added). */
  fsdBasis: FsdBasis;
  configurations: ConfigurationsOption;
  verdictRule: VerdictRuleOption;
}

export const CANONICAL_OPTIONS: AnalysisOptions = {
  fsdSite: CANONICAL_FSD_SITE,
  fsdInputs: 'grid',
  syncRule: 'threshold:0.80',
  grokRule: 'val>=0.95',
  baselineInputs: 'grid',
  resolution: 'fine',
  spikeRule: 'drop:0.2',
  normRule: 'cv<=0.2',
  fsdBasis: 'additive',
  configurations: 'paper',
  verdictRule: 'tested',
};

/** The sensitivity section's alternatives (sync thresholds beyond these are the sweep's). */
export const OPTION_ALTERNATIVES: { [K in keyof AnalysisOptions]: readonly AnalysisOptions[K][] } = {
  fsdSite: FSD_SITES.filter((site) => site !== CANONICAL_FSD_SITE),
  fsdInputs: ['train', 'validation'],
  syncRule: ['threshold:0.70', 'threshold:0.90', 'plateau:0.05', 'sustained:3', 'skip-spikes'],
  grokRule: ['val>=0.99'],
  baselineInputs: ['train'],
  resolution: ['coarse'],
  spikeRule: ['train_acc<0.99'],
  normRule: ['no-trend'],
  fsdBasis: FSD_BASES.filter((b) => b !== 'additive'),
  configurations: ['replicates'],
  verdictRule: ['majority'],
};

/** metrics.md's names of the options, for the report. */
export const OPTION_NAMES: { [K in keyof AnalysisOptions]: string } = {
  fsdSite: 'fsd.site',
  fsdInputs: 'fsd.inputs',
  syncRule: 'sync.rule',
  grokRule: 'grok.rule',
  baselineInputs: 'baseline.inputs',
  resolution: 'resolution',
  spikeRule: 'spike.rule',
  normRule: 'norm.rule',
  fsdBasis: 'fsd.basis',
  configurations: 'main.configurations',
  verdictRule: 'verdict.rule',
};

const OPTION_KEYS = Object.keys(OPTION_NAMES) as (keyof AnalysisOptions)[];

export interface OptionVariant {
  /** e.g. `sync.rule=plateau:0.05`. */
  label: string;
  option: keyof AnalysisOptions;
  options: AnalysisOptions;
}

/** Every single-option departure from the canonical choice. */
export function optionVariants(): OptionVariant[] {
  const out: OptionVariant[] = [];
  for (const option of OPTION_KEYS) {
    for (const value of OPTION_ALTERNATIVES[option]) {
      out.push({ label: `${OPTION_NAMES[option]}=${value}`, option, options: { ...CANONICAL_OPTIONS, [option]: value } });
    }
  }
  return out;
}

/** Reads a variant label (`name=value[,name=value...]`, metrics.md names) into options; throws naming what is wrong. */
export function optionsOf(variant: string | undefined): AnalysisOptions {
  if (variant === undefined || variant === '') return CANONICAL_OPTIONS;
  const options: AnalysisOptions = { ...CANONICAL_OPTIONS };
  for (const assignment of variant.split(',')) {
    const eq = assignment.indexOf('=');
    const name = eq < 0 ? assignment : assignment.slice(0, eq);
    const value = assignment.slice(eq + 1);
    const key = OPTION_KEYS.find((k) => OPTION_NAMES[k] === name);
    if (eq < 0 || !key) throw new Error(`unknown analysis variant '${variant}': '${assignment}' is not name=value with a name among ${OPTION_KEYS.map((k) => OPTION_NAMES[k]).join(', ')}`);
    if (key === 'syncRule') {
      parseSyncRule(value);
    } else {
      const allowed = [CANONICAL_OPTIONS[key], ...OPTION_ALTERNATIVES[key]] as string[];
      if (!allowed.includes(value)) throw new Error(`unknown analysis variant '${variant}': ${name} is one of ${allowed.join(', ')}, not '${value}'`);
    }
    (options as unknown as Record<string, string>)[key] = value;
  }
  return options;
}

/** The sweep's thresholds, 0.50, 0.55, ..., 0.95 (metrics.md `sync.threshold` sweep). */
export const SWEEP_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => Number((0.5 + 0.05 * i).toFixed(2)));

/** The sync rules the sweep varies the threshold of (one line each in its plot), and the threshold-free one. */
export const SWEEP_RULE_FAMILIES = ['threshold', 'sustained:3', 'skip-spikes'] as const;
export type SweepRuleFamily = (typeof SWEEP_RULE_FAMILIES)[number] | 'plateau:0.05';

/** The sync rule of a family at a threshold: `threshold:0.60`, `sustained:3@0.60`, `skip-spikes@0.60`. */
export function sweepRule(family: (typeof SWEEP_RULE_FAMILIES)[number], threshold: number): string {
  const t = threshold.toFixed(2);
  return family === 'threshold' ? `threshold:${t}` : `${family}@${t}`;
}

export interface SweepPoint {
  /** The variant label `optionsOf` reads. */
  variant: string;
  /** The sync rule, as it appears in verdict.json's `sweep` entries. */
  rule: string;
  family: SweepRuleFamily;
  /** null for `plateau:0.05`. */
  threshold: number | null;
  resolution: ResolutionOption;
}

/** Every point of the sweep: each family at each threshold, and `plateau:0.05`, at both resolutions. */
export function sweepPoints(): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const resolution of ['fine', 'coarse'] as const) {
    const suffix = resolution === 'fine' ? '' : `,${OPTION_NAMES.resolution}=coarse`;
    for (const family of SWEEP_RULE_FAMILIES)
      for (const threshold of SWEEP_THRESHOLDS) {
        const rule = sweepRule(family, threshold);
        out.push({ variant: `${OPTION_NAMES.syncRule}=${rule}${suffix}`, rule, family, threshold, resolution });
      }
    out.push({ variant: `${OPTION_NAMES.syncRule}=plateau:0.05${suffix}`, rule: 'plateau:0.05', family: 'plateau:0.05', threshold: null, resolution });
  }
  return out;
}

/**
 * The claims whose figure reads a sync or grok event (the issue's list): each carries its sweep. C08's schedule
 * runs fired their triggers during training, so its verdict moves only with the grokking events.
 */
export const SWEEP_CLAIMS = ['C01', 'C02', 'C03', 'C04', 'C08', 'C09', 'C11', 'C12', 'C15'] as const;

/** The claims read on the replicates as well (claims.md "replicates": C01-C04 on the paper's 9 and on all 25). */
export const REPLICATE_CLAIMS = ['C01', 'C02', 'C03', 'C04'] as const;
/** The sweep's second set of configurations, for a profile that has replicates. */
/** Where the canonical analysis sits in the sweep: the threshold rule at 0.80, on the paper's own configurations. */
export const SWEEP_CANONICAL = { family: 'threshold', threshold: 0.8, set: 'paper' } as const;
export const REPLICATES_SWEEP_SET = { name: 'replicates', variant: `${OPTION_NAMES.configurations}=replicates`, claims: REPLICATE_CLAIMS } as const;

/** What the variants cannot re-derive from the stored runs (the report's sensitivity limits). */
export const SENSITIVITY_LIMITS = [
  'Fork points and fsd-triggered schedules were fixed at training time by the canonical sync rule; alternatives re-derive events on those same runs.',
  "C14's ablation is measured once, at the canonical grokking checkpoint.",
  'FSD_gen (S_n) is recorded for the configured site on the full grid only, and keeps its 0.50 threshold under the threshold alternatives and the sweep (the Z_{n!} control follows them).',
  'fsd.basis=multiplicative needs records written since the option was added (multiplication runs trained before it fall back to the additive basis, noted).',
];
