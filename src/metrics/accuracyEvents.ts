/**
 * The events of every paper's runs, read from accuracies alone (shared/spec/metrics.md "Checkpoint metrics"):
 * memorisation (train accuracy >= 0.99) and grokking (`grok.rule`, canonically validation accuracy >= 0.95).
 * The training loop's stop rule, its kept checkpoints and the `mem` trigger read them; a paper's own events
 * (circuit-sync's sync) are the paper's.
 */
import type { CoreRecord } from '../schema/record.js';

/** Memorisation: the first checkpoint with training accuracy >= this (metrics.md). */
export const MEMORISATION_ACCURACY = 0.99;
export const CANONICAL_GROK_RULE = 'val>=0.95';

/** Parses `val>=X` (`grok.rule`): grokking is the first checkpoint with validation accuracy >= X. */
export function parseGrokRule(rule: string): number {
  const m = /^val>=(\d+(?:\.\d+)?)$/.exec(rule.trim());
  if (!m || Number(m[1]) > 1) throw new RangeError(`unknown grok rule '${rule}' (expected val>=X with X in [0, 1])`);
  return Number(m[1]);
}

/** Memorisation and grokking steps under the canonical rules (null: not yet). */
export function accuracyEventSteps(records: readonly Pick<CoreRecord, 'step' | 'train_acc' | 'val_acc'>[]): { memorisation: number | null; grok: number | null } {
  const grokAccuracy = parseGrokRule(CANONICAL_GROK_RULE);
  return {
    memorisation: records.find((r) => r.train_acc >= MEMORISATION_ACCURACY)?.step ?? null,
    grok: records.find((r) => r.val_acc >= grokAccuracy)?.step ?? null,
  };
}
