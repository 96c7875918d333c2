// The validated, typed form of one watchtab entry: what the parser produces and what the watcher,
// the runner and the daemon consume. Name lists are `as const` arrays so the parser, --help, the man
// pages and the types share one source.
import type { Account } from '../system/nss.js';

export const EVENT_NAMES = [
  'create',
  'write',
  'close_write',
  'delete',
  'rename',
  'attrib',
  'extend',
  'link',
  'revoke',
  'access',
  'open',
  'close_nowrite',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Read-side events are noisy and never part of `*`. */
export const READ_SIDE_EVENTS = ['access', 'open', 'close_nowrite'] as const satisfies readonly EventName[];

/** What `*` means: every event but the read-side ones. */
export const STAR_EVENTS: readonly EventName[] = EVENT_NAMES.filter(
  (e) => !(READ_SIDE_EVENTS as readonly EventName[]).includes(e),
);

export const ON_BUSY_POLICIES = ['queue', 'ignore', 'restart'] as const;
export type OnBusy = (typeof ON_BUSY_POLICIES)[number];

/** What a command reads on stdin: nothing, or every path folded into its run (run/stdin-feed.ts). */
export const STDIN_FORMATS = ['none', 'paths', 'paths0', 'json'] as const;
export type StdinFormat = (typeof STDIN_FORMATS)[number];

export const BACKEND_CHOICES = ['auto', 'inotify', 'fanotify', 'poll'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * Where an entry looks. An exact path is a file (watched by itself) or a folder (itself and its
 * direct children), decided when it exists. A glob is split into the static folder it starts from
 * and an absolute pattern; `maxDepth` is how many components below `base` the pattern can reach
 * (`Infinity` when it holds `**`), so the watcher never watches deeper than a match could be.
 */
export type PathSpec =
  | { readonly kind: 'exact'; readonly path: string }
  | { readonly kind: 'glob'; readonly base: string; readonly pattern: string; readonly maxDepth: number };

/** The account a command runs as, resolved through the system's user database (NSS). */
/** The account a command runs as, resolved from `user[:group]` by the user database. */
export type RunAs = Account;

/** Where an entry was written; `name` defaults to `FILE:LINE` from this. */
export interface SourcePlace {
  readonly file: string;
  readonly line: number;
}

/** The runaway guard (run/run-guard.ts): `burst` runs in a row started by the entry's own changes, or more than `burst` runs within `intervalMs`, pause the entry. */
export interface RunLimit {
  readonly burst: number;
  readonly intervalMs: number;
}

export interface Entry {
  readonly name: string;
  readonly source: SourcePlace;
  /**
   * Where the entry looks: one path (the classic format, or a YAML string) or several (a YAML
   * list), each its own watch with its own base, depth and back-end; never empty, no duplicates.
   * Every watch triggers the same slot: still one process at a time.
   */
  readonly paths: readonly [PathSpec, ...PathSpec[]];
  /** Absolute glob patterns (a relative one is taken below each path's base); a path (or folder) matching one is neither watched nor reported. */
  readonly exclude: readonly string[];
  /** Sorted in EVENT_NAMES order, no duplicates. */
  readonly events: readonly EventName[];
  readonly delayMs: number;
  /** Quiet a run waits for: no trigger for this long (0: none). */
  readonly settleMs: number;
  /** With `settleMs`, the run starts at the latest this long after its first trigger (never before `delayMs`). */
  readonly maxWaitMs: number;
  readonly stdin: StdinFormat;
  /** Changes made while the daemon was not watching run when it starts (daemon/catch-up/). */
  readonly catchUp: boolean;
  /** null: run as the daemon's own user. */
  readonly runAs: RunAs | null;
  readonly chroot: string | null;
  /** null: the contract's default (the watch's base folder, or `/` inside a chroot). */
  readonly cwd: string | null;
  readonly command: string;
  readonly onBusy: OnBusy;
  readonly timeoutMs: number | null;
  readonly graceMs: number;
  /** The watchtab's environment for this entry, in order: environment lines or file `env`, then the entry's `env`. */
  readonly env: Readonly<Record<string, string>>;
  readonly contentOnly: boolean;
  /** Changes made by the entry's own command (processes in the session its runs start) do not trigger it (fanotify only). */
  readonly ignoreOwnChanges: boolean;
  /** null: the daemon's `--backend`. */
  readonly backend: BackendChoice | null;
  /** null: the daemon's `--poll-interval`. */
  readonly pollIntervalMs: number | null;
  readonly runLimit: RunLimit;
}

export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_MAX_WAIT_MS = 60_000;
/** systemd's path-unit defaults (TriggerLimitBurst=200, TriggerLimitIntervalSec=2s): no honest burst of writes reaches them. */
export const DEFAULT_RUN_LIMIT: RunLimit = { burst: 200, intervalMs: 2_000 };

/** The folder a watch is based on: the glob's base, or the exact path itself. */
export function watchBase(spec: PathSpec): string {
  return spec.kind === 'glob' ? spec.base : spec.path;
}

/** A path spec as the user reads it: the glob's pattern, or the exact path. */
export function describePathSpec(spec: PathSpec): string {
  return spec.kind === 'glob' ? spec.pattern : spec.path;
}
