// Who a process is, beyond its pid: its start time (field 22 of /proc/PID/stat, clock ticks since
// boot) and the boot it started in. A pid is reused; pid + start time + boot id never is, so a
// record of a process can be checked against the one now holding that pid.
import { readFileSync } from 'node:fs';
import { readProcStat, statField } from './proc-stat.js';

export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat, kept as text (it may exceed 2^53 on a machine up long enough). */
  readonly startTime: string;
  readonly bootId: string;
}

let cachedBootId: string | null = null;

/** This boot's id (/proc/sys/kernel/random/boot_id); '' when the kernel does not say. */
export function bootId(): string {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}

/** Field 22 (start time) of a /proc/PID/stat line, or null when it is not one. */
export function parseStartTime(stat: string): string | null {
  const field = statField(stat, 22);
  return field !== undefined && /^\d+$/.test(field) ? field : null;
}

/** The identity of the living (not zombie) process `pid`, or null when there is none. */
export function identityOf(pid: number, procRoot = '/proc'): ProcessIdentity | null {
  const stat = readProcStat(pid, procRoot);
  if (stat === null) return null;
  const state = statField(stat, 3);
  if (state === 'Z' || state === 'X') return null;
  const startTime = parseStartTime(stat);
  return startTime === null ? null : { pid, startTime, bootId: bootId() };
}

/** Whether the process a record names is still the one holding its pid. */
export function isSameProcess(recorded: ProcessIdentity): boolean {
  const now = identityOf(recorded.pid);
  return now !== null && now.startTime === recorded.startTime && now.bootId === recorded.bootId;
}
