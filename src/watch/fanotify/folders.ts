// The folders each fanotify target covers, kept in the core's WatchTable so the same target logic
// (kernel/target.ts) serves both kernel back-ends. fanotify needs no kernel work per folder (one
// mark covers the file system): this is its WatchKernel, which only books folders, one handle per
// inode, so moved and re-made folders are told apart. Files are refused (no per-file watches).
import { lstatSync, statSync } from 'node:fs';
import { toFsPath } from '../../system/path-bytes.js';
import { SystemCallError } from '../../errors.js';
import { msgKernel as msg } from '../../log/messages/watch-kernel.js';
import { PLACE, type Interest, type WatchHandle, type WatchHow, type WatchKernel } from '../kernel/facts.js';

export class FolderBook implements WatchKernel {
  /**
   * The handles booked. A folder's handle is its numeric inode key itself (keyOf: exact, so one
   * handle per inode, and no map per folder); only an inode past what that key holds gets a
   * handle from `nextHandle` (negative: never a numeric key), by its `dev:ino` in `handleByInode`.
   */
  private readonly booked = new Set<WatchHandle>();
  private readonly handleByInode = new Map<string, WatchHandle>();
  private readonly inodeByHandle = new Map<WatchHandle, string>();
  /** The devices seen, by the index each has in numeric keys (a handful: one per file system). */
  private readonly devices: number[] = [];
  private nextHandle = -1;

  /** The folder's handle: the same for the same inode. Throws ENOTDIR for anything but a folder. */
  watch(path: string | Buffer, interest: Interest, how: WatchHow): WatchHandle {
    const shownAs = how.shownAs;
    let key: InodeKey;
    if (how.identity !== undefined) return this.book(this.keyOfIdentity(how.identity));
    try {
      const fsPath = typeof path === 'string' ? toFsPath(path) : path;
      const stats = (interest & PLACE.NO_FOLLOW) !== 0 ? lstatSync(fsPath) : statSync(fsPath);
      if (!stats.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      key = this.keyOf(stats.dev, stats.ino);
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code ?? 'EIO';
      const shown = shownAs ?? (typeof path === 'string' ? path : path.toString('utf8'));
      throw new SystemCallError('stat', errno, shown, msg.watchAddFailed(shown, errno, null), {
        cause: error,
      });
    }
    return this.book(key);
  }

  // `dev:ino` as the scan gives it (kernel/no-follow.ts), parsed back into its two numbers.
  private keyOfIdentity(identity: string): InodeKey {
    const colon = identity.indexOf(':');
    return this.keyOf(Number(identity.slice(0, colon)), Number(identity.slice(colon + 1)));
  }

  /**
   * One exact key per (dev, ino): `ino + deviceIndex × 2^47` while ino < 2^47 and fewer than 64
   * devices are seen (both parts then fit a double's 53 bits with no overlap, and the first
   * device's keys are the inode numbers themselves: small integers, unboxed); else the string
   * `dev:ino` (a Map tells the number 5 from the string "5").
   */
  private keyOf(dev: number, ino: number): InodeKey {
    if (Number.isSafeInteger(ino) && ino >= 0 && ino < INO_LIMIT && Number.isSafeInteger(dev)) {
      let index = this.devices.indexOf(dev);
      if (index < 0 && this.devices.length < MAX_DEVICES) index = this.devices.push(dev) - 1;
      if (index >= 0) return index * INO_LIMIT + ino;
    }
    return `${dev}:${ino}`;
  }

  private book(key: InodeKey): WatchHandle {
    if (typeof key === 'number') {
      this.booked.add(key);
      return key;
    }
    const known = this.handleByInode.get(key);
    if (known !== undefined) return known;
    const handle = this.nextHandle--;
    this.handleByInode.set(key, handle);
    this.inodeByHandle.set(handle, key);
    this.booked.add(handle);
    return handle;
  }

  unwatch(handle: WatchHandle): void {
    if (!this.booked.delete(handle)) return;
    const key = this.inodeByHandle.get(handle);
    if (key === undefined) return;
    this.inodeByHandle.delete(handle);
    this.handleByInode.delete(key);
  }

  /** Every booked handle (for the sweep after a folder above a target's anchor is removed). */
  handles(): WatchHandle[] {
    return [...this.booked];
  }
}

/** A folder's inode: a number (see FolderBook.keyOf) or, past what a number holds exactly, `dev:ino`. */
type InodeKey = number | string;

/** 2^47: inode numbers below it share a double with a device index below MAX_DEVICES (2^6). */
const INO_LIMIT = 2 ** 47;
const MAX_DEVICES = 64;
