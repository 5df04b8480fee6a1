/**
 * One writer per run (shared/spec/design.md, "Runs": two processes never write the same run).
 *
 * The lock is a file created with O_CREAT|O_EXCL ('wx'), so exactly one of several racing processes creates
 * it; it holds {pid, hostname, started, token}. A lock whose pid is no longer alive on this host is stale: the
 * next writer takes it over and says so. Removing a stale file is the one step O_EXCL cannot make atomic (a
 * racer could remove the lock that a faster racer has just created in its place), so it is serialised by a
 * second O_EXCL file, `<lock>.takeover`, held only for the moment of the removal: its holder re-reads the lock,
 * removes it only if it is still the stale one, and releases the takeover file. Release removes the lock only
 * if it still carries our token. Locks held on another host cannot be checked and are never taken over.
 * Residual risk: a process killed while holding the takeover file (a few microseconds) leaves it stale; it is
 * then removed by a compare-after-rename that two simultaneous takers could still race on.
 *
 * The core functions have no process-wide side effects; installLockReleaseHandlers is the opt-in helper that
 * releases on exit, SIGINT and SIGTERM.
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';
import { fsyncDir, writeFully } from './atomic.js';
import { onEndingSignal } from './signals.js';

export const LockInfoSchema = z
  .object({
    pid: z.number().int().positive(),
    hostname: z.string(),
    /** ISO 8601 time the lock was taken. */
    started: z.string(),
    /** Random, distinguishes this holder from a later one with a recycled pid. */
    token: z.string(),
  })
  .strict();
export type LockInfo = z.infer<typeof LockInfoSchema>;

export class LockError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'LockError';
  }
}

/** The lock is held by a live process (or by one on another host, whose liveness cannot be checked). */
export class LockHeldError extends LockError {
  constructor(
    path: string,
    readonly holder: LockInfo,
    sameHost: boolean,
  ) {
    super(
      path,
      sameHost
        ? `locked by live process pid ${holder.pid} (since ${holder.started}): another process is writing this run`
        : `locked by pid ${holder.pid} on host ${holder.hostname} (since ${holder.started}); its liveness cannot be checked ` +
            'from here: delete the lock file only if you know that process is gone',
    );
    this.name = 'LockHeldError';
  }
}

/** Whether `pid` names a live process on this host (signal 0 probes without signalling; EPERM: alive, not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface AcquireLockOptions {
  /** Defaults: this process, os.hostname(), the clock, isProcessAlive. Injectable for tests. */
  pid?: number;
  hostname?: string;
  now?: () => Date;
  isAlive?: (pid: number) => boolean;
  /**
   * A lock file that cannot be parsed is normally a holder that was killed between creating and writing it,
   * but for a moment it is also a holder that is still writing it; it is treated as stale once older than
   * this (default 10 s).
   */
  unreadableGraceMs?: number;
  /** How long to wait for another process to finish writing a new lock or taking over a stale one (default 5 s). */
  takeoverWaitMs?: number;
}

export interface LockHandle {
  readonly path: string;
  readonly info: LockInfo;
  /** The stale holder this lock was taken over from, or null. */
  readonly takenOverFrom: LockInfo | { unreadable: string } | null;
  /** A sentence to show the user when the lock was taken over, else null. */
  readonly notice: string | null;
  readonly released: boolean;
  /** Removes the lock file if it is still ours; true if it removed it. Idempotent. */
  release(): boolean;
}

type LockFileContents =
  | { kind: 'absent' }
  | { kind: 'held'; bytes: Buffer; info: LockInfo }
  | { kind: 'unreadable'; bytes: Buffer; problem: string; ageMs: number };

function readLockFile(path: string, now: Date): LockFileContents {
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    bytes = readFileSync(path);
    mtimeMs = statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'unreadable', bytes, problem: bytes.length === 0 ? 'empty' : 'not valid JSON', ageMs: now.getTime() - mtimeMs };
  }
  const parsed = LockInfoSchema.safeParse(json);
  if (!parsed.success) return { kind: 'unreadable', bytes, problem: 'not a lock record', ageMs: now.getTime() - mtimeMs };
  return { kind: 'held', bytes, info: parsed.data };
}

/**
 * Removes `path` only if it still holds exactly `expected`: renames it aside (atomic), compares, and puts it
 * back with link(2), which never overwrites, if it had changed. Used only for stale takeover files.
 */
function removeIfUnchanged(path: string, expected: Buffer): boolean {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (readFileSync(aside).equals(expected)) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // A newer file took its place; ours was a takeover file whose holder will find it gone and retry.
  }
  unlinkSync(aside);
  return false;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

type Judgement =
  | { kind: 'absent' }
  | { kind: 'live'; holder: LockInfo; sameHost: boolean }
  | { kind: 'unsettled'; problem: string; ageMs: number }
  | { kind: 'stale'; bytes: Buffer; holder: LockInfo | { unreadable: string } };

function judge(contents: LockFileContents, host: string, isAlive: (pid: number) => boolean, graceMs: number): Judgement {
  if (contents.kind === 'absent') return { kind: 'absent' };
  if (contents.kind === 'unreadable')
    return contents.ageMs < graceMs
      ? { kind: 'unsettled', problem: contents.problem, ageMs: contents.ageMs }
      : { kind: 'stale', bytes: contents.bytes, holder: { unreadable: contents.problem } };
  const holder = contents.info;
  if (holder.hostname !== host) return { kind: 'live', holder, sameHost: false };
  if (isAlive(holder.pid)) return { kind: 'live', holder, sameHost: true };
  return { kind: 'stale', bytes: contents.bytes, holder };
}

