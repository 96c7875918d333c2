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
  private readonly handleByInode = new Map<string, WatchHandle>();
  private readonly inodeByHandle = new Map<WatchHandle, string>();
  private nextHandle = 1;

  /** The folder's handle: the same for the same inode. Throws ENOTDIR for anything but a folder. */
  watch(path: string | Buffer, interest: Interest, how: WatchHow): WatchHandle {
    const shownAs = how.shownAs;
    let key: string;
    if (how.identity !== undefined) return this.book(how.identity);
    try {
      const fsPath = typeof path === 'string' ? toFsPath(path) : path;
      const stats = (interest & PLACE.NO_FOLLOW) !== 0 ? lstatSync(fsPath) : statSync(fsPath);
      if (!stats.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      key = `${stats.dev}:${stats.ino}`;
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code ?? 'EIO';
      const shown = shownAs ?? (typeof path === 'string' ? path : path.toString('utf8'));
      throw new SystemCallError('stat', errno, shown, msg.watchAddFailed(shown, errno, null), {
        cause: error,
      });
    }
    return this.book(key);
  }

  private book(key: string): WatchHandle {
    const known = this.handleByInode.get(key);
    if (known !== undefined) return known;
    const handle = this.nextHandle++;
    this.handleByInode.set(key, handle);
    this.inodeByHandle.set(handle, key);
    return handle;
  }

  unwatch(handle: WatchHandle): void {
    const key = this.inodeByHandle.get(handle);
    if (key === undefined) return;
    this.inodeByHandle.delete(handle);
    this.handleByInode.delete(key);
  }

  /** Every booked handle (for the sweep after a folder above a target's anchor is removed). */
  handles(): WatchHandle[] {
    return [...this.inodeByHandle.keys()];
  }
}
