// Which session a live process is in, from /proc/PID/stat (field 6). The runner starts each
// command in a session of its own, so this tells a command's own changes apart (loop prevention);
// a process that has already exited is not in /proc any more (null): run/own-sessions.ts covers that.
import { readFileSync } from 'node:fs';

/** The session id (field 6 of /proc/PID/stat) of `pid`, or null when it is gone or unreadable. */
export function sessionOf(pid: number, procRoot = '/proc'): number | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let stat: string;
  try {
    stat = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseSessionId(stat);
}

/**
 * Field 6 of a /proc/PID/stat line. The command name (field 2) is in parentheses and may hold
 * spaces and parentheses itself, so fields are counted from the last ')'.
 */
export function parseSessionId(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close === -1) return null;
  // After ") ": state(3) ppid(4) pgrp(5) session(6)
  const fields = stat.slice(close + 2).split(' ');
  const session = Number(fields[3]);
  return Number.isInteger(session) && session >= 0 ? session : null;
}
