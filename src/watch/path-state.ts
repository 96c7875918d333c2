// The state kept per path (type, inode, size, mtime, link count; a content hash for content-only
// targets), and what a change of it means in the contract's events. `extend`, `link` and
// content-only writes are derived here; back-end neutral (the poll and fanotify back-ends reuse it).
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  statSync,
  type Stats,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { parentOf } from './match.js';
import { toFsPath } from '../system/path-bytes.js';

export type PathType = 'file' | 'dir' | 'symlink' | 'other';

export interface PathState {
  readonly type: PathType;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** Changes with any metadata change (mode, owner, links) and with every write. */
  readonly ctimeMs: number;
  readonly nlink: number;
  /** SHA-1 of the content, kept only for files of content-only targets; null until known. */
  readonly hash: string | null;
}

export function typeOf(stats: Stats): PathType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  return stats.isSymbolicLink() ? 'symlink' : 'other';
}

/** The state of `path` now (not following a symbolic link), or null when it does not exist. */
export function readState(path: string, withHash = false): PathState | null {
  let stats: Stats | undefined;
  try {
    stats = lstatSync(toFsPath(path), { throwIfNoEntry: false });
  } catch {
    return null; // ENOTDIR, EACCES: as good as absent for the watcher
  }
  if (stats === undefined) return null;
  const type = typeOf(stats);
  const hash = withHash && type === 'file' ? hashFile(path, stats.ino) : null;
  return {
    type,
    ino: stats.ino,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    nlink: stats.nlink,
    hash,
  };
}

const HASH_CHUNK_BYTES = 1 << 20;
let chunk: Buffer | null = null;

/**
 * Files larger than this are not hashed: their change counts on size and times alone. The hash is
 * read on the main thread (so events keep their order), and this bound keeps one hash to a few
 * milliseconds whatever size a user gives a file in a watched folder (man watchtab(5), content-only).
 */
export const HASH_MAX_BYTES = 8 << 20;

/**
 * Opening what a user may swap at any moment: never through a symbolic link, never waiting (a
 * FIFO or a device planted in the file's place would block open(2) or read(2) for good), never
 * taking a controlling terminal.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * SHA-1 of a file's content, read in 1 MiB chunks; null when it cannot be read, is not a regular
 * file, is no longer the inode `ino` the caller looked at, or is over HASH_MAX_BYTES. What is
 * checked (fstat) is what is read. SHA-1 is the fastest digest node's crypto offers here; it tells
 * changes apart, it guards nothing. Called at close_write and on rescans only, never per IN_MODIFY.
 */
export function hashFile(path: string, ino?: number): string | null {
  let fd: number;
  try {
    fd = openSync(toFsPath(path), OPEN_FLAGS);
  } catch {
    return null;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > HASH_MAX_BYTES) return null;
    if (ino !== undefined && stats.ino !== ino) return null;
    chunk ??= Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    const hash = createHash('sha1');
    // Bounded even if the file grows while it is read.
    for (let total = 0; total <= HASH_MAX_BYTES;) {
      const n = readSync(fd, chunk, 0, HASH_CHUNK_BYTES, null);
      if (n <= 0) return hash.digest('hex');
      total += n;
      hash.update(chunk.subarray(0, n));
    }
    return null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
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
export function isDir(path: string): boolean {
  try {
    return statSync(toFsPath(path), { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

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
