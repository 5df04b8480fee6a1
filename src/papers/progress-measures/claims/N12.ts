/**
 * N12 other-primes (claims.md §3): a prime near 113 behaves like it (the paper's 109); a small prime needs
 * stronger weight decay (the paper's 53 at lambda 5). Medians over the seeds of each case; the similar prime
 * against the main runs of the same seeds.
 */
import { median } from 'simple-statistics';
import { verdict } from '../../../paper/claim.js';
import { primeCases } from '../profiles.js';
import { stepCell, type Claim } from './claim.js';
import { count } from './helpers.js';

/** The band: the similar prime's median t_grok within this factor range of main's; the small prime's cases by a 2/3 majority. */
export const TIME_RATIO = [0.5, 2] as const;
export const MAJORITY = 2 / 3;

export const N12: Claim = {
  id: 'N12',
  name: 'other-primes',
  statement: 'P = 109 behaves like 113; P = 53 needs stronger weight decay',
  paper: '"P=109 exactly the same behavior"; "P=53 needs lambda=5" (App. C.2.2)',
  band: `the similar prime groks on every seed with median t_grok within [${TIME_RATIO[0]}x, ${TIME_RATIO[1]}x] of main's (same seeds); the small prime groks at the strong weight decay on >= 2/3 of the seeds and not at main's on >= 2/3`,
  direction: 'the similar prime groks on >= 2/3 of the seeds, and the small prime groks earlier or more often at the strong weight decay than at main\'s',
  experiments: ['primes', 'main'],
  readsKeys: false,
  evaluate(ctx) {
    const spec = ctx.profile;
    const [similar, smallWeak, smallStrong] = primeCases(spec);
    const caseKeys = (c: { p: number; weightDecay: number }) => ctx.keysOf('primes', (r) => r.role.p === c.p && r.role.weightDecay === c.weightDecay);
    const seeds = new Set(spec.primes.seeds);
    const mainKeys = ctx.keysOf('main', (r) => seeds.has(r.role.seed));
    const all = [...caseKeys(similar), ...caseKeys(smallWeak), ...caseKeys(smallStrong), ...mainKeys];
    const unavailable = ctx.notEvaluableFor(all);
    if (unavailable) return unavailable;
    const groks = (keys: string[]) => keys.map((k) => ctx.phases(k).tGrok);
    const [gSimilar, gWeak, gStrong, gMain] = [groks(caseKeys(similar)), groks(caseKeys(smallWeak)), groks(caseKeys(smallStrong)), groks(mainKeys)];
    const med = (xs: (number | null)[]) => (xs.every((x) => x !== null) && xs.length ? median(xs as number[]) : null);
    const mSimilar = med(gSimilar);
    const mMain = med(gMain);
    const ratio = mSimilar !== null && mMain !== null ? mSimilar / mMain : null;
    const n = spec.primes.seeds.length;
    const grokCount = (xs: (number | null)[]) => count(xs, (x) => x !== null);
    const similarOk = grokCount(gSimilar) === gSimilar.length && ratio !== null && ratio >= TIME_RATIO[0] && ratio <= TIME_RATIO[1];
    const smallOk = grokCount(gStrong) >= MAJORITY * n - 1e-9 && gWeak.length - grokCount(gWeak) >= MAJORITY * n - 1e-9;
    const strongBetter = grokCount(gStrong) > grokCount(gWeak) || (grokCount(gStrong) === grokCount(gWeak) && grokCount(gStrong) > 0 && median(gStrong.filter((x): x is number => x !== null)) < median(gWeak.filter((x): x is number => x !== null)));
    const cells = (xs: (number | null)[]) => xs.map(stepCell).join('/');
    return {
      verdict: verdict({ reproduced: similarOk && smallOk, direction: grokCount(gSimilar) >= MAJORITY * n - 1e-9 && strongBetter }),
      reason: `p ${similar.p}: ${grokCount(gSimilar)}/${gSimilar.length} grok, median t_grok ${ratio === null ? 'n/a' : `${ratio.toFixed(2)}x`} main's; p ${smallWeak.p}: ${grokCount(gWeak)}/${gWeak.length} grok at lambda ${smallWeak.weightDecay}, ${grokCount(gStrong)}/${gStrong.length} at lambda ${smallStrong.weightDecay}`,
      figure: `t_grok p${similar.p} ${cells(gSimilar)} (main ${cells(gMain)}); p${smallWeak.p} lambda ${smallWeak.weightDecay}: ${cells(gWeak)}, lambda ${smallStrong.weightDecay}: ${cells(gStrong)}`,
      data: { similar: { p: similar.p, t_grok: gSimilar, median: mSimilar }, main: { t_grok: gMain, median: mMain }, ratio, small_weak: { p: smallWeak.p, lambda: smallWeak.weightDecay, t_grok: gWeak }, small_strong: { p: smallStrong.p, lambda: smallStrong.weightDecay, t_grok: gStrong } },
      headline: { ratio },
      tables: [
        {
          title: 't_grok per case and seed',
          columns: ['case', ...spec.primes.seeds.map((s) => `s${s}`)],
          rows: [
            [`main p${spec.main.p}`, ...gMain.map(stepCell)],
            [`p${similar.p} lambda ${similar.weightDecay}`, ...gSimilar.map(stepCell)],
            [`p${smallWeak.p} lambda ${smallWeak.weightDecay}`, ...gWeak.map(stepCell)],
            [`p${smallStrong.p} lambda ${smallStrong.weightDecay}`, ...gStrong.map(stepCell)],
          ],
        },
      ],
      runIds: ctx.ids(all),
      notes: ['how the paper configured other primes is unknown (their code keeps d_vocab = 114 for any p); ours follow the model of model.md at each p'],
      configurations: all.length,
    };
  },
};
