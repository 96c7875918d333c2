// The status document's shape: what `watchtabd` answers on its socket (status.ts builds it) and
// what `watchtab status` reads, in one type. Keys of entry settings are the watchtab's own (see
// watchtab/entry-json.ts); every time is ISO 8601 in UTC. Documented in watchtab(1).
import type { EventName } from '../watchtab/entry.js';
import type { PathJson } from '../watchtab/entry-json.js';
import type { SlotStateKind } from '../run/policy.js';
import type { LastRun, SlotStatus } from '../run/slot-status.js';

export interface StatusDocument {
  readonly daemon: StatusDaemon;
  readonly files: readonly StatusFile[];
  readonly entries: readonly StatusEntry[];
}

export interface StatusDaemon {
  readonly version: string;
  readonly pid: number;
  /** ISO 8601. */
  readonly startedAt: string;
  /** The main watchtab. */
  readonly watchtab: string;
  /** The back-ends this daemon can use, in the order it prefers them. */
  readonly backends: readonly string[];
}

/** One watchtab file as the last load left it; `reason` when refused, `problems` when broken. */
export interface StatusFile {
  readonly file: string;
  readonly state: 'loaded' | 'missing' | 'broken' | 'refused';
  readonly reason?: string;
  readonly problems?: number;
}

export interface StatusEntry {
  readonly name: string;
  /** `FILE:LINE` where the entry is written. */
  readonly source: string;
  readonly path: PathJson;
  readonly events: readonly EventName[];
  /** null until a back-end is chosen for it. */
  readonly backend: string | null;
  readonly armed: boolean;
  readonly watches: number;
  readonly state: SlotStateKind;
  /** The running command's pid. */
  readonly pid: number | null;
  readonly lastRun: StatusRun | null;
  /** The latest runs, newest first. */
  readonly history: readonly StatusRun[];
  readonly counters: SlotStatus['counters'];
  /** Set while the runaway guard holds the entry, with the limits in force (interval in seconds). */
  readonly paused: {
    readonly since: string;
    readonly heldTriggers: number;
    readonly 'trigger-limit-burst': number;
    readonly 'trigger-limit-interval': number;
  } | null;
}

/** A run as the slot keeps it (run/slot-status.ts), its start time in ISO 8601. */
export type StatusRun = Omit<LastRun, 'startedAt'> & { readonly startedAt: string };
