// The folders each fanotify target covers, kept in the inotify back-end's WatchTable so the same
// target logic (inotify/target.ts) serves both back-ends. fanotify needs no kernel work per
// folder: this stands in for the inotify instance and only books them, one "wd" per inode as
// inotify would give, so moved and re-made folders are told apart the same way.
import { lstatSync, statSync } from 'node:fs';
import { toFsPath } from '../../system/path-bytes.js';
import { IN } from '../inotify/mask.js';
import { SystemCallError } from '../../errors.js';
import * as msg from '../../log/messages/watch-kernel.js';
import type { InotifyInstance } from '../inotify/instance.js';

export class FolderBook implements InotifyInstance {
  readonly fd = -1;
  private readonly wdByInode = new Map<string, number>();
  private readonly inodeByWd = new Map<number, string>();
  private nextWd = 1;

  /** The folder's "wd": the same for the same inode, as inotify_add_watch returns. */
  addWatch(path: string | Buffer, mask: number, shownAs?: string): number {
    let key: string;
    try {
      const fsPath = typeof path === 'string' ? toFsPath(path) : path;
      const stats = (mask & IN.DONT_FOLLOW) !== 0 ? lstatSync(fsPath) : statSync(fsPath);
      if (!stats.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      key = `${stats.dev}:${stats.ino}`;
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code ?? 'EIO';
      const shown = shownAs ?? (typeof path === 'string' ? path : path.toString('utf8'));
      throw new SystemCallError('stat', errno, shown, msg.watchAddFailed(shown, errno, null), {
        cause: error,
      });
    }
    const known = this.wdByInode.get(key);
    if (known !== undefined) return known;
    const wd = this.nextWd++;
    this.wdByInode.set(key, wd);
    this.inodeByWd.set(wd, key);
    return wd;
  }

  removeWatch(wd: number): void {
    const key = this.inodeByWd.get(wd);
    if (key === undefined) return;
    this.inodeByWd.delete(wd);
    this.wdByInode.delete(key);
  }

  /** Every booked wd (for the sweep after a folder above a target's anchor is removed). */
  wds(): number[] {
    return [...this.inodeByWd.keys()];
  }

  onEvents(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}
