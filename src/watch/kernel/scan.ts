// Walking a target's folders: the initial scan at arm, the scan of a folder that appeared, the
// rescan after an overflow, and the diff of two states into events. Each folder is watched
// before it is read, so an entry made in between is seen twice (scan and event) and never lost;
// the state dedupes it. Each folder is opened O_NOFOLLOW, checked to be the inode its parent's
// listing saw, then watched, listed and its entries looked at only through that descriptor
// (no-follow.ts): a folder swapped for a symbolic link, or reached through a parent swapped for
// one, is never listed. Names keep their bytes (system/path-bytes.ts). Back-end neutral.
import { closeSync, readdirSync, type Stats } from 'node:fs';
import type { EventName } from '../../watchtab/entry.js';
import { decodeFsBytes } from '../../system/path-bytes.js';
import { joinPath } from '../match.js';
import { isContentChanged, isReplaced, readState, stateOfStats, type PathState } from '../path-state.js';
import { withContentHash } from './content-hash.js';
import { isMountedIn, openFolder } from './no-follow.js';
import { DT, listOpenFolder } from '../../system/dir-entries.js';
import type { EventListener } from '../backend.js';
import type { Scope } from '../match.js';

export interface ScanHooks {
  /**
   * Starts watching the folder `dir`, reached as `via`: a path naming exactly the folder that was
   * opened and checked (valid during this call only). False when it is gone (then it is not
   * read); `identity`: its `dev:ino`. May throw to stop the scan.
   */
  watchDir(dir: string, via: string, identity: string): boolean;
  isReported(path: string): boolean;
  isWatchedDir(dir: string): boolean;
  /** The only names of `dir` that can matter, when known (then `dir` is not listed); else null. */
  namesIn?(dir: string): readonly string[] | null;
  /** `dir` could not be opened for another reason than being gone (EACCES, ENAMETOOLONG...). */
  leftOut?(dir: string, errno: string): void;
}

/** A folder still to be read, as its parent's listing saw it. */
export interface Pending {
  readonly path: string;
  /** The inode the parent's listing saw; null for the root (its caller looked at it). */
  readonly ino: number | null;
  /**
   * Set when `ino` is the listing's d_ino and the folder was not looked at yet: it is `found` once
   * opened, from its own fstat (`isReported` as given), and a mount point on it is recognised
   * through its parent's identity (`parent`, dev:ino).
   */
  readonly unseen?: { readonly isReported: boolean; readonly parent: string };
}

/** Calls `found` for each entry below `root` that is reported or watched, with its state (no hash). */
export function scanTree(
  root: string,
  hooks: ScanHooks,
  found: (path: string, state: PathState, isReported: boolean) => void,
): void {
  scanFolders([{ path: root, ino: null }], hooks, found, Infinity, true);
}

/**
 * Reads folders off `stack` (their sub-folders pushed on it) until it is empty or `maxFolders`
 * were read; a walk done in slices (background-walk.ts) calls it again with the same stack.
 * Returns how many it took off the stack.
 */
export function scanFolders(
  stack: Pending[],
  hooks: ScanHooks,
  found: (path: string, state: PathState, isReported: boolean) => void,
  maxFolders: number,
  isLookDeferred = false,
): number {
  let folders = 0;
  for (let dir = stack.pop(); dir !== undefined; dir = folders < maxFolders ? stack.pop() : undefined) {
    folders += 1;
    const unseen = dir.unseen;
    const opened = openFolder(dir.path, unseen === undefined ? dir.ino : null);
    if (opened.kind === 'gone') continue;
    if (opened.kind === 'failed') {
      hooks.leftOut?.(dir.path, opened.errno);
      continue;
    }
    try {
      if (unseen !== undefined) {
        const isSame = opened.stats.ino === dir.ino || isMountedIn(opened.via, opened.stats, unseen.parent);
        if (!isSame) continue; // swapped since it was listed (or reached through a swapped parent)
        found(dir.path, stateOfStats(opened.stats), unseen.isReported);
      }
      scanFolder(dir.path, opened, hooks, found, stack, isLookDeferred);
    } finally {
      closeSync(opened.fd);
    }
  }
  return folders;
}

function scanFolder(
  dir: string,
  opened: { readonly fd: number; readonly via: string; readonly identity: string; readonly stats: Stats },
  hooks: ScanHooks,
  found: (path: string, state: PathState, isReported: boolean) => void,
  stack: Pending[],
  isLookDeferred: boolean,
): void {
  const { via, identity } = opened;
  if (!hooks.watchDir(dir, via, identity)) return;
  const known = hooks.namesIn?.(dir) ?? null;
  if (known === null) {
    const listed = listOpenFolder(opened.fd);
    if (listed !== null) {
      if ('entries' in listed)
        scanEntries(dir, via, identity, listed.entries, hooks, found, stack, isLookDeferred);
      return; // an errno: removed or unreadable since it was watched; its events say so
    }
  }
  const names = known ?? listNames(via);
  if (names === null) return; // removed or unreadable since it was watched: its events say so
  for (const name of names) {
    const path = joinPath(dir, name);
    const mayWatch = hooks.isWatchedDir(path);
    const isReported = hooks.isReported(path);
    if (!mayWatch && !isReported) continue;
    const state = readState(`${via}/${name}`);
    if (state === null) continue;
    const isWatched = mayWatch && state.type === 'dir';
    if (!isWatched && !isReported) continue;
    found(path, state, isReported);
    if (isWatched) stack.push({ path, ino: state.ino });
  }
}

/**
 * scanFolder's loop over a getdents64 listing: an entry whose type says it cannot matter is not
 * looked at, and (when `isLookDeferred`) a folder to walk is looked at once opened, by its own
 * fstat, instead of by an lstat here: one system call per folder fewer.
 */
