/**
 * The claims of shared/spec/claims.md in report order, and their evaluation over completed runs under one set of
 * analysis options. Each claim is evaluated at our resolution (every checkpoint) and on the paper's coarse grid,
 * and re-derived under every alternative named option for the sensitivity section (options.ts).
 */
import type { ClaimOutcome } from '../../../paper/claim.js';
import { ClaimContext } from '../claimContext.js';
import type { CircuitRunSet } from '../runSet.js';
import { CANONICAL_OPTIONS, OPTION_ALTERNATIVES, SWEEP_CLAIMS, type AnalysisOptions, type SpikeRuleOption } from '../options.js';
import type { Claim } from './claim.js';
import { C01 } from './C01.js';
import { C02 } from './C02.js';
import { C03 } from './C03.js';
import { C04 } from './C04.js';
import { C05 } from './C05.js';
import { C06 } from './C06.js';
import { C07 } from './C07.js';
import { C08 } from './C08.js';
import { C09 } from './C09.js';
import { C10 } from './C10.js';
import { C11 } from './C11.js';
import { C12 } from './C12.js';
import { C13 } from './C13.js';
import { C14 } from './C14.js';
import { C15 } from './C15.js';
import { C16 } from './C16.js';

export const CLAIMS: readonly Claim[] = [C01, C02, C03, C04, C05, C06, C07, C08, C09, C10, C11, C12, C13, C14, C15, C16];
export const CLAIM_IDS: readonly string[] = CLAIMS.map((c) => c.id);

export function claimById(id: string): Claim {
  const claim = CLAIMS.find((c) => c.id === id);
  if (!claim) throw new Error(`unknown claim '${id}' (expected one of ${CLAIM_IDS.join(', ')})`);
  return claim;
}

/** One claim under one set of options; a thrown error is a harness failure and propagates. */
export function evaluateClaim(id: string, set: CircuitRunSet, options: AnalysisOptions = CANONICAL_OPTIONS): ClaimOutcome {
  return claimById(id).evaluate(new ClaimContext(set, options));
}

/** Several claims under one set of options, sharing one events cache. */
export function evaluateClaims(set: CircuitRunSet, options: AnalysisOptions = CANONICAL_OPTIONS, ids: readonly string[] = CLAIM_IDS): Map<string, ClaimOutcome> {
  const ctx = new ClaimContext(set, options);
  const spikes = new SpikeCounter(set, options);
  return new Map(
    ids.map((id) => {
      const outcome = claimById(id).evaluate(ctx);
      return [id, (SWEEP_CLAIMS as readonly string[]).includes(id) && outcome.verdict !== 'not evaluable' ? spikes.annotate(outcome) : outcome];
    }),
  );
}

const SPIKE_RULES: readonly SpikeRuleOption[] = [CANONICAL_OPTIONS.spikeRule, ...OPTION_ALTERNATIVES.spikeRule];

/**
 * How many of the sync events behind a claim fall on spike checkpoints, under each `spike.rule` (metrics.md):
 * a sync on a spike may be an artefact of a slingshot rather than the circuit.
 */
class SpikeCounter {
  private readonly contexts: Map<SpikeRuleOption, ClaimContext>;
  private readonly keyOf: Map<string, string>;

  constructor(private readonly set: CircuitRunSet, options: AnalysisOptions) {
    this.contexts = new Map(SPIKE_RULES.map((rule) => [rule, new ClaimContext(set, { ...options, spikeRule: rule })]));
    this.keyOf = new Map([...set.runs.values()].map((r) => [r.id, r.key]));
  }

  annotate(outcome: ClaimOutcome): ClaimOutcome {
    const keys = [...new Set(outcome.runIds.map((id) => this.keyOf.get(id)).filter((k): k is string => k !== undefined && this.set.runs.get(k)?.state === 'complete'))];
    const counts: Record<string, { on_spike: number; synced: number }> = {};
    for (const [rule, ctx] of this.contexts) {
      const synced = keys.filter((k) => ctx.events(k).sync !== null);
      counts[rule] = { on_spike: synced.filter((k) => ctx.events(k).syncOnSpike).length, synced: synced.length };
    }
    const line = `sync events on spike checkpoints: ${Object.entries(counts).map(([rule, c]) => `${c.on_spike} of ${c.synced} under spike.rule=${rule}`).join(', ')}`;
    return { ...outcome, data: { ...outcome.data, sync_on_spike: counts }, notes: [line, ...outcome.notes] };
  }
}
