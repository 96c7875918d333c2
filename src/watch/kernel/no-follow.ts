// Reaching watched folders without following a symbolic link a user planted: the base folder must
// be a real folder (lstat), and each folder a scan lists or watches is opened O_NOFOLLOW and
// checked to be the inode its parent's listing saw, then reached only through that descriptor.
import { closeSync, constants, fstatSync, lstatSync, openSync, statSync, type Stats } from 'node:fs';
import { toFsPath } from '../../system/path-bytes.js';
import { parentOf } from '../match.js';
import { nearestDir } from '../path-state.js';

/** Whether `path` is a folder itself, not a symbolic link to one (its parents are followed). */
export function isRealDir(path: string): boolean {
  try {
    return lstatSync(toFsPath(path), { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // ENOTDIR, EACCES, ENAMETOOLONG: not a folder the daemon can use
  }
}

/** Whether `path` is a symbolic link now. */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(toFsPath(path), { throwIfNoEntry: false })?.isSymbolicLink() === true;
  } catch {
    return false;
  }
}

/**
 * The base folder if it is a real folder, else the nearest folder above it to wait on. A base
 * that is a symbolic link counts as absent: a user who can replace it must not make the daemon
 * watch, list or report what it points to. (The folders above the base are the administrator's
 * path and are followed, so that /var/run/x works.)
 */
export function nearestArmable(anchor: string): string {
  if (anchor === '/' || isRealDir(anchor)) return anchor;
  return nearestDir(parentOf(anchor));
}

export type OpenedFolder =
  | {
      readonly kind: 'open';
      readonly fd: number;
      readonly via: string;
      readonly identity: string;
      /** The opened folder's own fstat. */
      readonly stats: Stats;
    }
  | { readonly kind: 'gone' }
  | { readonly kind: 'failed'; readonly errno: string };

const FOLDER_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/**
 * Opens the folder at `path` without following a final symbolic link, and, when `expectedIno`
 * is given, only if it is still that inode (a folder swapped for another, or reached through a
 * parent swapped for a link since it was listed, is `gone`). `via` (/proc/self/fd/N) names
 * exactly the opened folder until the fd is closed by the caller; `identity` is its `dev:ino`.
 */
export function openFolder(path: string, expectedIno: number | null): OpenedFolder {
  let fd: number;
  try {
    fd = openSync(toFsPath(path), FOLDER_FLAGS);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? 'EIO';
    // ELOOP: a symbolic link now; ENOTDIR: a file now (or a parent is). Both are absences.
    if (errno === 'ENOENT' || errno === 'ENOTDIR' || errno === 'ELOOP') return { kind: 'gone' };
    return { kind: 'failed', errno };
  }
  const stats = fstatSync(fd);
  if (expectedIno !== null && stats.ino !== expectedIno) {
    closeSync(fd);
    return { kind: 'gone' };
  }
  return { kind: 'open', fd, via: `/proc/self/fd/${fd}`, identity: `${stats.dev}:${stats.ino}`, stats };
}

/**
 * Whether the folder open as `via` is the root of a file system mounted on a folder of the folder
 * whose identity is `parent`: a mount point's entry in its parent's listing holds the inode under
 * the mount, not the one opened. Its `..` (resolved from the descriptor, not from a path a user
 * could swap) is then that parent, on another device.
 */
export function isMountedIn(via: string, stats: Stats, parent: string): boolean {
  try {
    const up = statSync(`${via}/..`);
    return `${up.dev}:${up.ino}` === parent && up.dev !== stats.dev;
  } catch {
    return false;
  }
}
