// The record of running commands in the state folder (runs.json), so a daemon restarted after a
// crash knows the commands its predecessor left running. Each record names the process by pid,
// start time and boot (a reused pid never matches) and its process group. Writes are coalesced —
// one atomic rewrite in flight, the latest state after it — so recording never delays a spawn;
// the window a crash can fall into is the moment between a spawn and that rewrite.
import type { Logger } from '../log/logger.js';
import { msgState } from '../log/messages/state.js';
import { identityOf, isSameProcess, type ProcessIdentity } from '../system/proc-start.js';
import { reasonOf, type StateDir } from '../system/state-dir.js';

export const RUNS_FILE = 'runs.json';

export interface RunRecord extends ProcessIdentity {
  readonly entry: string;
  /** The command's process group (the runner makes it a session leader: its pid). */
  readonly pgid: number;
  /** Wall-clock milliseconds when it was started: its timeout counts from there. */
  readonly startedAt: number;
}

/** The runner's side: a command started, a command's process group gone. */
export interface RunRecorder {
  started(entry: string, pid: number, startedAt: number): void;
  ended(pid: number): void;
}

function isRecord(value: unknown): value is RunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const isPid = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  return (
    typeof r['entry'] === 'string' &&
    isPid(r['pid']) &&
    isPid(r['pgid']) &&
    typeof r['startTime'] === 'string' &&
    typeof r['bootId'] === 'string' &&
    typeof r['startedAt'] === 'number'
  );
}

/** The records in a runs.json text; what is not a well-formed record is left out. */
export function parseRecords(text: string): RunRecord[] {
  const data: unknown = JSON.parse(text);
  const runs = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['runs'] : null;
  return Array.isArray(runs) ? runs.filter(isRecord) : [];
}

export class RunRecords implements RunRecorder {
  private readonly byPid = new Map<number, RunRecord>();
  private writing: Promise<void> | null = null;
  private isDirty = false;
  private hasFailed = false;

  constructor(
    private readonly dir: StateDir | null,
    private readonly logger: Logger,
  ) {}

  /**
   * The records a previous daemon left whose process still runs (same pid, start time and boot);
   * they stay recorded until their end is noticed. Stale ones are dropped.
   */
  async inherit(): Promise<RunRecord[]> {
    if (this.dir === null) return [];
    let records: RunRecord[] = [];
    try {
      const text = await this.dir.read(RUNS_FILE);
      records = text === null ? [] : parseRecords(text);
    } catch (error) {
      this.logger.warn(msgState.recordsUnreadable(reasonOf(error)));
    }
    const living = records.filter((r) => isSameProcess(r));
    for (const r of living) this.byPid.set(r.pid, r);
    this.schedule();
    return living;
  }

  started(entry: string, pid: number, startedAt: number): void {
    if (this.dir === null) return;
    const id = identityOf(pid);
    // Gone already (a command that ends at once): nothing can be left of it after a crash.
    if (id === null) return;
    this.byPid.set(pid, { entry, pgid: pid, startedAt, ...id });
    this.schedule();
  }

  ended(pid: number): void {
    if (this.dir === null || !this.byPid.delete(pid)) return;
    this.schedule();
  }

  /** Resolves once what is recorded now is on disk (or failed to be). */
  async flushed(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private schedule(): void {
    this.isDirty = true;
    if (this.writing === null) this.writing = this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    while (this.isDirty && this.dir !== null) {
      this.isDirty = false;
      const text = `${JSON.stringify({ version: 1, runs: [...this.byPid.values()] })}\n`;
      try {
        await this.dir.write(RUNS_FILE, text);
        this.hasFailed = false;
      } catch (error) {
        // Said once per failing stretch; the next change tries again.
        if (!this.hasFailed) this.logger.warn(msgState.recordsFailed(this.dir.path, reasonOf(error)));
        this.hasFailed = true;
      }
    }
    this.writing = null;
  }
}
