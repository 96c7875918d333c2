// One armed target on the inotify back-end: its scope, the folders it watches (through the shared
// WatchTable), the state kept per path, and the translation of kernel facts into its events.
// Guarantees handled here: a missing path is armed when it appears (the nearest existing
// ancestor is watched and we step down); new folders are watched, then scanned; a folder moved
// away has its watches released; a file moved onto a reported path is a content change.
// Decisions: an exact file is watched through its parent folder only (no watch on the file: the
// parent reports its writes, attributes and closes, and sees it replaced by rename; a file on
// another mount than its folder is the exception). A folder moved in is scanned and its contents
// reported as `create`; a folder moved out is one `delete` (its own), its watches released; a
// folder moved within the scope is one `rename`, its entries keep their state under new names.
import type { EventListener, WatchEvent, WatchTarget } from '../backend.js';
import type { EventName } from '../../watchtab/entry.js';
import { SystemCallError } from '../../errors.js';
import { compileScope, parentOf, type Scope } from '../match.js';
import { isWithin } from '../../watchtab/path-pattern.js';
import { isDir, isReplaced, nearestDir, readState, type PathState } from '../path-state.js';
import { diffStates, scanTree } from '../scan.js';
import { IN } from './mask.js';
import { FileWatch } from './file-watch.js';
import type { WatchTable, WatchUser } from './tree.js';

const STRUCTURE = IN.CREATE | IN.DELETE | IN.MOVED_FROM | IN.MOVED_TO | IN.DELETE_SELF | IN.MOVE_SELF;
const WAIT_MASK = (IN.CREATE | IN.MOVED_TO | IN.DELETE_SELF | IN.MOVE_SELF | IN.ONLYDIR) >>> 0;

/** The kernel events a target's folders need, from the contract events it asks for. */
export function dirMaskFor(events: ReadonlySet<EventName>, contentOnly: boolean): number {
  let mask = STRUCTURE | IN.ONLYDIR;
  if (events.has('write') || events.has('extend')) mask |= IN.MODIFY;
  if (events.has('close_write') || (contentOnly && events.has('write'))) mask |= IN.CLOSE_WRITE;
  if (events.has('attrib') || events.has('link') || events.has('extend')) mask |= IN.ATTRIB;
  if (events.has('access')) mask |= IN.ACCESS;
  if (events.has('open')) mask |= IN.OPEN;
  if (events.has('close_nowrite')) mask |= IN.CLOSE_NOWRITE;
  return mask >>> 0;
}

/** What a target tells the back-end: failures to log and retry, and counts after a rescan. */
export interface TargetHost {
  readonly table: WatchTable;
  /** A sub-folder could not be watched (EACCES): logged once per target, then skipped. */
  skipped(target: TargetWatch, error: SystemCallError): void;
  /** Watches were added: the back-end checks the budget. */
  grew(): void;
}

export class TargetWatch implements WatchUser {
  readonly id: string;
  readonly scope: Scope;
  readonly events: ReadonlySet<EventName>;
  readonly dirMask: number;
  /** Per reported path and per watched folder. */
  state = new Map<string, PathState>();
  /** The ancestor watched while the anchor does not exist, else null. */
  waitingOn: string | null = null;
  isArmed = false;
  /** An exact path's own watch, held while it is a file (inotify only; null for the other kinds). */
  private readonly file: FileWatch | null;

  constructor(
    readonly target: WatchTarget,
    private readonly host: TargetHost,
    private readonly listener: EventListener,
  ) {
    this.id = target.id;
    this.scope = compileScope(target.path, target.exclude);
    this.events = new Set(target.events);
    this.dirMask = dirMaskFor(this.events, target.contentOnly);
    this.file =
      target.path.kind === 'exact'
        ? new FileWatch(() => this.table, this, this.scope.named, this.dirMask)
        : null;
  }

  private get table(): WatchTable {
    return this.host.table;
  }

  /**
   * Arms the anchor, or the nearest existing ancestor while it does not exist. With `isReporting`,
   * what is found is reported as created (it appeared). Throws SystemCallError (EACCES, ENOSPC).
   */
  settle(isReporting: boolean): void {
    for (;;) {
      const ancestor = nearestDir(this.scope.anchor);
      if (ancestor === this.scope.anchor) {
        this.stopWaiting();
        this.armTree(this.scope.anchor, isReporting);
        this.isArmed = true;
        return;
      }
      this.isArmed = false;
      if (this.waitingOn !== ancestor) {
        this.stopWaiting();
        this.table.acquire(this, ancestor, WAIT_MASK);
        this.waitingOn = ancestor;
      }
      if (nearestDir(this.scope.anchor) === ancestor) return; // nothing appeared meanwhile
    }
  }

