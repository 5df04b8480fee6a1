import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, inspectLock, installLockReleaseHandlers, LockError, LockHeldError, type LockInfo } from './lock.js';
import { spawnNode, transpileForChild } from './testing/childProcesses.js';
import { makeTempDir } from '../testing/tempDir.js';

let dir: string;
let lockPath: string;
beforeEach(() => {
  dir = makeTempDir('grokcheck-lock-');
  lockPath = join(dir, 'run.lock');
});

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A pid that surely names no live process: a child that has already exited and been reaped. */
function deadPid(): number {
  const pid = spawnSync('true').pid;
  if (!pid) throw new Error('could not spawn `true`');
  return pid;
}

function writeLock(info: Partial<LockInfo> & { pid: number }): void {
  const full: LockInfo = { hostname: hostname(), started: '2026-01-01T00:00:00.000Z', token: 'feedface', ...info };
  writeFileSync(lockPath, JSON.stringify(full));
}

describe('lock (one process)', () => {
  it('records pid, host and start time, refuses a second holder and releases only once', () => {
    const lock = acquireLock(lockPath);
    const onDisk = JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo;
    expect(onDisk).toEqual(lock.info);
    expect(onDisk).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Date.parse(onDisk.started)).not.toBeNaN();
    expect(lock.takenOverFrom).toBeNull();

    const error = thrownBy(() => acquireLock(lockPath));
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).holder.pid).toBe(process.pid);
    expect((error as Error).message).toContain(`live process pid ${process.pid}`);

    expect(lock.release()).toBe(true);
    expect(lock.released).toBe(true);
    expect(existsSync(lockPath)).toBe(false);
    expect(lock.release()).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over a lock whose pid is dead, and says so', () => {
    const pid = deadPid();
    writeLock({ pid });
    const lock = acquireLock(lockPath);
    expect(lock.takenOverFrom).toMatchObject({ pid });
    expect(lock.notice).toContain(`stale lock (pid ${pid}`);
    expect((JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo).token).toBe(lock.info.token);
    expect(readdirSync(dir)).toEqual(['run.lock']);
    lock.release();
  });

  it('refuses while the holder pid is alive and takes over once it has died', async () => {
    const sleeper = spawn('sleep', ['30']);
    const exited = new Promise((resolve) => sleeper.on('exit', resolve));
    try {
      writeLock({ pid: sleeper.pid! });
      const error = thrownBy(() => acquireLock(lockPath));
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as LockHeldError).holder.pid).toBe(sleeper.pid);
      expect((error as Error).message).toContain(`pid ${sleeper.pid}`);
      expect(inspectLock(lockPath)).toMatchObject({ state: 'held', alive: true, holder: { pid: sleeper.pid } });
    } finally {
      sleeper.kill('SIGKILL');
      await exited;
    }
    expect(inspectLock(lockPath)).toMatchObject({ state: 'held', alive: false });
    const lock = acquireLock(lockPath);
    expect(lock.takenOverFrom).toMatchObject({ pid: sleeper.pid });
    lock.release();
    expect(inspectLock(lockPath)).toEqual({ state: 'free' });
  });

  it('clears a takeover file left by a dead process, but waits for a live one', async () => {
    writeLock({ pid: deadPid() });
    const takeover = `${lockPath}.takeover`;
    writeFileSync(takeover, JSON.stringify({ pid: deadPid(), hostname: hostname(), started: 'x', token: 't' }));
    const lock = acquireLock(lockPath);
    expect(readdirSync(dir)).toEqual(['run.lock']);
    lock.release();

    const sleeper = spawn('sleep', ['30']);
    const exited = new Promise((resolve) => sleeper.on('exit', resolve));
    try {
      writeLock({ pid: deadPid() });
      writeFileSync(takeover, JSON.stringify({ pid: sleeper.pid, hostname: hostname(), started: 'x', token: 't' }));
      const error = thrownBy(() => acquireLock(lockPath, { takeoverWaitMs: 50 }));
      expect(error).toBeInstanceOf(LockError);
      expect((error as Error).message).toContain('taking over this stale lock');
    } finally {
      sleeper.kill('SIGKILL');
      await exited;
    }
  });

  it('never takes over a lock held on another host', () => {
    writeLock({ pid: deadPid(), hostname: 'elsewhere.example' });
    const error = thrownBy(() => acquireLock(lockPath));
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toMatch(/on host elsewhere\.example.*cannot be checked/);
    expect(inspectLock(lockPath)).toMatchObject({ state: 'held', alive: null });
  });

  it('waits out a fresh unreadable lock file but takes over an old one', () => {
    writeFileSync(lockPath, '');
    const started = Date.now();
    const error = thrownBy(() => acquireLock(lockPath, { takeoverWaitMs: 50 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(error).toBeInstanceOf(LockError);
    expect((error as Error).message).toMatch(/empty and only \d+ ms old.*retry/);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lockPath, minuteAgo, minuteAgo);
    const lock = acquireLock(lockPath);
    expect(lock.takenOverFrom).toEqual({ unreadable: 'empty' });
    lock.release();
  });

  it('does not remove a lock that is no longer its own', () => {
    const lock = acquireLock(lockPath);
    writeLock({ pid: process.pid, token: 'someone-else' });
    expect(lock.release()).toBe(false);
    expect(existsSync(lockPath)).toBe(true);
  });
});

