// The watch on an exact file itself (beside its parent folder's): a hard link made or removed,
// and a write through another name of the same inode, reach only the inode's watches. Held while
// the path is a file, re-added when another inode takes the path, dropped when it goes.
// A back-end without per-file watches (fanotify's FolderBook) refuses with ENOTDIR: then none.
import { SystemCallError } from '../../errors.js';
import type { PathState } from '../path-state.js';
import { FACT, PLACE, type Facts, type Interest } from './facts.js';
import type { WatchTable, WatchUser } from './watch-table.js';

/** The inode-level facts a file watch carries, from a folder's interest (ATTRIB has link counts). */
const INODE_EVENTS =
  FACT.MODIFY | FACT.ATTRIB | FACT.CLOSE_WRITE | FACT.ACCESS | FACT.OPEN | FACT.CLOSE_NOWRITE;

export class FileWatch<U extends WatchUser> {
  private readonly interest: Interest;
  /** The inode watched now, or null when none is. */
  private ino: number | null = null;
  /** The inode facts the folder's watch just reported for the path (see `fresh`). */
  private echo: Facts = 0;

  constructor(
    private readonly table: () => WatchTable<U>,
    private readonly user: U,
    readonly path: string,
    dirInterest: Interest,
  ) {
    const events = dirInterest & INODE_EVENTS;
    // Never through a symbolic link at the path: the link itself is what the entry names.
    this.interest = events === 0 ? 0 : (events | PLACE.NO_FOLLOW) >>> 0;
  }

  /** Whether the file's own watch is held: its events, not the folder's, then speak for it. */
  get isHeld(): boolean {
    return this.ino !== null;
  }

  /** Follows the path's state: watch the file there, another one, or none. Throws ENOSPC and the like. */
  sync(state: PathState | undefined): void {
    if (this.interest === 0) return;
    const ino = state?.type === 'file' ? state.ino : null;
    if (ino === this.ino) return;
    this.drop();
    if (ino === null) return;
    try {
      this.table().acquire(this.user, this.path, this.interest);
      this.ino = ino;
    } catch (error) {
      if (!(error instanceof SystemCallError)) throw error;
      // Gone or replaced by a folder since it was read (its events say so), or no per-file watches.
      if (error.errno === 'ENOENT' || error.errno === 'ENOTDIR' || error.errno === 'ELOOP') return;
      throw error;
    }
  }

  /** Releases the watch (the kernel watch goes with it unless another target holds it). */
  drop(): void {
    if (this.ino === null) return;
    this.ino = null;
    this.table().release(this.user, this.path);
  }

  /**
   * The kernel queues one event per watch: a change through this name comes from the folder's
   * watch, then at once from the file's. What the folder reported is kept until the next event
   * the target gets, and taken out of the file's: what is left came through another name.
   */
  heardFromFolder(facts: Facts): void {
    this.echo = this.ino === null ? 0 : facts & INODE_EVENTS;
  }

  /** The facts of a file-watch event the folder has not reported already. */
  fresh(facts: Facts): Facts {
    const bits = facts & ~this.echo & INODE_EVENTS;
    this.echo = 0;
    return bits;
  }

  /** Any other event for the target: an echo only ever follows at once. */
  heardOther(): void {
    this.echo = 0;
  }

  /** Whether the inode watched is still the one at the path. */
  isAt(state: PathState | null): boolean {
    return this.ino !== null && state?.type === 'file' && state.ino === this.ino;
  }

  /** The watch is gone (inotify's IN_IGNORED: the inode was freed, or unmounted). */
  forget(): void {
    this.ino = null;
  }
}