  private stopWaiting(): void {
    if (this.waitingOn !== null) this.table.release(this, this.waitingOn);
    this.waitingOn = null;
  }

  /** Watches and reads `root` and the folders below it in scope; reports what is new if asked. */
  private armTree(root: string, isReporting: boolean): void {
    if (!this.state.has(root)) this.found(root, isReporting && this.scope.isReported(root));
    scanTree(
      root,
      {
        watchDir: (dir) => this.watchDir(dir),
        isReported: (p) => this.scope.isReported(p),
        isWatchedDir: (d) => this.scope.isWatchedDir(d),
        namesIn: (d) => this.scope.namesIn(d),
        // A file found new gets no hash: its next close_write counts, whatever it wrote.
        hasHash: () => this.target.contentOnly && !isReporting,
      },
      (path, now, isReported) => {
        const before = this.state.get(path);
        this.state.set(path, now);
        if (isReporting && isReported && (before === undefined || isReplaced(before, now)))
          this.emit('create', path, now.type === 'dir');
      },
    );
    this.file?.sync(this.state.get(this.scope.named));
    this.host.grew();
  }

  private found(path: string, isReporting: boolean): void {
    const now = readState(path, this.target.contentOnly && !isReporting);
    if (now === null) return;
    this.state.set(path, now);
    if (isReporting) this.emit('create', path, now.type === 'dir');
  }

  private watchDir(dir: string): boolean {
    try {
      this.table.acquire(this, dir, this.dirMask);
      return true;
    } catch (error) {
      if (!(error instanceof SystemCallError)) throw error;
      if (error.errno === 'ENOENT' || error.errno === 'ENOTDIR') return false;
      if (error.errno === 'EACCES' && dir !== this.scope.anchor && dir !== this.scope.named) {
        this.host.skipped(this, error);
        return false;
      }
      throw error;
    }
  }

  /** Releases every watch and forgets the state. */
  release(): void {
    this.table.releaseAll(this);
    this.file?.forget();
    this.waitingOn = null;
    this.isArmed = false;
  }

  emit(event: EventName, path: string, isDir: boolean, oldPath?: string): void {
    if (!this.events.has(event)) return;
    const e: WatchEvent = oldPath === undefined ? { event, path, isDir } : { event, path, oldPath, isDir };
    this.listener(e);
  }

  // ---- kernel facts, already turned into paths by the back-end ----

  /** An event about an entry of a watched folder (never a move: see moved()). */
  child(dir: string, path: string, mask: number): void {
    const isDir = (mask & IN.ISDIR) !== 0;
    if (this.waitingOn !== null) {
      if (dir === this.waitingOn && isWithin(this.scope.anchor, path)) this.settle(true);
      return;
    }
    if (mask & IN.CREATE) this.created(path, isDir);
    if (mask & IN.DELETE) this.deleted(path, isDir);
    if (path === this.file?.path) this.file.heardFromFolder(mask);
    else this.file?.heardOther();
    if (!this.scope.isReported(path)) return;
    if (mask & IN.MODIFY) this.modified(path);
    if (mask & IN.ATTRIB) this.attribChanged(path, isDir);
    if (mask & IN.CLOSE_WRITE) this.closedWrite(path);
    if (mask & IN.ACCESS) this.emit('access', path, isDir);
    if (mask & IN.OPEN) this.emit('open', path, isDir);
    if (mask & IN.CLOSE_NOWRITE) this.emit('close_nowrite', path, isDir);
  }

  /** An event about a watched folder itself. */
  self(dir: string, mask: number): void {
    if (this.file?.isHeld === true && dir === this.file.path) return this.fileChanged(dir, mask);
    this.file?.heardOther();
    if (dir === this.waitingOn) return; // its IN_IGNORED says when it is gone
    if (mask & IN.ATTRIB && this.scope.isReported(dir)) this.attribChanged(dir, true);
    // Every watch on the file system gets IN_UNMOUNT: one revoke, from the anchor's or the named
    // folder's (an unmount deeper in a tree is not reported: its IN_IGNORED re-watches below).
    if (mask & IN.UNMOUNT && (dir === this.scope.anchor || dir === this.scope.named))
      this.emit('revoke', this.scope.named, true);
    if (mask & IN.MOVE_SELF && dir === this.scope.anchor) {
      // The anchor moved and no watched parent saw where: is the folder at its path still it?
      const now = readState(dir);
      const kept = this.state.get(dir) ?? null;
      if (now === null || (kept !== null && isReplaced(kept, now))) this.lost();
    }
  }

