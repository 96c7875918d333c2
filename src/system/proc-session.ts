// Which session a live process is in, from /proc/PID/stat (field 6). The runner starts each
// command in a session of its own, so this tells a command's own changes apart (loop prevention);
// a process that has already exited is not in /proc any more (null): run/own-sessions.ts covers that.
import { readProcStat, statField } from './proc-stat.js';

/** The session id (field 6 of /proc/PID/stat) of `pid`, or null when it is gone or unreadable. */
export function sessionOf(pid: number, procRoot = '/proc'): number | null {
  const stat = readProcStat(pid, procRoot);
  return stat === null ? null : parseSessionId(stat);
}

/** Field 6 (session) of a /proc/PID/stat line. */
export function parseSessionId(stat: string): number | null {
  const session = Number(statField(stat, 6) ?? NaN);
  return Number.isInteger(session) && session >= 0 ? session : null;
}
