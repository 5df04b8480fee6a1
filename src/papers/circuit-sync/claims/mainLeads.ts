/**
 * What C01-C04 share: the leads of the main configurations (claims.md "main"). Lead = grokking step - sync
 * step (metrics.md). A run that groks without ever syncing has a censored lead: FSD had not reached the
 * threshold by the run's last checkpoint, so its lead is below grok - last step (its bound). It counts as FSD
 * not leading in the sign tests; C03 reports means both without it and with it at its bound.
 */
import { signed, type ClaimTable } from '../../../paper/claim.js';
import { oneSidedSignTest } from '../../../stats/signTest.js';
import type { ClaimContext } from '../claimContext.js';
import { mainKey, roleKey } from '../roles.js';
import { atResolution, fsdSeries } from '../runEvents.js';

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
  /** Last checkpoint read. */
  lastStep: number;
  /** For a run that never synced: grok - lastStep, the largest lead consistent with it (null when it synced). */
  bound: number | null;
  baselines: FsdBaselines;
}

/**
 * The reference levels beside a run's FSD (metrics.md "Permutation test": report the null's mean and 95th
 * percentile next to every FSD a claim uses): FSD at initialisation and at grokking, in the series the options
 * choose, and the permutation null at step 0 and at the last tested checkpoint at or before grokking.
 */
export interface FsdBaselines {
  fsdAtInit: number | null;
  fsdAtGrok: number | null;
  fsdMax: number | null;
  nullAtInit: { mean: number; q95: number } | null;
  nullAtGrok: { step: number; mean: number; q95: number } | null;
}

function fsdBaselines(ctx: ClaimContext, key: string, grok: number): FsdBaselines {
  const run = ctx.run(key);
  const records = atResolution(run.records, ctx.options, ctx.profile.coarseStep);
  const series = fsdSeries(records, run.config, ctx.options).fsd;
  const at = (step: number) => {
    const i = records.findIndex((r) => r.step === step);
    return i < 0 ? null : series[i];
  };
  const finite = series.filter((x): x is number => x !== null && Number.isFinite(x));
  const tested = run.records.filter((r) => r.permutation !== null && r.step <= grok).at(-1);
  const init = run.records.find((r) => r.step === 0)?.permutation ?? null;
  return {
    fsdAtInit: at(0),
    fsdAtGrok: at(grok),
    fsdMax: finite.length ? Math.max(...finite) : null,
    nullAtInit: init ? { mean: init.null_mean, q95: init.null_q95 } : null,
    nullAtGrok: tested?.permutation ? { step: tested.step, mean: tested.permutation.null_mean, q95: tested.permutation.null_q95 } : null,
  };
}

/**
 * The configurations C01-C04 read (options `main.configurations`): the paper's 9 main runs, or every seed of
 * every prime of the replicates experiment (those 9 among them); null when the profile has no replicates.
 */
export function mainConfigurations(ctx: ClaimContext): { key: string; p: number; seed: number }[] | null {
  if (ctx.options.configurations === 'paper') return ctx.profile.main.runs.map((r) => ({ key: mainKey(r.p, r.seed), ...r }));
  const rep = ctx.profile.replicates;
  if (!rep) return null;
  return rep.primes.flatMap((p) => rep.seeds.map((seed) => ({ key: roleKey({ experiment: 'replicates', p, seed }), p, seed })));
}

/** The main configurations' leads, or why they cannot be read (missing, failed, diverged, never grokked). */
export function mainLeads(ctx: ClaimContext): { leads: MainLead[]; keys: string[] } | { problem: string; keys: string[] } {
  const configurations = mainConfigurations(ctx);
  if (!configurations) return { problem: `profile ${ctx.profile.name} has no replicates experiment`, keys: [] };
  const keys = configurations.map((c) => c.key);
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
    const { p, seed } = configurations[i];
    leads.push({
      key,
      p,
      seed,
      sync: ev.sync,
      grok: ev.grok,
      baselineSync: ev.baselineSync,
      lead: ev.lead,
      leads: ev.lead !== null && ev.lead > 0,
      lastStep: ev.lastStep,
      bound: ev.sync === null ? ev.grok - ev.lastStep : null,
      baselines: fsdBaselines(ctx, key, ev.grok),
    });
  }
  if (problems.length) return { problem: problems.join('; '), keys };
  return { leads, keys };
}

