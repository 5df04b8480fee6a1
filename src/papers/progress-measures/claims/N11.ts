/**
 * N11 data-fraction (claims.md §3): grokking needs limited data; the delay grows as the training fraction falls.
 * Four criteria over the `frac` runs: (i) large fractions generalise at once, (ii) middle ones grok late, (iii)
 * small ones never within the run, (iv) t_grok never rises with the fraction.
 */
import { verdict } from '../../../paper/claim.js';
import { stepCell, type Claim } from './claim.js';
import { epochs } from './helpers.js';

/** The fraction groups (claims.md): at least LARGE generalises at once; MIDDLE groks late; SMALL never. */
export const LARGE = 0.6;
export const MIDDLE = [0.3, 0.4] as const;
export const SMALL = [0.1, 0.2] as const;
/** (i) t_grok at most this (paper epochs x the profile's scale); (ii) t_grok at least this times t_mem99. */
export const IMMEDIATE = 1500;
export const MIN_DELAY_RATIO = 3;

export const N11: Claim = {
  id: 'N11',
  name: 'data-fraction',
  statement: 'grokking needs limited data; the delay grows as the fraction falls',
  paper: '"30-50% grok; >= 60% immediate generalization; 10%/20% no grokking in 40k epochs" (App. C.2.2, Fig. 20)',
  band: `all of: (i) frac >= ${LARGE}: t_grok <= ${IMMEDIATE}; (ii) frac in {${MIDDLE.join(', ')}}: t_grok >= ${MIN_DELAY_RATIO} x t_mem99, within the run; (iii) frac in {${SMALL.join(', ')}}: no t_grok within the run; (iv) t_grok non-increasing in frac over the runs that grok`,
  direction: '(iv) and two of (i)-(iii)',
  experiments: ['frac'],
  readsKeys: false,
  evaluate(ctx) {
    const keys = ctx.keysOf('frac');
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const rows = keys.map((key) => ({ key, frac: ctx.run(key).role.trainFrac, ...ctx.phases(key) })).sort((a, b) => a.frac - b.frac);
    const group = (test: (f: number) => boolean) => rows.filter((r) => test(r.frac));
    const criterion = (rs: typeof rows, pass: (r: (typeof rows)[number]) => boolean) => (rs.length === 0 ? null : rs.every(pass));
    const i = criterion(group((f) => f >= LARGE), (r) => r.tGrok !== null && r.tGrok <= epochs(ctx, IMMEDIATE));
    const ii = criterion(group((f) => (MIDDLE as readonly number[]).includes(f)), (r) => r.tGrok !== null && r.tMem99 !== null && r.tGrok >= MIN_DELAY_RATIO * r.tMem99);
    const iii = criterion(group((f) => (SMALL as readonly number[]).includes(f)), (r) => r.tGrok === null);
    const grokking = rows.filter((r) => r.tGrok !== null);
    const iv = grokking.every((r, k) => k === 0 || r.frac === grokking[k - 1].frac || r.tGrok! <= grokking[k - 1].tGrok!);
    const criteria = { i, ii, iii, iv };
    const passed = [i, ii, iii].filter((x) => x === true).length;
    const word = (x: boolean | null) => (x === null ? 'no run' : x ? 'holds' : 'fails');
    return {
      verdict: verdict({ reproduced: i === true && ii === true && iii === true && iv, direction: iv && passed >= 2 }),
      reason: `(i) ${word(i)}, (ii) ${word(ii)}, (iii) ${word(iii)}, (iv) ${word(iv)}`,
      figure: rows.map((r) => `${r.frac}: ${stepCell(r.tGrok)}`).join(', '),
      data: { runs: rows.map((r) => ({ run: r.key, frac: r.frac, t_mem99: r.tMem99, t_grok: r.tGrok })), criteria },
      headline: { passed: passed + (iv ? 1 : 0), of: 4 },
      tables: [{ title: 'Per training fraction', columns: ['run', 'frac', 't_mem99', 't_grok'], rows: rows.map((r) => [r.key, r.frac, stepCell(r.tMem99), stepCell(r.tGrok)]) }],
      runIds: ctx.ids(keys),
      notes: [`a fraction group with no run of this profile counts as not holding`],
      caveat: '(iii) is a budget statement: 0.25 took ~21k epochs in the authors\' own sweep',
      configurations: rows.length,
    };
  },
};
