// The one interface the rest of watchtab sees of a watcher: a back-end arms targets and reports
// the contract's events for them. inotify, fanotify and polling implement it; the daemon never
// branches on which one it holds.
import type { EventName, PathSpec } from '../watchtab/entry.js';
import type { PathState } from './path-state.js';

export const BACKEND_NAMES = ['inotify', 'fanotify', 'poll', 'chokidar'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What to watch, taken from an entry: the watcher needs no more than this. */
export interface WatchTarget {
  /** The entry's name: used in logs and for the watch budget. */
  readonly id: string;
  readonly path: PathSpec;
  /** Absolute glob patterns; matching paths are not reported, matching folders not watched. */
  readonly exclude: readonly string[];
  /** Only these events are reported for this target. */
  readonly events: readonly EventName[];
  /** Keep a content hash per file and report `write`/`close_write` only when it changed. */
  readonly contentOnly: boolean;
  /** For polling back-ends. */
  readonly pollIntervalMs: number;
}

/**
 * One contract event on one path. A single kernel event may become several of these (a file moved
 * onto a watched path is `rename`, `create` when new, `write` and `close_write`).
 */
export interface WatchEvent {
  readonly event: EventName;
  /** Absolute path; for `rename`, the new name. */
  readonly path: string;
  /** For `rename`: the old name, where the kernel paired both. */
  readonly oldPath?: string;
  readonly isDir: boolean;
  /** The process that made the change, where the back-end is told (fanotify); not for rescans. */
  readonly pid?: number;
}

/** A target being watched. */
export interface Armed {
  /** Kernel watches (or marks) this target holds now. */
  watchCount(): number;
  /** Folders (or the whole target, while it is retried) left out now, and why; for status. */
  leftOut?(): readonly LeftOut[];
  /**
   * What the target knows now of each path it reports (the kept state: type, inode, size, times,
   * links, the content hash of content-only files); read synchronously, so it is one moment's.
   */
  knownStates(): Iterable<readonly [string, PathState]>;
  /**
   * While the kept state is built after arming (fanotify: the mark sees every change at once, the
   * folders are read in the background), how far that walk is; absent or null when it was built
   * before `arm` resolved.
   */
  walk?(): WalkProgress | null;
  /**
   * Resolves once `knownStates()` covers every watched path (true), or never will (false: the
   * target was disarmed first). Absent: it always does.
   */
  walked?(): Promise<boolean>;
  /** Stop reporting for this target and release what only it used. */
  disarm(): Promise<void>;
}

/** The walk that builds a target's kept state after it is armed. */
export interface WalkProgress {
  /** The state is still being built. */
  readonly isWalking: boolean;
  /** Folders read so far. */
  readonly folders: number;
}

/** A folder a target does not watch now, and the errno name saying why (ELOOP: a symbolic link). */
export interface LeftOut {
  readonly path: string;
  readonly errno: string;
}

export type EventListener = (event: WatchEvent) => void;

/**
 * What a back-end can know, declared once by each back-end: the daemon decides by it (never by a
 * back-end's name), and the conformance suite in test/backends/ skips, with the reason, what it lacks.
 */
export interface BackendCapabilities {
  /** Events name the process that made the change (`WatchEvent.pid`): ignore-own-changes and the runaway guard's loop rule need it. */
  readonly reportsPid: boolean;
  /** It reads states every `pollIntervalMs` instead of being told of changes. */
  readonly needsPolling: boolean;
  /** A rename is one `rename` with the old name, not a `delete` and a `create`. */
  readonly pairsRenames: boolean;
  /** Sees a file that was made and removed between two looks. */
  readonly seesShortLived: boolean;
  /**
   * Sees every change however soon it follows the one before (a save by rename, then `sed -i` at
   * once; a folder or base removed and made again, and written into at once).
   */
  readonly seesQuickSuccessions: boolean;
  /**
   * A file entry sees its inode whatever name is used: a hard link made or removed elsewhere
   * (`link`), a write through another name.
   */
  readonly seesOtherNames: boolean;
}

/** Implemented by every back-end; the conformance suite in test/backends/ runs against each. */
export interface WatchBackend {
  readonly name: BackendName;
  readonly can: BackendCapabilities;
  /**
   * Start watching `target`. Resolves once the watch has taken hold (events after that are
   * reported); a path that does not exist yet is armed when it appears. Rejects with a
   * `SystemCallError` only when the back-end cannot watch at all (not for a missing path).
   */
  arm(target: WatchTarget, onEvent: EventListener): Promise<Armed>;
  /** Release every watch and the kernel objects; the process can exit after this resolves. */
  close(): Promise<void>;
}
