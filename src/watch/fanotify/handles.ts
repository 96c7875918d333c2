// Folder file handles → paths: open_by_handle_at on the watch root's mount, the fd's path read
// back from /proc/self/fd, a bounded cache by handle; and the whole-component test that keeps
// only paths inside a watched root. Which events need which path is instance.ts's business.
//
// Races: a handle is resolved when its event is read, not when it happened, so a folder renamed
// in between resolves to its new place (the kernel's truth now), and one removed in between does
// not resolve at all (ESTALE, or an fd with no links left). The cache then answers with the
// path the folder had when it was last resolved; a folder never seen before is `lost`.
import { fstatSync } from 'node:fs';
import { errnoName } from '../../system/errno.js';
import * as sys from './libc.js';
import { decodeFsBytes } from '../../system/path-bytes.js';

export type Resolution =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly errno: string };

/** How a handle is turned into a path; `libcOpener` is the real one, tests may pass their own. */
export type HandleOpener = (mountFd: number, handle: Buffer) => Resolution;

/** The kernel's answer: open by handle (O_PATH), refuse an unlinked object, read the fd's path. */
export const libcOpener: HandleOpener = (mountFd, handle) => {
  const opened = sys.openByHandleAt(mountFd, handle);
  if (opened.value < 0) return { ok: false, errno: errnoName(opened.errno) };
  try {
    // A folder removed since the event still opens while its inode lives; its link count is 0
    // and readlink would say "PATH (deleted)", a path that no longer exists.
    if (fstatSync(opened.value).nlink === 0) return { ok: false, errno: 'ESTALE' };
    // Lossless: a folder whose name is not UTF-8 keeps its bytes (system/path-bytes.ts).
    return { ok: true, path: decodeFsBytes(sys.fdPath(opened.value)) };
  } catch (error) {
    // A path longer than PATH_MAX cannot be read back (ENAMETOOLONG): unresolvable, not a crash.
    return { ok: false, errno: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  } finally {
    sys.close(opened.value);
  }
};

/** Entries kept before the oldest are dropped: folders whose events were seen lately. */
export const HANDLE_CACHE_ENTRIES = 65_536;

/** Paths of folder handles on one or more mounts, most recently used kept. */
export class HandleCache {
  /**
   * By mount fd, then by the handle's bytes as a latin1 string (one char per byte: exact, and
   * half the length of hex, made in one step). A mount is on one file system, so its fsid is in
   * `fsid`; a handle given with another fsid is keyed with it in front (exact all the same).
   */
  private readonly mounts = new Map<number, MountPaths>();
  /** Where the last put went (the most recent): a hit on it needs no re-insert. */
  private newest: MountPaths | null = null;
  private newestKey: string | null = null;
  private entries = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly opener: HandleOpener = libcOpener,
    private readonly maxEntries = HANDLE_CACHE_ENTRIES,
  ) {}

  /** The folder's path now, or the one it had when last seen if it is gone since. */
  resolve(mountFd: number, fsid: string, handle: Buffer): Resolution {
    const path = this.pathOf(mountFd, fsid, handle);
    return path !== null ? { ok: true, path } : this.lastFailure;
  }

  /** Why the last `pathOf` answered null. */
  private lastFailure: Resolution = { ok: false, errno: 'ESTALE' };

  /** As `resolve`, without a result object: the path, or null (the reason in `resolve`). */
  pathOf(mountFd: number, fsid: string, handle: Buffer): string | null {
    const mount = this.mountOf(mountFd, fsid);
    const key = keyOf(mount, fsid, handle);
    const cached = mount.paths.get(key);
    if (cached !== undefined) {
      this.hits++;
      // Re-insert: Map order is the recency order (a flood in one folder hits the newest: as is).
      if (mount !== this.newest || key !== this.newestKey) this.put(mount, key, cached, true);
      return cached;
    }
    this.misses++;
    const fresh = this.opener(mountFd, handle);
    if (!fresh.ok) {
      this.lastFailure = fresh;
      return null;
    }
    this.put(mount, key, fresh.path, false);
    return fresh.path;
  }

  /** A folder whose path an event gave (made, or moved, there): no need to ask the kernel. */
  remember(mountFd: number, fsid: string, handle: Buffer, path: string): void {
    const mount = this.mountOf(mountFd, fsid);
    this.put(mount, keyOf(mount, fsid, handle), path, false);
  }

  private mountOf(mountFd: number, fsid: string): MountPaths {
    let mount = this.mounts.get(mountFd);
    if (mount === undefined) {
      mount = { fsid, paths: new Map() };
      this.mounts.set(mountFd, mount);
    }
    return mount;
  }

  /**
   * Sets `key`'s path: moved to the most recent place when `isMoved`, else where it is (a key
   * already there keeps its place, as Map.set does) or last when new.
   */
  private put(mount: MountPaths, key: string, path: string, isMoved: boolean): void {
    const paths = mount.paths;
    if (isMoved) paths.delete(key);
    else if (paths.has(key)) return void paths.set(key, path);
    else this.entries++;
    paths.set(key, path);
    this.newest = mount;
    this.newestKey = key;
    if (this.entries > this.maxEntries) this.dropOldest();
  }

  /** Asks the kernel without caching (for files, whose paths the cache cannot keep true). */
  open(mountFd: number, handle: Buffer): Resolution {
    return this.opener(mountFd, handle);
  }

  /** A folder was renamed: every cached path at or under `oldPath` is wrong now. */
  forgetUnder(oldPath: string): void {
    for (const mount of this.mounts.values()) {
      for (const [key, path] of mount.paths) {
        if (isAtOrUnder(path, oldPath)) {
          mount.paths.delete(key);
          this.entries--;
        }
      }
    }
  }

  /** Everything that was resolved on `mountFd` (its root was unmarked and the fd closed). */
  forgetMount(mountFd: number): void {
    const mount = this.mounts.get(mountFd);
    if (mount === undefined) return;
    this.entries -= mount.paths.size;
    this.mounts.delete(mountFd);
    if (this.newest === mount) this.newest = null;
  }

  get size(): number {
    return this.entries;
  }

  // The least recently used of the mount holding the most (mounts are few: one per marked
  // mount); the bound is on all of them together, and a mount's first entry is not its victim.
  private dropOldest(): void {
    let largest: MountPaths | null = null;
    for (const mount of this.mounts.values())
      if (largest === null || mount.paths.size > largest.paths.size) largest = mount;
    const oldest = largest?.paths.keys().next();
    if (largest === null || oldest === undefined || oldest.done === true) return;
    largest.paths.delete(oldest.value);
    this.entries--;
  }
}

