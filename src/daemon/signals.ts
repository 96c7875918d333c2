// Signals: SIGHUP asks for a reload; the first SIGTERM or SIGINT asks for a clean stop, a second
// one for an immediate stop; SIGUSR1 reopens the log file (logrotate's habit) and never opens
// Node's inspector. Handlers only record the request; the daemon's loop acts on it.
import type { Logger } from '../log/logger.js';
import { setSigusr1Action } from './sigusr1.js';

export interface SignalHandlers {
  readonly onReload: () => void;
  readonly onStop: () => void;
  readonly onStopNow: () => void;
  /** SIGUSR1: reopen the log file. Without it, SIGUSR1 does nothing (and still opens no inspector). */
  readonly onReopenLogs?: () => void;
}

/**
 * Installs the handlers; the returned function removes them (tests, and the end of a stop). The
 * SIGUSR1 listener itself stays for the process's life: only its action is dropped.
 */
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
  setSigusr1Action(handlers.onReopenLogs ?? null);
  return () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', reload);
    setSigusr1Action(null);
  };
}

/** SIGUSR1's action for the daemon's logger: reopen its file when it has one. */
export function reopenLogs(log: Logger): void {
  log.reopen();
}
