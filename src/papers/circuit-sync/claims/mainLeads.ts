/**
 * What C01-C04 share: the leads of the main configurations (claims.md "main"). Lead = grokking step - sync
 * step (metrics.md); a run that groks without ever syncing counts as FSD not leading (its lead is unknown, so it
 * enters the sign tests as negative and leaves the means out).
 */
import { signed } from '../../../paper/claim.js';
import type { ClaimContext } from '../claimContext.js';
import { mainKey } from '../roles.js';

export interface MainLead {
  key: string;
  p: number;
  seed: number;
  sync: number | null;
  grok: number;
  baselineSync: number | null;
  /** grok - sync; null when FSD never synced. */
  lead: number | null;
  /** FSD synced strictly before grokking. */
  leads: boolean;
}

/** The main configurations' leads, or why they cannot be read (missing, failed, diverged, never grokked). */
export function mainLeads(ctx: ClaimContext): { leads: MainLead[]; keys: string[] } | { problem: string; keys: string[] } {
  const keys = ctx.profile.main.runs.map((r) => mainKey(r.p, r.seed));
  const unusable = ctx.unusable(keys);
  if (unusable.length) return { problem: unusable.join('; '), keys };
  const problems: string[] = [];
  const leads: MainLead[] = [];
  for (const [i, key] of keys.entries()) {
    const ev = ctx.events(key);
    if (ev.grok === null) {
      problems.push(`${key}: ${ev.diverged ? 'diverged' : 'cut short'} without grokking (last checkpoint ${ev.lastStep})`);
      continue;
    }
    const { p, seed } = ctx.profile.main.runs[i];
    leads.push({ key, p, seed, sync: ev.sync, grok: ev.grok, baselineSync: ev.baselineSync, lead: ev.lead, leads: ev.lead !== null && ev.lead > 0 });
  }
  if (problems.length) return { problem: problems.join('; '), keys };
  return { leads, keys };
}

export function leadTable(leads: MainLead[]) {
  return leads.map((l) => ({ run: l.key, sync: l.sync, grok: l.grok, lead: l.lead, baseline_sync: l.baselineSync }));
}

/** `+a..+b` over the values, `none` for none. */
export function range(values: number[]): string {
  if (values.length === 0) return 'none';
  return `${signed(Math.min(...values))}..${signed(Math.max(...values))}`;
}

/** "More than half": the `direction only` criterion of the all-configurations claims. */
export const isMajority = (k: number, n: number) => 2 * k > n;
