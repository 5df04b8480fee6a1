/**
 * One progress display for `grokcheck verify`: a bar over the whole profile (runs complete of the total,
 * elapsed time, an ETA from the cost model, src/verify/costModel.ts) and a line for every job with the run it
 * is training and its step out of the run's expected stop (grok + N once known, not the step cap). Worker
 * processes (`--jobs`) are followed through the run store once a second: which run each worker holds the lock
 * of, and the step its status says. Without a terminal, one line per finished run with the overall count.
 */
import cliProgress from 'cli-progress';
import { inspectLock } from '../runs/lock.js';
import type { CoreRecord } from '../schema/record.js';
import { runIdOf, type RunConfig } from '../schema/runConfig.js';
import { openStore, summarizeRunConfig, type ProgressSink } from '../train/loop.js';
import { expectedLength, type GrokHistory } from '../verify/costModel.js';
import type { CommittedRuns, PlanRow } from '../verify/plan.js';

/** `1h02m`, `4m05s`, `12s`; `-` when unknown (never "NaN" or "9m60s"). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

export interface VerifyProgressOptions {
  /** The plan (verify/plan.ts): every run of the profile, complete or not, waiting forks included. */
  plan: PlanRow[];
  jobs: number;
  storeRoot: string;
  /** Worker process ids (their runs are followed through the store). */
  workerPids: () => Set<number>;
  history: GrokHistory;
  /** The profile's committed records (a run's grokking step there is its expected one here). */
  committed?: CommittedRuns;
  interactive?: boolean;
}

const LABEL = 30;
const label = (text: string) => text.padEnd(LABEL).slice(0, LABEL);

export class VerifyProgress {
  private readonly interactive: boolean;
  private readonly multi?: cliProgress.MultiBar;
  private readonly overall?: cliProgress.SingleBar;
  private readonly jobBars: cliProgress.SingleBar[] = [];
  private readonly started = Date.now();
  private readonly timer?: NodeJS.Timeout;
  private readonly planned = new Map<string, PlanRow>();
  private complete = new Set<string>();

