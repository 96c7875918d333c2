// /proc/PID/stat, read and split once for every module that asks about a process (its session,
// its start time, its state). The command name (field 2) is in parentheses and may hold spaces
// and parentheses itself, so the fields are counted from the last ')'.
import { readFileSync } from 'node:fs';

/** The fields from field 3 (state) on, as text: index 0 is field 3; null when `stat` is not one. */
export function statFields(stat: string): readonly string[] | null {
  const close = stat.lastIndexOf(')');
  return close === -1 ? null : stat.slice(close + 2).split(' ');
}

/** Field `n` (1-based, as proc(5) numbers them; 3 or more) of a /proc/PID/stat line. */
export function statField(stat: string, n: number): string | undefined {
  return statFields(stat)?.[n - 3];
}

/** /proc/PID/stat of `pid`, or null when it is gone, unreadable, or `pid` is no pid. */
export function readProcStat(pid: number, procRoot = '/proc'): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    return readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
}
