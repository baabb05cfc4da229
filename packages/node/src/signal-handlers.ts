import type { SpantrackHandle } from './types';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On SIGTERM / SIGINT, delivers what is buffered without changing how the application ends:
 * - when the application has its own listener for the signal, it decides when to exit; spantrack
 *   only starts a flush (call `await setup().shutdown()` in that listener to wait for it);
 * - otherwise spantrack shuts down (within the handle's deadline), removes its listener and raises
 *   the signal again, so the process ends exactly as Node's default would (killed by the signal).
 * A second signal while shutting down ends the process at once.
 * `afterShutdown` runs once the shutdown is done, before the signal is raised again (a process
 * killed by a signal emits no `exit` event). Returns a function that removes the listeners.
 */
export function installSignalHandlers(handle: SpantrackHandle, afterShutdown?: () => void): () => void {
  let shuttingDown = false;
  const listener = (signal: NodeJS.Signals): void => {
    const reRaise = (): void => {
      process.removeListener(signal, listener);
      process.kill(process.pid, signal);
    };
    if (shuttingDown) {
      reRaise();
      return;
    }
    if (process.listenerCount(signal) > 1) {
      void handle.flush();
      return;
    }
    shuttingDown = true;
    void handle.shutdown().finally(() => {
      try {
        afterShutdown?.();
      } finally {
        reRaise();
      }
    });
  };
  for (const signal of SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.removeListener(signal, listener);
  };
}
