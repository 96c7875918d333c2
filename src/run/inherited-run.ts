// A command a previous watchtabd started and left running (it crashed or was killed): the slot
// holds it as the entry's running run, so no second process of the entry starts while it lives.
// It is not our child, so it cannot be waited for: its end is seen by polling /proc every POLL_MS
// (its leader by pid and start time, then its process group), and it is stopped like any run
// (SIGTERM to the group, SIGKILL after the grace), its timeout counted from its recorded start.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import { isSameProcess } from '../system/proc-start.js';
import * as msg from '../log/messages/run.js';
import type { Outcome, StopReason } from './outcome.js';
import { isGroupAlive, signalGroup, stopGroup } from './process-group.js';
import type { RunReport } from './run.js';
import type { RunRecord, RunRecorder } from './run-records.js';

/** How often an inherited command is looked for in /proc. */
const POLL_MS = 200;

export interface InheritedContext {
  readonly logger: Logger;
  readonly records: RunRecorder;
}

export class InheritedRun {
  readonly pid: number;
  readonly startedAt: number;
  readonly ended: Promise<RunReport>;
  private stopReason: StopReason | null = null;
  private isTimedOut = false;
  private stopping: Promise<unknown> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private timeoutMs: number | null = null;

  constructor(
    readonly record: RunRecord,
    private readonly ctx: InheritedContext,
  ) {
    this.pid = record.pid;
    this.startedAt = record.startedAt;
    this.ended = this.watch().then((outcome) => ({
      outcome,
      pid: this.pid,
      startedAt: this.startedAt,
      durationMs: Math.max(0, Date.now() - this.startedAt),
      // What triggered it was known only to the daemon that started it.
      path: '',
      count: 0,
    }));
  }

  /** The entry's timeout, counted from the recorded start (a command past it is stopped at once). */
  applyTimeout(timeoutMs: number | null, graceMs: number, entry: string): void {
    clearTimeout(this.timer);
    this.timeoutMs = timeoutMs;
    if (timeoutMs === null) return;
    const remainingMs = Math.max(0, this.startedAt + timeoutMs - Date.now());
    this.timer = setTimeout(() => {
      if (this.stopping !== null) return;
      this.isTimedOut = true;
      this.ctx.logger.warn(msg.timeoutReached(timeoutMs, graceMs), { entry, pid: this.pid });
      this.beginStop(graceMs);
    }, remainingMs);
  }

  stop(graceMs: number, reason: StopReason): void {
    if (this.stopReason === null && !this.isTimedOut) this.stopReason = reason;
    this.beginStop(graceMs);
  }

  private beginStop(graceMs: number): void {
    if (this.stopping !== null) {
      // The daemon's second signal asks for no grace: SIGKILL now, if any of it is left.
      if (graceMs === 0)
        void this.isAlive().then((isAlive) => isAlive && signalGroup(this.record.pgid, 'SIGKILL'));
      return;
    }
    this.stopping = this.isAlive().then((isAlive) =>
      isAlive ? stopGroup(this.record.pgid, graceMs) : 'gone',
    );
  }

  /**
   * Alive while its leader is the recorded process, or while its group has a living member (a pgid
   * is not handed out again while any process holds it).
   */
  private async isAlive(): Promise<boolean> {
    return isSameProcess(this.record) || (await isGroupAlive(this.record.pgid));
  }

  private async watch(): Promise<Outcome> {
    while (await this.isAlive()) await sleep(POLL_MS);
    await this.stopping;
    clearTimeout(this.timer);
    this.ctx.records.ended(this.pid);
    if (this.isTimedOut) return { kind: 'timed-out', timeoutMs: this.timeoutMs ?? 0, signal: null };
    if (this.stopReason !== null) return { kind: 'stopped', reason: this.stopReason, signal: null };
    return { kind: 'inherited-ended' };
  }
}

/**
 * Inherited commands by entry name. Two for one name (left by an older daemon that overlapped
 * them) cannot both be the entry's run: the second is kept under a key no entry name has, so it is
 * still watched and stopped with the daemon.
 */
export function inheritRuns(records: readonly RunRecord[], ctx: InheritedContext): Map<string, InheritedRun> {
  const byEntry = new Map<string, InheritedRun>();
  for (const r of records) {
    const key = byEntry.has(r.entry) ? `${r.entry}\0${r.pid}` : r.entry;
    byEntry.set(key, new InheritedRun(r, ctx));
  }
  return byEntry;
}
