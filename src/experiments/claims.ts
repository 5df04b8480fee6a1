/**
 * The claims of shared/spec/claims.md as pure functions over completed runs (a RunSet) and analysis options:
 * each gives a verdict with its reason, our figure, the numbers and the runs behind it. Each claim is
 * evaluated at our resolution (every checkpoint) and on the paper's coarse grid, and re-derived under every
 * alternative named option for the sensitivity section (sensitivity.ts).
 */
import { ClaimContext } from './claimContext.js';
import { CLAIM_IDS, type ClaimDefinition, type ClaimId, type ClaimOutcome } from './claimTypes.js';
import { CANONICAL_OPTIONS, type AnalysisOptions } from './options.js';
import type { RunSet } from './runSet.js';
import { evaluateC01, evaluateC02, evaluateC03, evaluateC04 } from './claim/leads.js';
import { evaluateC05, evaluateC06, evaluateC07 } from './claim/forks.js';
import { evaluateC08 } from './claim/schedule.js';
import { evaluateC09, evaluateC10, evaluateC11, evaluateC15 } from './claim/arch.js';
import { evaluateC12 } from './claim/group.js';
import { evaluateC13 } from './claim/properties.js';
import { evaluateC14 } from './claim/ablation.js';
import { evaluateC16 } from './claim/twoPhase.js';

export const CLAIMS: Record<ClaimId, ClaimDefinition> = {
  C01: {
    id: 'C01',
    name: 'fsd-leads',
    statement: 'FSD sync precedes grokking in every main configuration',
    paper: '9/9, leads +500..+3000',
    band: 'every main configuration has a positive lead',
    direction: 'a strict majority of the main configurations have a positive lead',
    experiments: ['main'],
  },
  C02: {
    id: 'C02',
    name: 'sign-test',
    statement: 'exact sign test over the main leads',
    paper: 'p = 0.0039',
    band: 'two-sided p <= 0.01 with more positive than negative leads',
    direction: 'more positive than negative leads',
    experiments: ['main'],
  },
  C03: {
    id: 'C03',
    name: 'lead-size',
    statement: 'mean lead and its bootstrap 95% CI (config level, and prime-clustered)',
    paper: '+1722 [+1111, +2333]; clustered +1740 [+1240, +2400]',
    band: "both CIs overlap the paper's",
    direction: 'mean lead > 0',
    experiments: ['main'],
  },
  C04: {
    id: 'C04',
    name: 'beats-baseline',
    statement: 'FSD sync precedes the restricted-logit baseline sync in every main configuration',
    paper: '9/9; baseline mean lead -167',
    band: 'FSD first in every main configuration',
    direction: 'FSD first in a strict majority',
    experiments: ['main'],
  },
  C05: {
    id: 'C05',
    name: 'fork-monotone',
    statement: 'fork at the FSD ceiling: stable branches grok strictly earlier as lambda grows; lambda=10 never groks; 4 and 5 destabilise',
    paper: 'Delta_t 3000/1500/1000 for lambda 1/2/3',
    band: 'Delta_t strictly decreasing over lambda <= 3, every such branch grokking',
    direction: 'Delta_t at the largest lambda <= 3 below Delta_t at lambda = 1 (never grokking = infinite)',
    experiments: ['fork97'],
  },
  C06: {
    id: 'C06',
    name: 'inverse-lambda',
    statement: 'seed-averaged Delta_t = C_p/lambda across the fork primes',
    paper: 'R^2 0.89 / 0.94 / 0.99; C_p 4780 / 2727 / 1760 (falls with p); per-draw R^2 0.49..1.00',
    band: 'R^2 >= 0.89 for every prime',
    direction: 'seed-averaged Delta_t strictly falls with lambda for every prime',
    experiments: ['forks'],
  },
  C07: {
    id: 'C07',
    name: 'norm-threshold',
    statement: 'total parameter norm at grokking is nearly constant across lambda',
    paper: 'tau ~ 23.5, CV 0.13',
    band: 'CV <= 0.2 over every grokked fork branch (fork97 and forks)',
    direction: 'the norm at grokking varies less (CV) than Delta_t over the same branches',
    experiments: ['fork97', 'forks'],
  },
  C08: {
    id: 'C08',
    name: 'fsd-schedule',
    statement: 'raising lambda at the FSD ceiling groks sooner than a fixed lambda and stays stable',
    paper: '36-43% fewer steps; fsd trigger 3/3 stable for lambda_high <= 5; mem and earlystep 0/3 at lambda_high = 10',
    band: 'seed-mean saving in 30..50% for every lambda_high <= 5 with the fsd trigger, fsd stable on every seed there, mem and earlystep stable on none at 10',
    direction: 'the fsd trigger saves steps (> 0) and stays stable on every seed for lambda_high <= 5',
    experiments: ['schedule'],
  },
  C09: {
    id: 'C09',
    name: 'attn-only',
    statement: 'an attention-only model groks with an FSD precursor (FSD on block-0 attention output)',
    paper: 'lead +3000',
    band: 'groks, lead > 0',
    direction: 'none beyond the band (a yes/no claim)',
    experiments: ['arch'],
  },
  C10: {
    id: 'C10',
    name: 'mlp-only',
    statement: 'an MLP-only model never groks',
    paper: 'never within 15000',
    band: 'never groks within the cap',
    direction: 'none beyond the band (a yes/no claim)',
    experiments: ['arch'],
  },
  C11: {
    id: 'C11',
    name: 'one-layer-lags',
    statement: 'a 1-layer model groks but its FSD lags',
    paper: 'grok 4500, lead -1000',
    band: 'groks, lead <= 0 (never syncing counts as lagging)',
    direction: 'none beyond the band (a yes/no claim)',
    experiments: ['arch'],
  },
  C12: {
    id: 'C12',
    name: 's5',
    statement: 'on S5, FSD_gen syncs before grokking on every seed; the Z_120 Fourier control does not',
    paper: '6/6, mean lead +2417, sign p = 0.03; control leads 1/6',
    band: 'FSD_gen leads on every seed and the control on fewer',
    direction: 'FSD_gen leads on a strict majority of seeds and on more seeds than the control',
    experiments: ['s5'],
  },
  C13: {
    id: 'C13',
    name: 'fsd-properties',
    statement: 'FSD is normalised to [0, 1] and invariant to unit order and to relabellings that preserve the group',
    paper: 'definition',
    band: 'every property holds on every generated case',
    direction: 'none beyond the band',
    experiments: [],
  },
  C14: {
    id: 'C14',
    name: 'zero-ablation',
    statement: 'accuracy drop when zeroing a component at the grokking checkpoint',
    paper: 'block-1 attn 94.4 pp, block-0 attn 89.0, block-1 MLP 88.0, block-0 MLP 11.8',
    band: "the paper's ranking and a block-0 MLP drop < 30 pp",
    direction: 'the block-0 MLP drop is the smallest',
    experiments: ['ablate'],
  },
  C15: {
    id: 'C15',
    name: 'ops',
    statement: 'subtraction: FSD leads; multiplication: FSD lags',
    paper: 'sub +1000, +2000; mul -10000',
    band: 'every subtraction lead > 0 and every multiplication lead < 0',
    direction: 'subtraction leads and multiplication leads by less than every subtraction run',
    experiments: ['ops'],
  },
  C16: {
    id: 'C16',
    name: 'two-phase',
    statement: 'memorisation by ~1000 steps, then the norm falls and the median Fourier rank reaches 1 before grokking',
    paper: 'p97 s42: norm 76.7 -> 22.9, rank 6 -> 1',
    band: 'median rank 1 strictly before grokking and the norm falls > 50% from memorisation to grokking',
    direction: 'the norm falls and the median rank at grokking is below its value at memorisation',
    experiments: ['main'],
  },
};