export function leadTable(leads: MainLead[]) {
  return leads.map((l) => ({
    run: l.key,
    sync: l.sync,
    grok: l.grok,
    lead: l.lead,
    lead_bound: l.bound,
    baseline_sync: l.baselineSync,
    fsd_at_init: l.baselines.fsdAtInit,
    fsd_at_grok: l.baselines.fsdAtGrok,
    fsd_max: l.baselines.fsdMax,
    null_mean_at_init: l.baselines.nullAtInit?.mean ?? null,
    null_q95_at_init: l.baselines.nullAtInit?.q95 ?? null,
    null_step: l.baselines.nullAtGrok?.step ?? null,
    null_mean: l.baselines.nullAtGrok?.mean ?? null,
    null_q95: l.baselines.nullAtGrok?.q95 ?? null,
  }));
}

/** The paper's plots show FSD near this at grokking (figure 1; the reading of them). */
export const PAPER_FSD_AT_GROK = 0.97;

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? null : Number(x.toFixed(3)));

/** FSD beside its reference levels, one row per main configuration (the report's table under C01). */
export function baselinesTable(leads: MainLead[]): ClaimTable {
  return {
    title: `FSD beside its baselines (the paper's plots show ~${PAPER_FSD_AT_GROK} at grokking)`,
    columns: ['run', 'FSD at step 0', 'null mean / q95 at step 0', 'sync', 'grok', 'FSD at grok', 'null mean / q95 (step)', 'max FSD'],
    rows: leads.map((l) => {
      const b = l.baselines;
      return [
        l.key,
        f3(b.fsdAtInit),
        b.nullAtInit ? `${f3(b.nullAtInit.mean)} / ${f3(b.nullAtInit.q95)}` : null,
        l.sync === null ? 'never' : l.sync,
        l.grok,
        f3(b.fsdAtGrok),
        b.nullAtGrok ? `${f3(b.nullAtGrok.mean)} / ${f3(b.nullAtGrok.q95)} (${b.nullAtGrok.step})` : null,
        f3(b.fsdMax),
      ];
    }),
  };
}

/** The range of FSD at grokking over the leads, e.g. `0.48..0.77`. */
export function fsdAtGrokRange(leads: MainLead[]): string {
  const xs = leads.map((l) => l.baselines.fsdAtGrok).filter((x): x is number => x !== null);
  return xs.length ? `${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)}` : 'n/a';
}

/** `+a..+b` over the values, `none` for none. */
export function range(values: number[]): string {
  if (values.length === 0) return 'none';
  return `${signed(Math.min(...values))}..${signed(Math.max(...values))}`;
}

/** "More than half": the `direction only` criterion of the all-configurations claims. */
export const isMajority = (k: number, n: number) => 2 * k > n;

/** The level of the one-sided sign tests that decide a direction under `verdict.rule=tested` (issue 27). */
export const ALPHA = 0.05;

/**
 * Counts for and against a direction, tested both ways: `p` for the direction (at least `for` of `for + against`
 * by chance), `pOpposite` for the opposite. Ties are left out by the caller (metrics.md "Statistics").
 */
export interface DirectionTest {
  for: number;
  against: number;
  p: number;
  pOpposite: number;
  supported: boolean;
  opposite: boolean;
}

export function directionTest(forCount: number, againstCount: number): DirectionTest {
  const n = forCount + againstCount;
  const p = oneSidedSignTest(forCount, n), pOpposite = oneSidedSignTest(againstCount, n);
  return { for: forCount, against: againstCount, p, pOpposite, supported: p <= ALPHA, opposite: pOpposite <= ALPHA };
}

/**
 * The leads tested as C01 and C02 read them: a positive lead for the claim, a negative one or a configuration that
 * never synced (FSD lagging at least to the end of the run) against it, a zero lead a tie (left out).
 */
export function leadDirection(leads: readonly MainLead[]): DirectionTest {
  return directionTest(leads.filter((l) => l.lead !== null && l.lead > 0).length, leads.filter((l) => l.lead === null || l.lead < 0).length);
}

/** The test in words: `one-sided sign test (ties dropped): 4 for, 5 against, p = 0.746; the opposite p = 0.500`. */
export function directionWords(t: DirectionTest, what: string): string {
  const verdictWord = t.supported ? `supports ${what}` : t.opposite ? `supports the opposite` : `supports neither ${what} nor the opposite`;
  return `one-sided sign test at ${ALPHA} (${t.for} for, ${t.against} against, ties dropped): p = ${t.p.toPrecision(3)}, the opposite p = ${t.pOpposite.toPrecision(3)}: it ${verdictWord}`;
}
