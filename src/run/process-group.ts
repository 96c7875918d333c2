// Stopping a command's whole process group: SIGTERM, then SIGKILL after the grace, then wait until
// the group is gone. Every run is a session leader (spawned detached), so its process group holds
// the shell and everything it started that did not leave on purpose (setsid); background children
// die with it. Zombies do not count: once a member is dead it is gone, whoever reaps it, whenever.
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { statField } from '../system/proc-stat.js';

const POLL_MS = 25;
/** How long to wait after SIGKILL for the kernel to clear the group (zombies aside). */
const AFTER_KILL_MS = 2000;

export type GroupEnd = 'gone' | 'after-sigterm' | 'after-sigkill' | 'stuck';

/** Sends a signal to the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
}

/** The state (field 3) and process group (field 5) of a process, from /proc/PID/stat. */
async function stateAndGroup(pid: string): Promise<[string, number] | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return [statField(stat, 3) ?? '', Number(statField(stat, 5))];
  } catch {
    return null; // it ended while we looked
  }
}

/**
 * Whether a living (not zombie) process is in the group. kill(-pgid, 0) also counts zombies, which
 * stay until their new parent reaps them (slowly, under some init processes); /proc tells them apart.
 */
export async function isGroupAlive(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^[0-9]+$/.test(name));
  } catch {
    return true; // no /proc to tell: trust kill(2)
  }
  const found = await Promise.all(pids.map(stateAndGroup));
  return found.some((f) => f !== null && f[1] === pgid && f[0] !== 'Z' && f[0] !== 'X');
}

async function waitGone(pgid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (await isGroupAlive(pgid)) {
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