type Evaluator = (ctx: ClaimContext) => ClaimOutcome;

const EVALUATORS: Record<ClaimId, Evaluator> = {
  C01: evaluateC01,
  C02: evaluateC02,
  C03: evaluateC03,
  C04: evaluateC04,
  C05: evaluateC05,
  C06: evaluateC06,
  C07: evaluateC07,
  C08: evaluateC08,
  C09: evaluateC09,
  C10: evaluateC10,
  C11: evaluateC11,
  C12: evaluateC12,
  C13: () => evaluateC13(),
  C14: evaluateC14,
  C15: evaluateC15,
  C16: evaluateC16,
};

/** One claim under one set of options; a thrown error is a harness failure and propagates. */
export function evaluateClaim(id: ClaimId, set: RunSet, options: AnalysisOptions = CANONICAL_OPTIONS): ClaimOutcome {
  return EVALUATORS[id](new ClaimContext(set, options));
}

/** Several claims under one set of options, sharing one events cache. */
export function evaluateClaims(set: RunSet, options: AnalysisOptions = CANONICAL_OPTIONS, ids: readonly ClaimId[] = CLAIM_IDS): Map<ClaimId, ClaimOutcome> {
  const ctx = new ClaimContext(set, options);
  return new Map(ids.map((id) => [id, EVALUATORS[id](ctx)]));
}

export interface ClaimResult {
  definition: ClaimDefinition;
  /** Canonical options at our resolution: the verdict. */
  fine: ClaimOutcome;
  /** Canonical options on the paper's coarse grid. */
  coarse: ClaimOutcome;
}

export function evaluateAtBothResolutions(set: RunSet, ids: readonly ClaimId[] = CLAIM_IDS): ClaimResult[] {
  const fine = evaluateClaims(set, CANONICAL_OPTIONS, ids);
  const coarse = evaluateClaims(set, { ...CANONICAL_OPTIONS, resolution: 'coarse' }, ids);
  return ids.map((id) => ({ definition: CLAIMS[id], fine: fine.get(id)!, coarse: coarse.get(id)! }));
}