interface MountPaths {
  /** The file system the mount is on (the fsid of the first handle asked for on it). */
  readonly fsid: string;
  readonly paths: Map<string, string>;
}

// Exact: latin1 maps each byte to one char; a foreign fsid (not the mount's) is put in front. The
// two forms cannot meet: a handle starts with its u32 length (≤ MAX_HANDLE_SZ, 128), so its
// second char is NUL, never a hex digit as the second char of an fsid is.
function keyOf(mount: MountPaths, fsid: string, handle: Buffer): string {
  const bytes = handle.toString('latin1');
  return fsid === mount.fsid ? bytes : `${fsid}:${bytes}`;
}

/** Whether `path` is `root` or inside it, on whole path components: /var/lib_x is not in /var/lib. */
export function isAtOrUnder(path: string, root: string): boolean {
  if (root === '/') return path.startsWith('/');
  return path === root || (path.startsWith(root) && path.charCodeAt(root.length) === 0x2f);
}

/** The watched roots `path` is at or under; a trailing slash on a root is ignored. */
export function rootsHolding(path: string, roots: Iterable<string>): string[] {
  const held: string[] = [];
  for (const root of roots) if (isAtOrUnder(path, trimSlash(root))) held.push(root);
  return held;
}

/** Whether `path` is a folder above `root` (moving or removing it moves or removes the root). */
export function isAncestorOf(path: string, root: string): boolean {
  return path !== root && isAtOrUnder(trimSlash(root), path);
}

/** `path` without a trailing slash ('/' stays). */
export function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** `dir` joined with an entry's name as fanotify reports it ("." is the folder itself). */
export function joinName(dir: string, name: string): string {
  if (name === '.' || name === '') return dir;
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
