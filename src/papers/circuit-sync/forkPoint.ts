/**
 * claims.md "Fork point": forks start at the parent's FSD ceiling (its canonical sync step) when it syncs
 * before grokking; otherwise at the paper's fork step for that prime (the report says so). C05-C07 test the
 * weight-decay law, which does not depend on FSD, so a fallback fork still tests them.
 */
import type { ForkPoint } from '../../paper/runSet.js';
import type { CircuitSyncRecord } from './record.js';
import type { RunConfig } from '../../schema/runConfig.js';
import { CANONICAL_OPTIONS } from './options.js';
import type { ProfileSpec } from './profiles.js';
import { runEvents } from './runEvents.js';

export function forkPointOf(profile: ProfileSpec, parent: RunConfig, records: CircuitSyncRecord[]): ForkPoint {
  const p = parent.task.n;
  const ev = runEvents(records, parent, CANONICAL_OPTIONS, profile.coarseStep);
  const lastStep = records.at(-1)?.step ?? 0;
  const fallback = (why: string, source: 'paper' | 'fallback'): ForkPoint => {
    const wanted = profile.fallbackForkSteps[p];
    if (wanted === undefined) throw new Error(`profile ${profile.name} has no fallback fork step for p = ${p}`);
    if (wanted !== 'mem' && wanted <= lastStep) return { step: wanted, source, note: why };
    if (ev.memorisation === null) throw new Error(`cannot fork p = ${p}: ${why}, and the parent never memorised`);
    const where = wanted === 'mem' ? "the profile's fallback" : `the paper's step ${wanted} is past the parent's last checkpoint ${lastStep}`;
    return { step: ev.memorisation, source, note: `${why}; forked at the memorisation step (${where})` };
  };
  if (profile.forkAt === 'paper') return fallback('fork.at = paper', 'paper');
  if (ev.sync !== null && (ev.grok === null || ev.sync < ev.grok)) return { step: ev.sync, source: 'sync' };
  return fallback(`the parent never synced before grokking (sync ${ev.sync ?? 'none'}, grok ${ev.grok ?? 'none'})`, 'fallback');
}