function scanEntries(
  dir: string,
  via: string,
  identity: string,
  entries: readonly { readonly name: string; readonly ino: number; readonly type: number }[],
  hooks: ScanHooks,
  found: (path: string, state: PathState, isReported: boolean) => void,
  stack: Pending[],
  isLookDeferred: boolean,
): void {
  for (const entry of entries) {
    const path = joinPath(dir, entry.name);
    const isKnownDir = entry.type === DT.DIR;
    const mayWatch = (isKnownDir || entry.type === DT.UNKNOWN) && hooks.isWatchedDir(path);
    const isReported = hooks.isReported(path);
    if (!mayWatch && !isReported) continue;
    if (isLookDeferred && mayWatch && isKnownDir) {
      stack.push({ path, ino: entry.ino, unseen: { isReported, parent: identity } });
      continue;
    }
    const state = readState(`${via}/${entry.name}`);
    if (state === null) continue;
    const isWatched = mayWatch && state.type === 'dir';
    if (!isWatched && !isReported) continue;
    found(path, state, isReported);
    if (isWatched) stack.push({ path, ino: state.ino });
  }
}

/** The names in the folder `via` (names only: the lstat in scanFolder gives the type), or null. */
function listNames(via: string): string[] | null {
  try {
    return readdirSync(via, { encoding: 'buffer' }).map(decodeFsBytes);
  } catch {
    return null;
  }
}

export interface StateChange {
  readonly event: EventName;
  readonly path: string;
  readonly isDir: boolean;
}

/**
 * What changed between two states of the same paths, as events: new paths `create` (a new file
 * also `write` when not empty, `close_write`, and `link` when it is another name), gone ones
 * `delete`, replaced ones `delete` and `create`, changed content `write` and `close_write`
 * (`extend` too when larger), another link count `link`, other metadata or times alone `attrib` (but a content-only file rewritten with the
 * same content: nothing).
 */
export function diffStates(
  before: ReadonlyMap<string, PathState>,
  now: ReadonlyMap<string, PathState>,
): StateChange[] {
  const changes: StateChange[] = [];
  const isNew = (old: PathState | undefined, cur: PathState): boolean =>
    old === undefined || (isReplaced(old, cur) && !(old.type === 'file' && cur.type === 'file'));
  for (const [path, old] of before) {
    const cur = now.get(path);
    if (cur === undefined || isNew(old, cur))
      changes.push({ event: 'delete', path, isDir: old.type === 'dir' });
  }
  for (const [path, cur] of now) {
    const old = before.get(path);
    const isDir = cur.type === 'dir';
    if (old === undefined || isNew(old, cur)) {
      changes.push({ event: 'create', path, isDir });
      // A file that appeared between two looks was written and closed (or moved in, which the
      // contract counts as a change of the path's content); another name of an inode is a link.
      if (cur.type === 'file') {
        if (cur.nlink > 1) changes.push({ event: 'link', path, isDir });
        if (cur.size > 0) changes.push({ event: 'write', path, isDir });
        changes.push({ event: 'close_write', path, isDir });
      }
      continue;
    }
    if (isReplaced(old, cur)) {
      if (cur.size > old.size) changes.push({ event: 'extend', path, isDir });
      changes.push({ event: 'write', path, isDir }, { event: 'close_write', path, isDir });
      continue;
    }
    if (cur.nlink !== old.nlink && !isDir) changes.push({ event: 'link', path, isDir });
    if (isDir) continue;
    if (isContentChanged(old, cur)) {
      if (cur.size > old.size) changes.push({ event: 'extend', path, isDir });
      changes.push({ event: 'write', path, isDir }, { event: 'close_write', path, isDir });
    } else if (cur.mtimeMs === old.mtimeMs && cur.ctimeMs !== old.ctimeMs && cur.nlink === old.nlink) {
      // Only the inode's metadata moved (chmod, chown, xattrs).
      changes.push({ event: 'attrib', path, isDir });
    } else if (cur.mtimeMs !== old.mtimeMs && (old.hash === null || cur.hash === null)) {
      // New times alone (touch); with hashes on both sides this is a write that kept the content,
      // which a content-only target does not hear of.
      changes.push({ event: 'attrib', path, isDir });
    }
  }
  return changes;
}

/**
 * The reported paths in `scope` now, by reading it (poll, and the chokidar back-end's rescans),
 * hashing for content-only only the files whose size, time or inode moved since `prev`. The
 * folders are read at once; the hashes are taken off the event loop (content-hash.ts).
 */
export async function snapshotScope(
  scope: Scope,
  isContentOnly: boolean,
  prev: ReadonlyMap<string, PathState>,
  leftOut: (dir: string, errno: string) => void,
): Promise<Map<string, PathState>> {
  const now = new Map<string, PathState>();
  const hashing: Promise<void>[] = [];
  scanTree(
    scope.anchor,
    {
      watchDir: () => true, // reading only: a folder that is gone fails its readdir
      isReported: scope.isReported,
      isWatchedDir: scope.isWatchedDir,
      namesIn: scope.namesIn,
      leftOut,
    },
    (path, state, isReported) => {
      if (!isReported) return;
      now.set(path, state);
      if (!isContentOnly) return;
      const judged = withContentHash(path, state, prev.get(path));
      if (judged instanceof Promise) hashing.push(judged.then((s) => void now.set(path, s)));
      else now.set(path, judged);
    },
  );
  await Promise.all(hashing);
  return now;
}

/** Hands the changes a target asked for to its listener. */
export function reportChanges(
  changes: readonly StateChange[],
  events: ReadonlySet<string>,
  onEvent: EventListener,
): void {
  for (const change of changes) {
    if (events.has(change.event)) onEvent({ event: change.event, path: change.path, isDir: change.isDir });
  }
}
