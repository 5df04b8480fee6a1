/** Terminal progress for training: a bar with step, steps/s, ETA, train/val accuracy and FSD (cli-progress). */
import cliProgress from 'cli-progress';
import type { ProgressSink } from '../train/loop.js';
import type { CheckpointRecord } from '../schema/record.js';

function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || !Number.isFinite(x) ? '  -  ' : x.toFixed(digits);
}

export interface BarProgress extends ProgressSink {
  stop(): void;
}

/** A progress bar on stderr; when stderr is not a terminal, one line per checkpoint instead. */
export function barProgress(label: string, options: { everyCheckpoint?: boolean } = {}): BarProgress {
  const interactive = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let last: CheckpointRecord | undefined;
  let started = 0;
  let startStep = 0;
  let lastRedraw = 0;
  const payload = () => ({
    label,
    rate: started && bar ? fmt((bar.getProgress() * bar.getTotal() - startStep) / ((Date.now() - started) / 1000), 0) : '-',
    train: fmt(last?.train_acc),
    val: fmt(last?.val_acc),
    fsd: fmt(last?.fsd),
  });
  return {
    step(step, maxSteps) {
      if (!interactive) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            format: '{label} |{bar}| step {value}/{total} | {rate} steps/s | ETA {eta_formatted} | train {train} val {val} FSD {fsd}',
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 200,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        started = Date.now();
        startStep = step - 1;
        bar.start(maxSteps, step, payload());
      }
      const now = Date.now();
      if (now - lastRedraw > 200) {
        bar.update(step, payload());
        lastRedraw = now;
      }
    },
    checkpoint(record) {
      last = record;
      if (interactive) bar?.update(record.step, payload());
      else if (options.everyCheckpoint !== false && record.step % 500 === 0)
        process.stderr.write(
          `${label} step ${record.step}: train acc ${fmt(record.train_acc)} val acc ${fmt(record.val_acc)} FSD ${fmt(record.fsd)} norm ${fmt(record.norm, 1)}\n`,
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
