/**
 * C08 fsd-schedule: raising weight decay at the FSD ceiling groks sooner than a fixed lambda and stays stable
 * (claims.md "schedule"; paper 36-43% fewer steps). Saving = 1 - G / G0 where G is the
 * grokking step of a schedule run and G0 that of the constant-lambda run of the same seed. A run is stable
 * when it groks and does not destabilise (metrics.md "Destabilised").
 */
import { notEvaluable, verdict } from '../../../paper/claim.js';
import { roleKey, type ScheduleTrigger } from '../roles.js';
import type { Claim } from './claim.js';

/** The band: the fsd trigger's seed-mean saving within this range ... */
export const SAVING_BAND: [number, number] = [0.3, 0.5];
/** ... for every lambda_high up to this, stable on every seed there ... */
export const MODERATE_LAMBDA = 5;
/** ... while the mem and earlystep triggers are stable on no seed at this lambda_high. */
export const HIGH_LAMBDA = 10;
const percent = (x: number) => `${Math.round(100 * x)}%`;

interface ScheduleCell {
  trigger: ScheduleTrigger;
  lambdaHigh: number;
  /** Per seed: saving (null when it never grokked), stable. */
  savings: (number | null)[];
  stable: boolean[];
  /** First checkpoint recorded with the raised weight decay (null: the trigger never fired, e.g. no sync). */
  firedAt: (number | null)[];
}

