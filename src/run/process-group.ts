// Stopping a command's whole process group: SIGTERM, then SIGKILL after the grace, then wait until
// the group is gone. Every run is a session leader (spawned detached), so its process group holds
// the shell and everything it started that did not leave on purpose (setsid); background children
// die with it.
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 20;
/** How long to wait after SIGKILL for the kernel to clear the group (zombies aside). */
const AFTER_KILL_MS = 2000;

export type GroupEnd = 'gone' | 'after-sigterm' | 'after-sigkill' | 'stuck';

/** Sends a signal to the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

export function isGroupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

async function waitGone(pgid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * SIGTERM to the group, SIGKILL `graceMs` later if any of it is left; resolves when the group is
 * gone (or, after SIGKILL, when only processes nobody reaps remain: 'stuck').
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<GroupEnd> {
  if (!signalGroup(pgid, 'SIGTERM')) return 'gone';
  if (await waitGone(pgid, graceMs)) return 'after-sigterm';
  if (!signalGroup(pgid, 'SIGKILL')) return 'after-sigterm';
  return (await waitGone(pgid, AFTER_KILL_MS)) ? 'after-sigkill' : 'stuck';
}
