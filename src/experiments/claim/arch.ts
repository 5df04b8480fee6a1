/**
 * C09-C11: architecture variants of p = 97 seed 42 (claims.md "arch"), and C15: other operations
 * (claims.md "ops"). A run that groks without ever syncing counts as FSD lagging.
 */
import { notEvaluable, signed, type ClaimOutcome } from '../claimTypes.js';
import type { ClaimContext } from '../claimContext.js';
import { roleKey, type ArchVariantId } from '../roles.js';

function archKey(ctx: ClaimContext, arch: ArchVariantId): string {
  const a = ctx.profile.arch;
  return roleKey({ experiment: 'arch', p: a.p, seed: a.seed, arch });
}

function describe(ev: { sync: number | null; grok: number | null; lead: number | null }): string {
  if (ev.grok === null) return `never grokked${ev.sync !== null ? ` (sync at ${ev.sync})` : ''}`;
  return `grok ${ev.grok}, ${ev.sync === null ? 'FSD never synced' : `sync ${ev.sync}, lead ${signed(ev.lead)}`}`;
}

/** C09: the attention-only model groks and its FSD (block-0 attention output) leads. */
export function evaluateC09(ctx: ClaimContext): ClaimOutcome {
  const key = archKey(ctx, '2l-attn_only');
  const unusable = ctx.unusable([key]);
  if (unusable.length) return notEvaluable(unusable.join('; '), ctx.ids([key]));
  const ev = ctx.events(key);
  const ok = ev.grok !== null && ev.lead !== null && ev.lead > 0;
  return {
    verdict: ok ? 'reproduced' : 'not reproduced',
    reason: describe(ev),
    figure: ev.grok === null ? 'never grokked' : ev.sync === null ? `grok ${ev.grok}, FSD never synced` : `lead ${signed(ev.lead)}`,
    data: { grok: ev.grok, sync: ev.sync, lead: ev.lead, last_step: ev.lastStep },
    runIds: ctx.ids([key]),
    notes: ctx.eventNotes([key]),
  };
}

/** C10: the MLP-only model never groks within its cap (the run must have reached the cap). */
export function evaluateC10(ctx: ClaimContext): ClaimOutcome {
  const key = archKey(ctx, '2l-mlp_only');
  const unusable = ctx.unusable([key]);
  if (unusable.length) return notEvaluable(unusable.join('; '), ctx.ids([key]));
  const ev = ctx.events(key);
  const run = ctx.run(key);
  const cap = run.config.stop.max_steps;
  const lastRecorded = run.records.at(-1)?.step ?? -1;
  if (ev.grok === null && lastRecorded < cap)
    return notEvaluable(`${key}: stopped at ${lastRecorded} before the cap ${cap}${ev.diverged ? ' (diverged)' : ''}`, ctx.ids([key]));
  return {
    verdict: ev.grok === null ? 'reproduced' : 'not reproduced',
    reason: ev.grok === null ? `never grokked within ${cap} steps` : `grokked at ${ev.grok}`,
    figure: ev.grok === null ? `never within ${cap}` : `grok ${ev.grok}`,
    data: { grok: ev.grok, cap, final_val_acc: run.records.at(-1)?.val_acc ?? null, final_train_acc: run.records.at(-1)?.train_acc ?? null },
    runIds: ctx.ids([key]),
    notes: ctx.eventNotes([key]),
  };
}

/** C11: the 1-layer model groks but its FSD does not lead (lead <= 0, or never synced). */
export function evaluateC11(ctx: ClaimContext): ClaimOutcome {
  const key = archKey(ctx, '1l-standard');
  const unusable = ctx.unusable([key]);
  if (unusable.length) return notEvaluable(unusable.join('; '), ctx.ids([key]));
  const ev = ctx.events(key);
  const lags = ev.sync === null || (ev.lead !== null && ev.lead <= 0);
  return {
    verdict: ev.grok !== null && lags ? 'reproduced' : 'not reproduced',
    reason: describe(ev),
    figure: ev.grok === null ? 'never grokked' : `grok ${ev.grok}, lead ${ev.sync === null ? 'none (never synced)' : signed(ev.lead)}`,
    data: { grok: ev.grok, sync: ev.sync, lead: ev.lead },
    runIds: ctx.ids([key]),
    notes: ctx.eventNotes([key]),
  };
}

/**
 * C15: subtraction's FSD leads on every seed; multiplication's lags. Direction: the subtraction runs lead and
 * multiplication leads by less than any of them.
 */
export function evaluateC15(ctx: ClaimContext): ClaimOutcome {
  const runs = ctx.profile.ops.runs;
  const keys = runs.map((r) => roleKey({ experiment: 'ops', ...r }));
  const unusable = ctx.unusable(keys);
  if (unusable.length) return notEvaluable(unusable.join('; '), ctx.ids(keys));
  const rows = runs.map((r, i) => ({ ...r, key: keys[i], ev: ctx.events(keys[i]) }));
  const noGrok = rows.filter((r) => r.ev.grok === null);
  if (noGrok.length)
    return notEvaluable(`never grokked within the cap: ${noGrok.map((r) => `${r.key} (last ${r.ev.lastStep})`).join(', ')}`, ctx.ids(keys));
  // A missing sync is a lag of unknown size: -Infinity in comparisons.
  const lead = (r: (typeof rows)[number]) => (r.ev.lead === null ? -Infinity : r.ev.lead);
  const sub = rows.filter((r) => r.op === 'sub'), mul = rows.filter((r) => r.op === 'mul');
  const signsMatch = sub.every((r) => lead(r) > 0) && mul.every((r) => lead(r) < 0);
  const contrast = sub.every((r) => lead(r) > 0) && mul.every((r) => sub.every((s) => lead(r) < lead(s)));
  const fmt = (r: (typeof rows)[number]) => (r.ev.lead === null ? 'never synced' : signed(r.ev.lead));
  return {
    verdict: signsMatch ? 'reproduced' : contrast ? 'direction only' : 'not reproduced',
    reason: `sub leads ${sub.map(fmt).join(', ')}; mul ${mul.map(fmt).join(', ')}`,
    figure: `sub ${sub.map(fmt).join(', ')}; mul ${mul.map(fmt).join(', ')}`,
    data: { runs: rows.map((r) => ({ run: r.key, op: r.op, seed: r.seed, sync: r.ev.sync, grok: r.ev.grok, lead: r.ev.lead })) },
    runIds: ctx.ids(keys),
    notes: ctx.eventNotes(keys),
  };
}