export const C08: Claim = {
  id: 'C08',
  name: 'fsd-schedule',
  statement: 'raising lambda at the FSD ceiling groks sooner than a fixed lambda and stays stable',
  paper: '36-43% fewer steps; fsd trigger 3/3 stable for lambda_high <= 5; mem and earlystep 0/3 at lambda_high = 10',
  band:
    `seed-mean saving in ${Math.round(100 * SAVING_BAND[0])}..${percent(SAVING_BAND[1])} for every lambda_high <= ${MODERATE_LAMBDA} with the fsd trigger, ` +
    `fsd stable on every seed there, mem and earlystep stable on none at ${HIGH_LAMBDA}`,
  direction: `the fsd trigger saves steps (> 0) and stays stable on every seed for lambda_high <= ${MODERATE_LAMBDA}`,
  experiments: ['schedule'],
  evaluate(ctx) {
    const s = ctx.profile.schedule;
    const constKeys = s.seeds.map((seed) => roleKey({ experiment: 'schedule', p: s.p, seed, lambdaHigh: null, trigger: null }));
    const cellKeys = s.triggers.flatMap((trigger) =>
      s.lambdaHighs.flatMap((lambdaHigh) => s.seeds.map((seed) => roleKey({ experiment: 'schedule', p: s.p, seed, lambdaHigh, trigger }))),
    );
    const keys = [...constKeys, ...cellKeys];
    const unavailable = ctx.notEvaluableFor(keys);
    if (unavailable) return unavailable;
    const g0 = constKeys.map((k) => ctx.events(k).grok);
    const missing = constKeys.filter((_, i) => g0[i] === null);
    if (missing.length) return notEvaluable(`constant-lambda run(s) never grokked: ${missing.join(', ')}`, ctx.ids(keys));

    const cells: ScheduleCell[] = [];
    for (const trigger of s.triggers)
      for (const lambdaHigh of s.lambdaHighs) {
        const cell: ScheduleCell = { trigger, lambdaHigh, savings: [], stable: [], firedAt: [] };
        s.seeds.forEach((seed, i) => {
          const key = roleKey({ experiment: 'schedule', p: s.p, seed, lambdaHigh, trigger });
          const ev = ctx.events(key);
          const run = ctx.run(key);
          cell.savings.push(ev.grok === null ? null : 1 - ev.grok / g0[i]!);
          cell.stable.push(ev.grok !== null && ev.destabilised === null && !ev.diverged);
          cell.firedAt.push(run.records.find((r) => r.weight_decay !== run.records[0].weight_decay)?.step ?? null);
        });
        cells.push(cell);
      }
    const cell = (t: ScheduleTrigger, l: number) => cells.find((c) => c.trigger === t && c.lambdaHigh === l);
    const n = s.seeds.length;
    const meanSaving = (c: ScheduleCell) => {
      const xs = c.savings.filter((x): x is number => x !== null);
      return xs.length === n ? xs.reduce((a, b) => a + b, 0) / n : null;
    };
    const moderate = s.lambdaHighs.filter((l) => l <= MODERATE_LAMBDA);
    const fsdModerate = moderate.map((l) => cell('fsd', l)).filter((c): c is ScheduleCell => c !== undefined);
    const fsdStable = fsdModerate.every((c) => c.stable.every(Boolean));
    const fsdSavings = fsdModerate.map(meanSaving);
    const savingsInBand = fsdSavings.every((x) => x !== null && x >= SAVING_BAND[0] && x <= SAVING_BAND[1]);
    const savingsPositive = fsdSavings.every((x) => x !== null && x > 0);
    const others = (['mem', 'earlystep'] as const).map((t) => cell(t, HIGH_LAMBDA)).filter((c): c is ScheduleCell => c !== undefined);
    const othersUnstable = others.length > 0 && others.every((c) => c.stable.every((x) => !x));
    const pct = (x: number | null) => (x === null ? 'n/a' : percent(x));
    const stableCount = (c: ScheduleCell | undefined) => (c ? `${c.stable.filter(Boolean).length}/${n}` : 'n/a');
    // The fsd trigger can only save steps if FSD syncs before the constant-lambda run groks (C01's question).
    const fsdCells = cells.filter((c) => c.trigger === 'fsd');
    const late = fsdCells.flatMap((c) => c.firedAt.map((f, i) => f === null || f >= g0[i]!)).filter(Boolean).length;
    const fsdRuns = fsdCells.reduce((k, c) => k + c.firedAt.length, 0);
    const caveat =
      late > 0
        ? `the fsd trigger fired only after the constant-lambda run had grokked, or never, in ${late} of ${fsdRuns} fsd-trigger runs: these seeds' FSD does not sync before grokking (see C01), so this verdict follows from C01's; the mem and earlystep rows of the table show what raising lambda early saves`
        : undefined;
    const table = {
      title: `Saving (1 - G / G0) and stability per trigger and lambda_high (${n} seeds each; G0 = ${g0.join(', ')})`,
      columns: ['trigger', 'lambda_high', 'mean saving', 'savings per seed', 'stable', 'fired at'],
      rows: cells.map((c) => [
        c.trigger,
        c.lambdaHigh,
        pct(meanSaving(c)),
        c.savings.map(pct).join(', '),
        `${c.stable.filter(Boolean).length}/${n}`,
        c.firedAt.map((f) => (f === null ? 'never' : String(f))).join(', '),
      ]),
    };
    return {
      caveat,
      tables: [table],
      headline: { fsd_mean_savings: fsdSavings.map((x) => (x === null ? null : Number(x.toFixed(4)))), fsd_late: late, of: fsdRuns },
      verdict: verdict({ reproduced: savingsInBand && fsdStable && othersUnstable, direction: savingsPositive && fsdStable }),
      reason:
        `fsd trigger saving ${fsdModerate.map((c, i) => `${pct(fsdSavings[i])} at ${c.lambdaHigh}`).join(', ')}` +
        ` (band ${pct(SAVING_BAND[0])}..${pct(SAVING_BAND[1])}); fsd trigger stable ${fsdModerate.map(stableCount).join(', ')}` +
        `; at lambda_high ${HIGH_LAMBDA}: mem stable ${stableCount(cell('mem', HIGH_LAMBDA))}, earlystep stable ${stableCount(cell('earlystep', HIGH_LAMBDA))}`,
      figure:
        `${fsdSavings.map(pct).join(' / ')} fewer steps (fsd trigger, lambda_high ${moderate.join('/')}); ` +
        `fsd ${stableCount(cell('fsd', moderate.at(-1) ?? 0))} stable; mem ${stableCount(cell('mem', HIGH_LAMBDA))} and earlystep ${stableCount(cell('earlystep', HIGH_LAMBDA))} stable at ${HIGH_LAMBDA}`,
      data: {
        constant_grok: g0,
        cells: cells.map((c) => ({ trigger: c.trigger, lambda_high: c.lambdaHigh, savings: c.savings, stable: c.stable, fired_at: c.firedAt, mean_saving: meanSaving(c) })),
      },
      runIds: ctx.ids(keys),
      notes: [
        ...cells.flatMap((c) => c.firedAt.map((f, i) => triggerNote(c, s.seeds[i], f, g0[i]!)).filter((x): x is string => x !== null)),
        ...ctx.eventNotes(keys),
      ],
    };
  },
};

/**
 * Why a schedule run could not save steps: its trigger never fired (e.g. FSD never synced), or fired only at or
 * after the constant-lambda run of the same seed had grokked (e.g. FSD synced after grokking).
 */
function triggerNote(cell: ScheduleCell, seed: number, firedAt: number | null, constantGrok: number): string | null {
  const label = `${cell.trigger} -> ${cell.lambdaHigh}, seed ${seed}`;
  if (firedAt === null) return `${label}: the trigger never fired`;
  if (firedAt >= constantGrok) return `${label}: the trigger fired at ${firedAt}, after the constant-lambda run grokked (${constantGrok})`;
  return null;
}
