/**
 * C15 ops: subtraction's FSD leads on every seed, multiplication's lags (claims.md "ops"; paper sub +1000,
 * +2000; mul -10000). Direction: the subtraction runs lead and multiplication leads by less than any of them.
 */
import { notEvaluable, signed, verdict } from '../../../paper/claim.js';
import { roleKey } from '../roles.js';
import type { Claim } from './claim.js';

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
    const fmt = (r: (typeof rows)[number]) => (r.ev.lead === null ? 'never synced' : signed(r.ev.lead));
    return {
      verdict: verdict({ reproduced: signsMatch, direction: contrast }),
      reason: `sub leads ${sub.map(fmt).join(', ')}; mul ${mul.map(fmt).join(', ')}`,
      figure: `sub ${sub.map(fmt).join(', ')}; mul ${mul.map(fmt).join(', ')}`,
      data: { runs: rows.map((r) => ({ run: r.key, op: r.op, seed: r.seed, sync: r.ev.sync, grok: r.ev.grok, lead: r.ev.lead })) },
      runIds: ctx.ids(keys),
      notes: ctx.eventNotes(keys),
    };
  },
};