  /** An event of the exact file's own watch: what came through another name, as the folder's would. */
  private fileChanged(path: string, mask: number): void {
    const file = this.file;
    if (file === null) return;
    const fresh = file.fresh(mask);
    // An unlink of this name tells the inode first (its link count): the folder's delete follows.
    if (fresh === 0 || !file.isAt(readState(path))) return;
    this.child(parentOf(path), path, fresh);
    file.heardOther(); // what was just handled came from the file's watch, not the folder's
  }

  /** The kernel dropped the watch held under `path` (IN_IGNORED). */
  gone(path: string): void {
    if (path === this.file?.path) this.file.forget();
    if (path === this.waitingOn) {
      this.waitingOn = null;
      this.settle(true);
    } else if (path === this.scope.anchor && !this.table.isHeld(this, path)) {
      this.lost();
    } else if (this.isArmed && this.scope.isWatchedDir(path) && !this.table.isHeld(this, path)) {
      // Still a folder at that path (an unmount uncovered the one below): watch that one.
      if (isDir(path)) this.armTree(path, true);
    }
  }

  /** The anchor went away: report what it held as deleted, then wait for it again. */
  private lost(): void {
    for (const [path, kept] of this.state)
      if (this.scope.isReported(path)) this.emit('delete', path, kept.type === 'dir');
    this.state.clear();
    this.release();
    this.settle(true);
  }

  private created(path: string, isDir: boolean): void {
    if (isDir && this.scope.isWatchedDir(path)) {
      this.armTree(path, true); // watched first, then read: `mkdir -p a/b/c && touch a/b/c/f` is seen whole
      if (this.scope.isReported(path)) this.createdReported(path);
      return;
    }
    if (this.scope.isReported(path)) this.createdReported(path);
  }

  private createdReported(path: string): void {
    const before = this.state.get(path);
    const now = readState(path); // no hash: a new file's first close_write always counts
    if (now !== null) this.state.set(path, now);
    if (path === this.file?.path) this.file.sync(now ?? undefined);
    // Already known with the same inode: a scan found it first (the folder was read after it
    // was watched); the kernel's IN_CREATE is the same fact, not a second one.
    if (before !== undefined && now !== null && !isReplaced(before, now)) return;
    this.emit('create', path, now?.type === 'dir');
    if (now !== null && now.type !== 'dir' && now.nlink > 1) this.linked(path, now);
  }

  /** A new name for an existing inode (a hard link): `link` on it and on the names already known. */
  private linked(path: string, now: PathState): void {
    this.emit('link', path, false);
    for (const [other, kept] of this.state) {
      if (other === path || kept.ino !== now.ino) continue;
      this.state.set(other, { ...kept, nlink: now.nlink });
      if (this.scope.isReported(other)) this.emit('link', other, false);
    }
  }

  private deleted(path: string, isDir: boolean): void {
    const kept = this.state.get(path);
    this.forgetWithin(path, isDir || kept?.type === 'dir');
    if (path === this.file?.path) this.file.drop(); // another name may keep the inode alive
    if (this.scope.isReported(path)) this.emit('delete', path, isDir);
  }

  /** Drops the state of `path` (and, for a folder, everything below it and the watches there). */
  private forgetWithin(path: string, isDir: boolean): void {
    this.state.delete(path);
    if (!isDir) return;
    for (const p of this.table.pathsWithin(this, path)) this.table.release(this, p);
    for (const p of [...this.state.keys()]) if (isWithin(p, path)) this.state.delete(p);
  }

  private modified(path: string): void {
    // content-only: whether the content changed (and grew) is known at close_write
    if (this.target.contentOnly) return;
    if (this.events.has('extend')) {
      const kept = this.state.get(path);
      const now = readState(path);
      if (now !== null) {
        if (kept !== undefined && now.size > kept.size) this.emit('extend', path, false);
        this.state.set(path, { ...now, hash: kept?.hash ?? null });
      }
    }
    this.emit('write', path, false);
  }

  private closedWrite(path: string): void {
    const kept = this.state.get(path);
    const now = readState(path, this.target.contentOnly);
    if (now !== null) this.state.set(path, now);
    if (this.target.contentOnly) {
      if (now !== null && kept !== undefined && kept.hash !== null && kept.hash === now.hash) return;
      if (now !== null && kept !== undefined && now.size > kept.size) this.emit('extend', path, false);
      this.emit('write', path, false);
    }
    this.emit('close_write', path, false);
  }

