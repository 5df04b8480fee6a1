/**
 * What C09-C11 share: the architecture variants of the arch experiment (claims.md "arch"). A run that groks
 * without ever syncing counts as FSD lagging.
 */
import { signed } from '../../../paper/claim.js';
import type { ClaimContext } from '../claimContext.js';
import { roleKey, type ArchVariantId } from '../roles.js';

export function archKey(ctx: ClaimContext, arch: ArchVariantId): string {
  const a = ctx.profile.arch;
  return roleKey({ experiment: 'arch', p: a.p, seed: a.seed, arch });
}

export function describeArchRun(ev: { sync: number | null; grok: number | null; lead: number | null }): string {
  if (ev.grok === null) return `never grokked${ev.sync !== null ? ` (sync at ${ev.sync})` : ''}`;
  return `grok ${ev.grok}, ${ev.sync === null ? 'FSD never synced' : `sync ${ev.sync}, lead ${signed(ev.lead)}`}`;
}