  constructor(private readonly options: VerifyProgressOptions) {
    this.interactive = options.interactive ?? process.stderr.isTTY === true;
    for (const row of options.plan) if (row.id) this.planned.set(row.id, row);
    this.scanComplete();
    if (!this.interactive) return;
    this.multi = new cliProgress.MultiBar(
      { stream: process.stderr, hideCursor: true, fps: 4, clearOnComplete: false, format: '{label} |{bar}| {detail}' },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multi.create(this.total, this.doneCount(), { label: label('profile'), detail: this.overallDetail() });
    for (let j = 0; j < options.jobs; j++) this.jobBars.push(this.multi.create(1, 0, { label: label(`job ${j + 1}`), detail: 'starting' }));
    this.timer = setInterval(() => this.refresh(), 1000);
    this.timer.unref();
  }

  private get total(): number {
    return this.options.plan.length;
  }

  /** Complete runs of the store (the store of one profile; a run playing two roles counts once per row). */
  private scanComplete(): void {
    const store = openStore(this.options.storeRoot);
    const complete = new Set<string>();
    for (const id of store.ids())
      try {
        if (store.readStatus(id)?.state === 'complete') complete.add(id);
      } catch {
        // Being written: the next scan reads it.
      }
    this.complete = complete;
  }

  /** Rows done: planned rows whose run is complete, and as many waiting forks as complete runs the plan did not know. */
  private doneCount(): number {
    const plannedDone = this.options.plan.filter((r) => r.id && this.complete.has(r.id)).length;
    const unplannedDone = [...this.complete].filter((id) => !this.planned.has(id)).length;
    const waiting = this.options.plan.filter((r) => !r.id).length;
    return plannedDone + Math.min(waiting, unplannedDone);
  }

  /** The cost model's seconds still to train, shared among the jobs. */
  private remainingSeconds(): number {
    const waiting = this.options.plan.filter((r) => !r.id);
    const waitingDone = Math.min(waiting.length, [...this.complete].filter((id) => !this.planned.has(id)).length);
    let left = 0;
    for (const r of this.options.plan) if (r.id && !this.complete.has(r.id)) left += r.estimated_s;
    for (const r of waiting.slice(waitingDone)) left += r.estimated_s;
    return left / Math.max(1, this.options.jobs);
  }

  private overallDetail(): string {
    return `${this.doneCount()}/${this.total} runs | elapsed ${formatDuration((Date.now() - this.started) / 1000)} | ETA ${formatDuration(this.remainingSeconds())}`;
  }

  /** The expected stop of run `id` (its committed records, where they hold it, give its grokking step). */
  private stopOf(id: string, config: RunConfig, records: readonly CoreRecord[]): number {
    return expectedLength(config, records, this.options.history, this.options.committed?.get(id)?.records).stop;
  }

  /**
   * The sink of a run this process trains (job 1): step out of the expected stop, and its ETA at its rate so far.
   * Runs trained together (a lockstep group) share job 1's line: how many, the slowest one's step and the
   * longest ETA.
   */
  sink(key: string, config: RunConfig): ProgressSink & { stop(): void } {
    const bar = this.jobBars[0];
    const records: CoreRecord[] = [];
    const me = { key, step: 0, stop: 1, eta: Number.NaN };
    const id = runIdOf(config);
    this.here.add(me);
    let since: { step: number; at: number } | null = null;
    let lastDraw = 0;
    let checkpointsSeen = 0;
    const planned = this.planned.get(id);
    return {
      step: (step) => {
        since ??= { step: step - 1, at: Date.now() };
        const now = Date.now();
        if (!bar || now - lastDraw < 250) return;
        lastDraw = now;
        Object.assign(me, { step, stop: Math.max(this.stopOf(id, config, records), step) });
        // The plan's price until two checkpoints have been timed here (the rate of steps alone leaves out the
        // checkpoints, which cost more than the steps between them on the paper model), then the rate seen.
        const left = me.stop - step;
        const planLeft = planned && planned.estimated_s > 0 && me.stop > since.step ? (planned.estimated_s * left) / (me.stop - since.step) : Number.NaN;
        const rate = (step - since.step) / Math.max(1e-3, (now - since.at) / 1000);
        me.eta = checkpointsSeen < 2 && Number.isFinite(planLeft) ? planLeft : rate > 0 ? left / rate : Number.NaN;
        this.drawHere(bar);
      },
      checkpoint: (record) => {
        records.push(record);
        checkpointsSeen++;
      },
      notice: (message) => this.log(`${key}: ${message}`),
      stop: () => {
        this.here.delete(me);
        if (bar) this.drawHere(bar);
      },
    };
  }

  private readonly here = new Set<{ key: string; step: number; stop: number; eta: number }>();

  private drawHere(bar: cliProgress.SingleBar): void {
    const runs = [...this.here];
    if (runs.length === 0) return void bar.update(0, { label: label('job 1'), detail: 'between runs' });
    const slowest = runs.reduce((a, b) => (b.step / b.stop < a.step / a.stop ? b : a));
    const eta = Math.max(...runs.map((r) => (Number.isFinite(r.eta) ? r.eta : -1)));
    bar.setTotal(Math.max(slowest.stop, 1));
    const who = runs.length === 1 ? slowest.key : `${runs.length} runs in lockstep`;
    const detail = `${runs.length === 1 ? '' : `slowest ${slowest.key}: `}step ${slowest.step}/${slowest.stop} | ETA ${formatDuration(eta >= 0 ? eta : NaN)}`;
    bar.update(slowest.step, { label: label(who), detail });
  }

  /** A run finished in this process: count it now (workers' runs are counted by the store scan). */
  runFinished(id: string, line: string): void {
    this.complete.add(id);
    if (!this.interactive) process.stderr.write(`${line} [${this.overallDetail()}]\n`);
    else {
      this.multi?.log(`${line}\n`);
      this.overall?.update(this.doneCount(), { detail: this.overallDetail() });
    }
  }

  log(message: string): void {
    if (this.multi) this.multi.log(`${message}\n`);
    else process.stderr.write(`${message}\n`);
  }

  /** Once a second: complete runs, and the run each worker holds with its last checkpoint step. */
  private refresh(): void {
    this.scanComplete();
    this.overall?.update(this.doneCount(), { detail: this.overallDetail() });
    const pids = [...this.options.workerPids()];
    if (pids.length === 0) return;
    const store = openStore(this.options.storeRoot);
    const held = new Map<number, string>();
    for (const id of store.ids()) {
      if (this.complete.has(id)) continue;
      try {
        const lock = inspectLock(store.paths(id).lock);
        if (lock.state === 'held' && pids.includes(lock.holder.pid)) held.set(lock.holder.pid, id);
      } catch {
        // Being written.
      }
    }
    pids.forEach((pid, i) => {
      const bar = this.jobBars[i + 1];
      if (!bar) return;
      const id = held.get(pid);
      if (!id) return void bar.update(0, { label: label(`job ${i + 2}`), detail: 'between runs' });
      try {
        const config = store.readConfig(id).config;
        const step = store.readStatus(id)?.step ?? 0;
        const stop = Math.max(this.stopOf(id, config, []), step);
        bar.setTotal(Math.max(stop, 1));
        bar.update(step, { label: label(this.planned.get(id)?.key ?? summarizeRunConfig(config)), detail: `step ${step}/${stop} (job ${i + 2}, last checkpoint)` });
      } catch {
        // Being written.
      }
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.multi?.stop();
  }
}