  private attribChanged(path: string, isDir: boolean): void {
    const kept = this.state.get(path);
    const now = readState(path);
    if (now !== null) this.state.set(path, { ...now, hash: kept?.hash ?? null });
    if (kept !== undefined && now !== null && !isDir) {
      if (now.nlink !== kept.nlink) this.emit('link', path, false);
      if (now.size > kept.size) this.emit('extend', path, false);
    }
    this.emit('attrib', path, isDir);
  }

  /**
   * An entry moved: `from` null when it came from outside what this target watches, `to` null
   * when it left. Inside the scope it is one `rename`; a file moved onto a reported path is a
   * content change of that path (`write`, `close_write`, and `create` when nothing was there).
   */
  moved(from: string | null, to: string | null, isDir: boolean): void {
    if (this.waitingOn !== null) {
      if (to !== null && isWithin(this.scope.anchor, to)) this.settle(true);
      return;
    }
    const wasReported = from !== null && this.scope.isReported(from);
    const isFolder = isDir || (from !== null && this.state.get(from)?.type === 'dir');
    const carried = from === null ? new Map<string, PathState>() : this.takeWithin(from, isFolder);
    if (from === this.file?.path) this.file.drop();
    if (to === null) {
      if (isFolder && from !== null) this.forgetWithin(from, true); // the kernel still watches it, elsewhere
      if (wasReported) this.emit('delete', from, isDir);
      return;
    }
    const before = this.state.get(to);
    if (isFolder) this.carry(carried, from ?? to, to);
    const now = readState(to, this.target.contentOnly && !isFolder);
    if (now !== null) this.state.set(to, now);
    if (to === this.file?.path) this.file.sync(now ?? undefined);
    if (isFolder && this.scope.isWatchedDir(to)) this.armTree(to, true);
    else if (isFolder) this.forgetWithin(to, true); // re-pathed watches, now out of reach
    if (!this.scope.isReported(to)) {
      if (!this.scope.isWatchedDir(to)) this.state.delete(to);
      if (wasReported) this.emit('delete', from, isDir);
      return;
    }
    if (now !== null) this.state.set(to, now);
    if (wasReported) this.emit('rename', to, isDir, from);
    if (before === undefined) this.emit('create', to, isDir);
    if (isFolder) return;
    const isSameContent = before?.hash !== undefined && before.hash !== null && before.hash === now?.hash;
    if (this.target.contentOnly && isSameContent) return;
    this.emit('write', to, false);
    this.emit('close_write', to, false);
  }

  /** Removes and returns the state of `path` and, for a folder, of everything below it. */
  private takeWithin(path: string, isFolder: boolean): Map<string, PathState> {
    const taken = new Map<string, PathState>();
    const own = this.state.get(path);
    if (own !== undefined) taken.set(path, own);
    this.state.delete(path);
    if (!isFolder) return taken;
    for (const [p, s] of this.state) if (isWithin(p, path)) taken.set(p, s);
    for (const p of taken.keys()) this.state.delete(p);
    return taken;
  }

  /** Keeps the state of a moved folder's entries under their new names, where still in scope. */
  private carry(carried: ReadonlyMap<string, PathState>, from: string, to: string): void {
    for (const [p, s] of carried) {
      if (p === from) continue;
      const moved = to + p.slice(from.length);
      if (this.scope.isReported(moved) || (s.type === 'dir' && this.scope.isWatchedDir(moved)))
        this.state.set(moved, s);
    }
  }

  /**
   * After an overflow: walks the scope again, compares with the kept state, reports the
   * differences and watches what is new. Returns how many changes it found.
   */
  rescan(): number {
    const before = this.state;
    this.state = new Map();
    if (nearestDir(this.scope.anchor) !== this.scope.anchor) {
      this.release();
      this.settle(false);
    } else {
      this.stopWaiting();
      this.armTree(this.scope.anchor, false);
      this.isArmed = true;
      for (const p of this.table.pathsWithin(this, this.scope.anchor))
        if (p !== this.scope.anchor && !this.state.has(p)) this.table.release(this, p);
    }
    const changes = diffStates(before, this.state).filter((c) => this.scope.isReported(c.path));
    for (const c of changes) this.emit(c.event, c.path, c.isDir);
    return changes.length;
  }
}
