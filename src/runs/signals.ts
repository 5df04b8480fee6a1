/**
 * Cleaning up on a signal that would end the process (a run lock released, worker processes told to stop),
 * without keeping the process alive: Node's default action for SIGINT, SIGTERM and SIGHUP is suppressed as soon
 * as anyone listens, so each handler removes itself and raises the signal again once no other listener is left
 * to do so. The process then dies of the signal (exit status 128 + n), as it would with no handler at all.
 */

/**
 * Calls `onSignal` on the first of `signals` and `onExit` when the process exits, then (for a signal) removes both
 * and re-raises the signal unless another listener still handles it and will re-raise it in turn. Returns a
 * function that removes the handlers.
 */
export function onEndingSignal(
  signals: readonly NodeJS.Signals[],
  handlers: { onSignal: (signal: NodeJS.Signals) => void; onExit?: () => void },
  target: NodeJS.Process = process,
): () => void {
  const onExit = (): void => handlers.onExit?.();
  const handleSignal = (signal: NodeJS.Signals): void => {
    handlers.onSignal(signal);
    uninstall();
    if (target.listenerCount(signal) === 0) target.kill(target.pid, signal);
  };
  const uninstall = (): void => {
    target.removeListener('exit', onExit);
    for (const signal of signals) target.removeListener(signal, handleSignal);
  };
  target.on('exit', onExit);
  for (const signal of signals) target.on(signal, handleSignal);
  return uninstall;
}
