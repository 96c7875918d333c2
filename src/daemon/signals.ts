// Signals: SIGHUP asks for a reload; the first SIGTERM or SIGINT asks for a clean stop, a second
// one for an immediate stop. Handlers only record the request; the daemon's loop acts on it.
export interface SignalHandlers {
  readonly onReload: () => void;
  readonly onStop: () => void;
  readonly onStopNow: () => void;
}

/** Installs the handlers; the returned function removes them (tests, and the end of a stop). */
export function handleSignals(handlers: SignalHandlers): () => void {
  let stopRequests = 0;
  const stop = (): void => {
    stopRequests += 1;
    if (stopRequests === 1) handlers.onStop();
    else handlers.onStopNow();
  };
  const reload = (): void => handlers.onReload();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', reload);
  return () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', reload);
  };
}
