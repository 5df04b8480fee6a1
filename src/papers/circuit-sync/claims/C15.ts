/**
 * C15 ops: subtraction's FSD leads on every seed, multiplication's lags (claims.md "ops"; paper sub +1000,
 * +2000; mul -10000). Direction: the subtraction runs lead and multiplication leads by less than any of them.
 */
import { notEvaluable, signed, verdict } from '../../../paper/claim.js';
import { fsdAltKey } from '../../../schema/sites.js';
import { roleKey } from '../roles.js';
import { fsdSeries } from '../runEvents.js';
import type { Claim } from './claim.js';
import { metricOptions } from '../metricOptions.js';

export const C15: Claim = {
  id: 'C15',
  name: 'ops',
  statement: 'subtraction: FSD leads; multiplication: FSD lags',
  paper: 'sub +1000, +2000; mul -10000',
  band: 'every subtraction lead > 0 and every multiplication lead < 0',
  direction: 'subtraction leads and multiplication leads by less than every subtraction run',
  experiments: ['ops'],
  evaluate(ctx) {
    const runs = ctx.profile.ops.runs;
    const keys = runs.map((r) => roleKey({ experiment: 'ops', ...r }));
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = runs.map((r, i) => ({ ...r, key: keys[i], ev: ctx.events(keys[i]) }));
    const noGrok = rows.filter((r) => r.ev.grok === null);
    if (noGrok.length)
      return notEvaluable(`never grokked within the cap: ${noGrok.map((r) => `${r.key} (last ${r.ev.lastStep})`).join(', ')}`, ctx.ids(keys));
    // A missing sync is a lag of unknown size: -Infinity in comparisons.
    const lead = (r: (typeof rows)[number]) => (r.ev.lead === null ? -Infinity : r.ev.lead);
    const sub = rows.filter((r) => r.op === 'sub'), mul = rows.filter((r) => r.op === 'mul');
    const signsMatch = sub.every((r) => lead(r) > 0) && mul.every((r) => lead(r) < 0);
    const contrast = sub.every((r) => lead(r) > 0) && mul.every((r) => sub.every((s) => lead(r) < lead(s)));
    const maxFsd = (key: string) => {
      const xs = fsdSeries(ctx.run(key).records, ctx.run(key).config, ctx.options).fsd.filter((x): x is number => x !== null && Number.isFinite(x));
      return xs.length ? Math.max(...xs) : null;
    };
    const hasMultiplicative = (key: string) => ctx.run(key).records.some((r) => r.fsd_alt[fsdAltKey(metricOptions(ctx.run(key).config).fsd_site, 'grid', 'multiplicative')] !== undefined);
    const basisOf = (r: (typeof rows)[number]) => (r.op === 'mul' && ctx.options.fsdBasis === 'multiplicative' && hasMultiplicative(r.key) ? 'multiplicative' : 'additive');
    const fmtMax = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
    const fmt = (r: (typeof rows)[number]) => (r.ev.lead === null ? 'never synced' : signed(r.ev.lead));
    return {
      verdict: verdict({ reproduced: signsMatch, direction: contrast }),
      reason: `sub leads ${sub.map(fmt).join(', ')}; mul ${mul.map(fmt).join(', ')}`,
      figure: `sub ${sub.map(fmt).join(', ')}; mul ${mul.map(fmt).join(', ')}`,
      data: {
        runs: rows.map((r) => ({ run: r.key, op: r.op, seed: r.seed, sync: r.ev.sync, grok: r.ev.grok, lead: r.ev.lead, max_fsd: maxFsd(r.key), basis: basisOf(r) })),
      },
      headline: { sub_leads: sub.map((r) => r.ev.lead), mul_leads: mul.map((r) => r.ev.lead) },
      caveat: mul.length
        ? ctx.options.fsdBasis === 'additive'
          ? `additive-Fourier FSD measures a Z_p-addition circuit; multiplication's circuit lives in the Fourier basis of Z_{p-1} (discrete logarithms), so its "lag" is a basis mismatch, not a late circuit (max additive FSD on multiplication: ${mul.map((r) => fmtMax(maxFsd(r.key))).join(', ')}); fsd.basis=multiplicative reads it in its own basis${mul.some((r) => !hasMultiplicative(r.key)) ? ' (these runs predate that record: re-train to see it)' : ''}`
          : `FSD of multiplication read in its own basis (Z_{p-1} by discrete logarithm)${mul.some((r) => !hasMultiplicative(r.key)) ? '; runs that predate that record fall back to the additive basis' : ''}`
        : undefined,
      runIds: ctx.ids(keys),
      notes: ctx.eventNotes(keys),
    };
  },
};
