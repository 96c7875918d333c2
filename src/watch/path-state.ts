// The state kept per path (type, inode, size, mtime, link count; a content hash for content-only
// targets, filled in off the event loop by content-hash.ts), and what a change of it means in the
// contract's events. Back-end neutral; never reads a file's content (only lstat and stat).
import { lstatSync, type Stats } from 'node:fs';
import { parentOf } from './match.js';
import { toFsPath } from '../system/path-bytes.js';
import { isFolder } from '../system/is-folder.js';

export type PathType = 'file' | 'dir' | 'symlink' | 'other';

export interface PathState {
  readonly type: PathType;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** Changes with any metadata change (mode, owner, links) and with every write. */
  readonly ctimeMs: number;
  readonly nlink: number;
  /** SHA-1 of the content, kept only for files of content-only targets; null while unknown. */
  readonly hash: string | null;
}

export function typeOf(stats: Stats): PathType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  return stats.isSymbolicLink() ? 'symlink' : 'other';
}

/** The state of `path` now (not following a symbolic link, no hash), or null when it does not exist. */
export function readState(path: string): PathState | null {
  let stats: Stats | undefined;
  try {
    stats = lstatSync(toFsPath(path), { throwIfNoEntry: false });
  } catch {
    return null; // ENOTDIR, EACCES: as good as absent for the watcher
  }
  if (stats === undefined) return null;
  return stateOfStats(stats);
}

/** The state an lstat (or an fstat of a path's own descriptor) gives, without a content hash. */
export function stateOfStats(stats: Stats): PathState {
  return {
    type: typeOf(stats),
    ino: stats.ino,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    nlink: stats.nlink,
    hash: null,
  };
}

/** Whether `now` is another object at the same path (replaced, or its type changed). */
export function isReplaced(before: PathState, now: PathState): boolean {
  return before.ino !== now.ino || before.type !== now.type;
}

/** Whether the content looks changed: size or mtime moved, or (when both are known) the hash. */
export function isContentChanged(before: PathState, now: PathState): boolean {
  if (before.hash !== null && now.hash !== null) return before.hash !== now.hash;
  return before.size !== now.size || before.mtimeMs !== now.mtimeMs;
}

/** Whether `path` is a folder now (following links); false for ENOENT, ENOTDIR and EACCES alike. */
export const isDir = isFolder;

/** `path` if it is a folder, else its nearest ancestor that is ('/' at worst). */
export function nearestDir(path: string): string {
  let p = path;
  while (p !== '/' && !isDir(p)) p = parentOf(p);
  return p;
}

/** Whether two looks at a path saw the same thing (absent both times counts as the same). */
export function isSameState(a: PathState | undefined, b: PathState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.nlink === b.nlink
  );
}
