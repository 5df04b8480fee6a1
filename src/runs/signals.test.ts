import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onEndingSignal } from './signals.js';

function fakeProcess() {
  const emitter = new EventEmitter() as EventEmitter & { pid: number; kills: string[]; kill: (pid: number, signal: string) => boolean };
  emitter.pid = 7;
  emitter.kills = [];
  emitter.kill = (_pid, signal) => (emitter.kills.push(signal), true);
  return emitter;
}

describe('onEndingSignal', () => {
  it('runs every stacked handler once and re-raises the signal once, from the last of them', () => {
    // verify --jobs: the workers' forwarder is installed first, a run lock's release handler second.
    const target = fakeProcess() as unknown as NodeJS.Process & { kills: string[] };
    const seen: string[] = [];
    onEndingSignal(['SIGTERM', 'SIGHUP'], { onSignal: (s) => seen.push(`forward ${s}`) }, target);
    onEndingSignal(['SIGINT', 'SIGTERM', 'SIGHUP'], { onSignal: (s) => seen.push(`release ${s}`) }, target);
    target.emit('SIGHUP', 'SIGHUP');
    expect(seen).toEqual(['forward SIGHUP', 'release SIGHUP']);
    expect(target.kills).toEqual(['SIGHUP']);
    expect(['SIGINT', 'SIGTERM', 'SIGHUP', 'exit'].map((e) => target.listenerCount(e))).toEqual([0, 0, 0, 0]);
  });

  it('calls onExit on a plain exit and nothing once uninstalled', () => {
    const target = fakeProcess() as unknown as NodeJS.Process & { kills: string[] };
    let exits = 0;
    const uninstall = onEndingSignal(['SIGTERM'], { onSignal: () => {}, onExit: () => void exits++ }, target);
    target.emit('exit', 0);
    expect(exits).toBe(1);
    uninstall();
    target.emit('exit', 0);
    target.emit('SIGTERM', 'SIGTERM');
    expect(exits).toBe(1);
    expect(target.kills).toEqual([]);
  });
});
