/**
 * Terminal progress for training one run (`grokcheck train`, `fork`): a bar of the step out of the run's expected
 * stop (grok + N once it has grokked, else the cost model's expectation; never just the step cap), steps/s, an
 * ETA at the rate so far, and the last checkpoint's train/val accuracy and the paper's progress figures
 * (CheckpointMeasures.figures; circuit-sync's FSD) (cli-progress). When stderr is not a terminal, one line every
 * 500 steps instead.
 */
import cliProgress from 'cli-progress';
import type { CoreRecord } from '../schema/record.js';
import type { RunConfig } from '../schema/runConfig.js';
import type { ProgressSink } from '../train/loop.js';
import type { TrajectoryFigure } from '../train/measures.js';
import { expectedLength } from '../verify/costModel.js';
import { formatDuration } from './verifyProgress.js';

function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || !Number.isFinite(x) ? '  -  ' : x.toFixed(digits);
}

export interface BarProgress extends ProgressSink {
  stop(): void;
}

/** A progress bar on stderr; when stderr is not a terminal, one line every 500 steps instead. */
export function barProgress(label: string, config: RunConfig, figures: readonly TrajectoryFigure[]): BarProgress {
  const shown = figures.filter((f) => f.progress);
  const figureText = (r: CoreRecord | undefined) => shown.map((f) => ` ${f.header} ${fmt(r ? (f.value(r) ?? undefined) : undefined)}`).join('');
  const interactive = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  const records: CoreRecord[] = [];
  let since: { step: number; at: number } | null = null;
  let lastRedraw = 0;
  const payload = (step: number, stop: number) => {
    const rate = since ? (step - since.step) / Math.max(1e-3, (Date.now() - since.at) / 1000) : 0;
    const last = records.at(-1);
    return {
      label,
      rate: rate > 0 ? rate.toFixed(0) : '-',
      // Not `eta`: cli-progress fills its own {eta} token (bare seconds) before the payload's.
      remaining: formatDuration(rate > 0 ? (stop - step) / rate : NaN),
      stop,
      train: fmt(last?.train_acc),
      val: fmt(last?.val_acc),
      figures: figureText(last),
    };
  };
  return {
    step(step) {
      if (!interactive) return;
      since ??= { step, at: Date.now() };
      const stop = Math.max(expectedLength(config, records).stop, step);
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            format: '{label} |{bar}| step {value}/{stop} | {rate} steps/s | ETA {remaining} | train {train} val {val}{figures}',
            stream: process.stderr,
            hideCursor: true,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(stop, step, payload(step, stop));
      }
      const now = Date.now();
      if (now - lastRedraw > 200) {
        bar.setTotal(stop);
        bar.update(step, payload(step, stop));
        lastRedraw = now;
      }
    },
    checkpoint(record) {
      records.push(record);
      if (!interactive && record.step % 500 === 0)
        process.stderr.write(
          `${label} step ${record.step}: train acc ${fmt(record.train_acc)} val acc ${fmt(record.val_acc)}${figureText(record)} norm ${fmt(record.norm, 1)}\n`,
        );
    },
    notice(message) {
      if (bar) process.stderr.write('\n');
      process.stderr.write(`${label}: ${message}\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** For --quiet: no bar, but what the user must know (resumed, stale lock taken over, data repaired) is still said. */
export function noticesOnly(label: string): BarProgress {
  return {
    step() {},
    checkpoint() {},
    notice(message) {
      process.stderr.write(`${label}: ${message}\n`);
    },
    stop() {},
  };
}
