// sd_notify: tells the service manager the daemon is ready or reloading, and what it is doing
// (`STATUS=`), over the unix datagram socket named by NOTIFY_SOCKET (a path, or an abstract name
// written `@name`; system/unix-datagram.ts speaks it through libc). Without NOTIFY_SOCKET it does nothing.
import type { SystemCallError } from '../errors.js';
import { createDatagramSender } from '../system/unix-datagram.js';

export interface Notifier {
  /** Sends `state` (e.g. `READY=1`); a failure is returned, not thrown: readiness is best effort. */
  send(state: string): SystemCallError | null;
  close(): void;
}

/** A notifier for `socketName` (NOTIFY_SOCKET's value), or one that does nothing when it is unset. */
export function createNotifier(socketName: string | undefined): Notifier {
  if (socketName === undefined || socketName === '') {
    return { send: () => null, close: () => undefined };
  }
  const sender = createDatagramSender(socketName);
  return {
    send: (state) => sender.send(Buffer.from(state)),
    close: () => sender.close(),
  };
}

/** `RELOADING=1` with CLOCK_MONOTONIC in microseconds (libuv's hrtime reads that clock). */
export function reloadingState(): string {
  const monotonicUsec = process.hrtime.bigint() / 1000n;
  return `RELOADING=1\nMONOTONIC_USEC=${monotonicUsec}`;
}

/** `READY=1` with a one-line `STATUS=` (systemctl status shows it); newlines would end the field. */
export function readyState(status: string): string {
  return `READY=1\nSTATUS=${status.replace(/\n/g, ' ')}`;
}
