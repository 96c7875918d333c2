// Holds SIGUSR1 for the process's whole life, so that Node never opens its inspector on it (an
// unauthenticated debugger on 127.0.0.1:9229 in a root daemon). Imports nothing: the entry point
// loads it before anything else; the daemon later gives the signal its meaning (reopen the log).
let action: (() => void) | null = null;
let isHeld = false;

/** Installs the one SIGUSR1 listener (idempotent); it is never removed. */
export function holdSigusr1(): void {
  if (isHeld) return;
  process.on('SIGUSR1', () => action?.());
  isHeld = true;
}

/** What SIGUSR1 does from now on; null makes it do nothing (the listener stays). */
export function setSigusr1Action(next: (() => void) | null): void {
  holdSigusr1();
  action = next;
}
