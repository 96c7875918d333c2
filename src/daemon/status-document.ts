// The status document's shape: what `watchtabd` answers on its socket (status.ts builds it) and
// what `watchtab status` reads, in one type. Keys of entry settings are the watchtab's own (see
// watchtab/entry-json.ts); every time is ISO 8601 in UTC. Documented in watchtab(1).
import type { EventName } from '../watchtab/entry.js';
import type { EntryJson, PathJson } from '../watchtab/entry-json.js';
import type { LeftOut } from '../watch/backend.js';
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

/** One path of an entry as watched now: its own back-end (a list may mix them) and kernel watches. */
export interface StatusWatch {
  readonly path: PathJson;
  /** null while no back-end could be chosen for it. */
  readonly backend: string | null;
  readonly armed: boolean;
  readonly watches: number;
  /** Its kept state is still being built after arming (fanotify's background walk). */
  readonly walking: boolean;
  /** Folders that walk has read so far; null when the state was built before it was armed. */
  readonly walkedFolders: number | null;
  /** Folders left out of this watch (or the whole path, while it is retried), with the errno. */
  readonly leftOut: readonly LeftOut[];
}

/** An entry's settings (keys as in the watchtab, entry-json.ts) and what its watches and slot report. */
export interface StatusEntry extends Pick<
  EntryJson,
  'name' | 'source' | 'path' | 'delay' | 'settle' | 'max-wait' | 'stdin' | 'catch-up'
> {
  readonly events: readonly EventName[];
  /** The back-ends in use, comma-separated; null until one is chosen. */
  readonly backend: string | null;
  /** Whether every path's watch is armed. */
  readonly armed: boolean;
  /** Kernel watches of all its paths. */
  readonly watches: number;
  /** Whether any path's kept state is still being built (armed and ready meanwhile). */
  readonly walking: boolean;
  /** Every path's left-out folders together. */
  readonly leftOut: readonly LeftOut[];
  /** Each path as watched now, in the order of `path`. */
  readonly watching: readonly StatusWatch[];
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