describe('installLockReleaseHandlers', () => {
  function fakeProcess() {
    const emitter = new EventEmitter() as EventEmitter & { pid: number; kills: [number, string][]; kill: (pid: number, signal: string) => boolean };
    emitter.pid = 4242;
    emitter.kills = [];
    emitter.kill = (pid, signal) => {
      emitter.kills.push([pid, signal]);
      return true;
    };
    return emitter;
  }

  it('releases on a signal and re-raises it when nobody else handles it', () => {
    const target = fakeProcess();
    let releases = 0;
    installLockReleaseHandlers({ release: () => (releases++, true) }, target as unknown as NodeJS.Process);
    target.emit('SIGTERM', 'SIGTERM');
    expect(releases).toBe(1);
    expect(target.kills).toEqual([[4242, 'SIGTERM']]);
    expect(target.listenerCount('SIGINT') + target.listenerCount('exit')).toBe(0);
  });

  it('leaves termination to another listener, releases on exit, and can be uninstalled', () => {
    const target = fakeProcess();
    let releases = 0;
    target.on('SIGINT', () => {});
    const uninstall = installLockReleaseHandlers({ release: () => (releases++, true) }, target as unknown as NodeJS.Process);
    target.emit('SIGINT', 'SIGINT');
    expect(releases).toBe(1);
    expect(target.kills).toEqual([]);

    const other = fakeProcess();
    const uninstallOther = installLockReleaseHandlers({ release: () => (releases++, true) }, other as unknown as NodeJS.Process);
    other.emit('exit', 0);
    expect(releases).toBe(2);
    uninstallOther();
    uninstall();
    expect(other.listenerCount('exit') + other.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('lock (between processes)', () => {
  let childDir: string;
  let holderScript: string;

  beforeAll(() => {
    childDir = makeTempDir('grokcheck-lock-child-');
    const lockModule = transpileForChild('src/runs/lock.ts', childDir);
    holderScript = join(childDir, 'holder.mjs');
    // argv: lock path, start time (ms since the epoch). Waits until the start time (so racers collide), tries
    // once; on success installs the release handlers and holds the lock until signalled.
    writeFileSync(
      holderScript,
      `const { acquireLock, installLockReleaseHandlers } = await import(${JSON.stringify(lockModule)});
const [lockPath, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 2));
let lock;
try {
  lock = acquireLock(lockPath);
} catch (error) {
  console.log('REFUSED ' + error.name + ' ' + (error.holder ? error.holder.pid : ''));
  process.exit(3);
}
installLockReleaseHandlers(lock);
console.log('LOCKED ' + process.pid + (lock.notice ? ' TOOK_OVER' : ''));
setInterval(() => {}, 1000);
`,
    );
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`refuses other processes while a child holds it, naming its pid; the child releases on ${signal}`, async () => {
      const holder = spawnNode(holderScript, [lockPath, '0']);
      await holder.waitForLine(/^LOCKED/);

      const error = thrownBy(() => acquireLock(lockPath));
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as LockHeldError).holder.pid).toBe(holder.pid);
      expect((error as Error).message).toContain(`pid ${holder.pid}`);

      const rival = spawnNode(holderScript, [lockPath, '0']);
      expect(await rival.waitForLine(/^REFUSED/)).toBe(`REFUSED LockHeldError ${holder.pid}`);
      expect((await rival.exited).code).toBe(3);

      holder.process.kill(signal);
      // The handler released the lock, then re-raised the signal, so the child still dies of it.
      expect(await holder.exited).toEqual({ code: null, signal });
      expect(existsSync(lockPath)).toBe(false);
      const lock = acquireLock(lockPath);
      expect(lock.takenOverFrom).toBeNull();
      lock.release();
    });
  }

  it('is taken over after its holder is killed with SIGKILL', async () => {
    const holder = spawnNode(holderScript, [lockPath, '0']);
    await holder.waitForLine(/^LOCKED/);
    holder.process.kill('SIGKILL');
    await holder.exited;
    expect((JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo).pid).toBe(holder.pid);
    const lock = acquireLock(lockPath);
    expect(lock.takenOverFrom).toMatchObject({ pid: holder.pid });
    lock.release();
  });

  for (const start of ['free', 'stale'] as const) {
    it(`lets exactly one of several racing processes take a ${start} lock`, async () => {
      if (start === 'stale') writeLock({ pid: deadPid() });
      // The start time only makes the attempts collide; the winner holds until told to stop, so the outcome
      // does not depend on timing.
      const startAt = Date.now() + 800;
      const racers = Array.from({ length: 4 }, () => spawnNode(holderScript, [lockPath, String(startAt)]));
      const outcomes = await Promise.all(racers.map((r) => r.waitForLine(/^(LOCKED|REFUSED)/)));
      const winners = outcomes.filter((line) => line.startsWith('LOCKED'));
      expect(winners).toHaveLength(1);
      const winnerPid = Number(winners[0].split(' ')[1]);
      racers.find((r) => r.pid === winnerPid)!.process.kill('SIGTERM');
      await Promise.all(racers.map((r) => r.exited));
      // With a stale lock, the racer that removed it need not be the one that then created the new lock.
      if (start === 'free') expect(winners[0].endsWith('TOOK_OVER')).toBe(false);
      for (const line of outcomes) if (line.startsWith('REFUSED')) expect(line).toBe(`REFUSED LockHeldError ${winnerPid}`);
      expect(existsSync(lockPath)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});