/** Tries to take `<lock>.takeover`; clears it when its holder is gone. */
function tryTakeoverFile(path: string, info: LockInfo, host: string, isAlive: (pid: number) => boolean, graceMs: number): boolean {
  if (createLockFile(path, info)) return true;
  const contents = readLockFile(path, new Date());
  const verdict = judge(contents, host, isAlive, graceMs);
  // Another host's takeover file cannot be checked by pid; it is held for microseconds, so age decides.
  const otherHostExpired = verdict.kind === 'live' && !verdict.sameHost && contents.kind === 'held' && statAgeMs(path) > graceMs;
  if ((verdict.kind === 'stale' || otherHostExpired) && contents.kind !== 'absent') removeIfUnchanged(path, contents.bytes);
  return false;
}

function statAgeMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function createLockFile(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeFully(fd, Buffer.from(`${JSON.stringify(info)}\n`, 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(dirname(path));
  return true;
}

function describeHolder(holder: LockInfo | { unreadable: string }): string {
  return 'pid' in holder ? `pid ${holder.pid} on ${holder.hostname}, since ${holder.started}` : `unreadable lock file (${holder.unreadable})`;
}

/**
 * Takes the lock at `path` or throws: LockHeldError when a live process (or one on another host) holds it,
 * LockError when the file stays unreadable within its grace period or another process's takeover of a stale
 * lock does not finish in time.
 */
export function acquireLock(path: string, options: AcquireLockOptions = {}): LockHandle {
  const now = options.now ?? (() => new Date());
  const isAlive = options.isAlive ?? isProcessAlive;
  const host = options.hostname ?? osHostname();
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    hostname: host,
    started: now().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const grace = options.unreadableGraceMs ?? 10_000;
  const deadline = Date.now() + (options.takeoverWaitMs ?? 5_000);
  const takeoverPath = `${path}.takeover`;
  let takenOverFrom: LockHandle['takenOverFrom'] = null;

  for (;;) {
    if (createLockFile(path, info)) return makeHandle(path, info, takenOverFrom);
    const verdict = judge(readLockFile(path, now()), host, isAlive, grace);
    if (verdict.kind === 'absent') continue;
    if (verdict.kind === 'live') throw new LockHeldError(path, verdict.holder, verdict.sameHost);
    if (verdict.kind === 'unsettled') {
      // Most likely a racer between its O_EXCL create and its write: wait for the content.
      if (Date.now() > deadline)
        throw new LockError(
          path,
          `lock file is ${verdict.problem} and only ${Math.round(verdict.ageMs)} ms old: another process may be creating it; retry shortly`,
        );
      sleepSync(2);
      continue;
    }
    if (!tryTakeoverFile(takeoverPath, info, host, isAlive, grace)) {
      if (Date.now() > deadline)
        throw new LockError(path, `another process has been taking over this stale lock for too long (see ${takeoverPath})`);
      sleepSync(2);
      continue;
    }
    try {
      // Under the takeover file no one else removes the lock, so if it is still the stale one, it stays so.
      const current = readLockFile(path, now());
      if (current.kind !== 'absent' && current.bytes.equals(verdict.bytes)) {
        unlinkSync(path);
        takenOverFrom = verdict.holder;
      }
    } finally {
      rmSync(takeoverPath, { force: true });
    }
  }
}

function makeHandle(path: string, info: LockInfo, takenOverFrom: LockHandle['takenOverFrom']): LockHandle {
  let released = false;
  return {
    path,
    info,
    takenOverFrom,
    notice: takenOverFrom ? `${path}: took over a stale lock (${describeHolder(takenOverFrom)}; that process is gone)` : null,
    get released() {
      return released;
    },
    release(): boolean {
      if (released) return false;
      released = true;
      const current = readLockFile(path, new Date());
      if (current.kind !== 'held' || current.info.token !== info.token) return false;
      // The lock is ours: no one else removes or replaces a lock whose holder is alive.
      unlinkSync(path);
      fsyncDir(dirname(path));
      return true;
    },
  };
}

export type LockInspection =
  | { state: 'free' }
  | { state: 'held'; holder: LockInfo; /** null: held on another host, cannot tell. */ alive: boolean | null }
  | { state: 'unreadable'; problem: string };

/** Who holds the lock at `path`, without touching it (for listings). */
export function inspectLock(path: string, isAlive: (pid: number) => boolean = isProcessAlive): LockInspection {
  const contents = readLockFile(path, new Date());
  if (contents.kind === 'absent') return { state: 'free' };
  if (contents.kind === 'unreadable') return { state: 'unreadable', problem: contents.problem };
  const alive = contents.info.hostname === osHostname() ? isAlive(contents.info.pid) : null;
  return { state: 'held', holder: contents.info, alive };
}

const RELEASE_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Releases `lock` when the process exits or receives SIGINT/SIGTERM/SIGHUP. After releasing on a signal, if
 * no other listener handles that signal, the signal is raised again so the process still dies of it (exit
 * status 128 + n, as without the handler). Returns a function that removes the handlers.
 */
export function installLockReleaseHandlers(
  lock: Pick<LockHandle, 'release'>,
  target: NodeJS.Process = process,
  /** Called first on SIGINT, SIGTERM or SIGHUP (e.g. to say where the work stopped). */
  onSignal?: (signal: NodeJS.Signals) => void,
): () => void {
  return onEndingSignal(
    RELEASE_SIGNALS,
    {
      onSignal: (signal) => {
        onSignal?.(signal);
        lock.release();
      },
      onExit: () => void lock.release(),
    },
    target,
  );
}
