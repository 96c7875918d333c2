// Walking a target's folders: the initial scan at arm, the scan of a folder that appeared, the
// rescan after an overflow, and the diff of two states into events. Each folder is watched
// before it is read, so an entry made in between is seen twice (scan and event) and never lost;
// the state dedupes it. Back-end neutral: watching a folder is a callback.
import { readdirSync, type Dirent } from 'node:fs';
import type { EventName } from '../watchtab/entry.js';
import { joinPath } from './match.js';
import { isContentChanged, isReplaced, readState, type PathState } from './path-state.js';

export interface ScanHooks {
  /** Starts watching `dir`; false when it is gone (then it is not read). May throw to stop the scan. */
  watchDir(dir: string): boolean;
  isReported(path: string): boolean;
  isWatchedDir(dir: string): boolean;
  /** Whether a content hash is kept for the file at `path`. */
  hasHash(path: string): boolean;
}

/** Calls `found` for each entry below `root` that is reported or watched, with its state. */
export function scanTree(
  root: string,
  hooks: ScanHooks,
  found: (path: string, state: PathState, isReported: boolean) => void,
): void {
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    if (!hooks.watchDir(dir)) continue;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // removed or unreadable since it was watched: its events say so
    }
    for (const entry of entries) {
      const path = joinPath(dir, entry.name);
      const isDir = entry.isDirectory();
      const isWatched = isDir && hooks.isWatchedDir(path);
      const isReported = hooks.isReported(path);
      if (!isWatched && !isReported) continue;
      const state = readState(path, isReported && !isDir && hooks.hasHash(path));
      if (state === null) continue;
      found(path, state, isReported);
      if (isWatched && state.type === 'dir') stack.push(path);
    }
  }
}

export interface StateChange {
  readonly event: EventName;
  readonly path: string;
  readonly isDir: boolean;
}

/**
 * What changed between two states of the same paths, as events: new paths `create`, gone ones
 * `delete`, replaced ones `delete` and `create`, changed content `write` and `close_write`
 * (`extend` too when larger), another link count `link`, another mtime alone `attrib`.
 */
export function diffStates(
  before: ReadonlyMap<string, PathState>,
  now: ReadonlyMap<string, PathState>,
): StateChange[] {
  const changes: StateChange[] = [];
  for (const [path, old] of before) {
    const cur = now.get(path);
    if (cur === undefined || isReplaced(old, cur)) changes.push({ event: 'delete', path, isDir: old.type === 'dir' });
  }
  for (const [path, cur] of now) {
    const old = before.get(path);
    const isDir = cur.type === 'dir';
    if (old === undefined || isReplaced(old, cur)) {
      changes.push({ event: 'create', path, isDir });
      continue;
    }
    if (cur.nlink !== old.nlink && !isDir) changes.push({ event: 'link', path, isDir });
    if (isDir) continue;
    if (isContentChanged(old, cur)) {
      if (cur.size > old.size) changes.push({ event: 'extend', path, isDir });
      changes.push({ event: 'write', path, isDir }, { event: 'close_write', path, isDir });
    } else if (cur.mtimeMs !== old.mtimeMs) {
      changes.push({ event: 'attrib', path, isDir });
    }
  }
  return changes;
}
