// One armed target of a kernel back-end (inotify, fanotify): its scope, the folders it watches
// (through the back-end's WatchTable), the state kept per path, and the translation of the core's
// facts (facts.ts, set by each back-end at its edge) into the contract's events.
// Guarantees handled here: a missing path is armed when it appears (the nearest existing
// ancestor is watched and we step down); new folders are watched, then scanned; a folder moved
// away has its watches released; a file moved onto a reported path is a content change.
// Decisions: an exact file is watched through its parent folder (which reports its writes,
// attributes and closes, and sees it replaced by rename) and, where the back-end has per-file
// watches, its own (file-watch.ts: changes through another name). A folder moved in is scanned
// and its contents reported as `create`; a folder moved out is one `delete` (its own), its watches
// released; a folder moved within the scope is one `rename`, its entries keep their state under
// new names.
// Armed in the background (fanotify): the anchor's folder is read at arm, the rest by a walk in
// slices (background-walk.ts); events in folders it has not read yet are this target's (covers())
// and are judged as about entries not read yet: their first change counts (create, extend when not
// empty, write; content-only: counts), as for a file whose hash is not known.
// Content-only: a file's hash is taken off the event loop (content-hash.ts). A fact whose report
// waits for it holds its path (path-order.ts): later facts and reports about that path queue
// behind it, so a `delete` never overtakes the `close_write` being judged; other paths go on.
import type { EventListener, WalkProgress, WatchEvent, WatchTarget } from '../backend.js';
import type { EventName } from '../../watchtab/entry.js';
import { SystemCallError } from '../../errors.js';
import { msgKernel } from '../../log/messages/watch-kernel.js';
import { compileScope, parentOf, type Scope } from '../match.js';
import { isWithin } from '../../watchtab/path-pattern.js';
import { isReplaced, isSameState, readState, type PathState } from '../path-state.js';
import { PathStore } from '../path-store.js';
import { isRealDir, isSymlink, nearestArmable } from './no-follow.js';
import { diffStates, scanTree } from './scan.js';
import { hashContent, isUntouched, withContentHash } from './content-hash.js';
import { PathOrder, type Step } from './path-order.js';
import { BackgroundWalk, type WalkHold } from './background-walk.js';
import { FACT, PLACE, type Facts, type Interest } from './facts.js';
import { FileWatch } from './file-watch.js';
import type { WatchTable, WatchUser } from './watch-table.js';

const STRUCTURE =
  FACT.CREATE | FACT.DELETE | FACT.MOVED_FROM | FACT.MOVED_TO | FACT.DELETE_SELF | FACT.MOVE_SELF;
const READ_SIDE = FACT.ACCESS | FACT.OPEN | FACT.CLOSE_NOWRITE;
const WAIT_INTEREST = FACT.CREATE | FACT.MOVED_TO | FACT.DELETE_SELF | FACT.MOVE_SELF | PLACE.ONLY_DIR;
/** What a move carries when it moves a file, or comes from outside: nothing. */
const NOTHING_CARRIED: ReadonlyMap<string, PathState> = new Map();
/** Left-out folders kept for `watchtab status`; the log says the rest (once per errno). */
const MAX_LEFT_OUT_KEPT = 100;
const MAX_ARM_TRIES = 3;
/** Facts queued on one path beyond this (a flood of writes to it) are judged without a hash. */
const MAX_HELD_STEPS = 64;

/** The facts a target's folders need, from the contract events it asks for. */
export function dirInterestFor(events: ReadonlySet<EventName>, contentOnly: boolean): Interest {
  let interest = STRUCTURE | PLACE.ONLY_DIR;
  if (events.has('write') || events.has('extend')) interest |= FACT.MODIFY;
  if (events.has('close_write') || (contentOnly && events.has('write'))) interest |= FACT.CLOSE_WRITE;
  if (events.has('attrib') || events.has('link') || events.has('extend')) interest |= FACT.ATTRIB;
  if (events.has('access')) interest |= FACT.ACCESS;
  if (events.has('open')) interest |= FACT.OPEN;
  if (events.has('close_nowrite')) interest |= FACT.CLOSE_NOWRITE;
  return interest >>> 0;
}

/** A target armed in the background: its mark sees every change before its folders are read. */
export interface BackgroundArm {
  /** Holds the walk (tests); null in the daemon. */
  readonly hold: WalkHold | null;
}

/** What a target tells the back-end: failures to log and retry, and counts after a rescan. */
export interface TargetHost {
  readonly table: WatchTable<TargetWatch>;
  /**
   * A folder is left out (EACCES, ENAMETOOLONG, ENOSPC; ELOOP: the base is a symbolic link):
   * logged once per target and errno; retried with back-off where that can help (ENOSPC).
   */
  leftOut(target: TargetWatch, path: string, errno: string, detail: string | null): void;
  /** Watches were added: the back-end checks the budget. */
  grew(): void;
  /** Work that waited for a content hash threw (the same errors an event's handling can throw). */
  failed(target: TargetWatch, error: unknown): void;
  /** The process behind the kernel event being handled now, where the back-end knows it. */
  originNow?(): number | null;
  /**
   * Whether the kernel already reported `path` removed after the event being handled (later in the
   * batch read, or in the same merged mask): what is at `path` now is not that event's object, so
   * it is not looked at (an lstat per event was the largest cost of a create/remove flood).
   */
  isGoneAfter?(path: string): boolean;
  /** Holds each overflow rescan while it says so (tests act during a rescan); absent in the daemon. */
  readonly rescanHold?: WalkHold | null;
  /**
   * The number of the batch of kernel events being handled now, null outside one (a rescan, work
   * after a hash). Within one batch a path is looked at (lstat) once: every fact of the batch
   * happened before the look, so a second look would tell the same (a change made meanwhile
   * comes with its own event, in a later batch).
   */
  batchNow?(): number | null;
}

export class TargetWatch implements WatchUser {
  readonly id: string;
  readonly scope: Scope;
  readonly events: ReadonlySet<EventName>;
  readonly dirInterest: Interest;
  /** Per reported path and per watched folder (typed arrays: see path-store.ts). */
  state = new PathStore();
  /** The ancestor watched while the anchor does not exist, else null. */
  waitingOn: string | null = null;
  isArmed = false;
  /** An exact path's own watch while it is a file (null unless the path is exact; see file-watch.ts). */
  private readonly file: FileWatch<TargetWatch> | null;
  /** Folders left out since the last (re)scan, with the errno saying why (bounded, for status). */
  readonly leftOut = new Map<string, string>();
  /** Per-path order of facts and reports while content hashes are taken. */
  private readonly order = new PathOrder((error) => this.host.failed(this, error));
  /** Moves on at release: queued work of an earlier arming is dropped. */
  private epoch = 0;
  /** The origin (pid) of the fact whose step runs now: a report made later still carries it. */
  private stepOrigin: number | null = null;
  /** The walk building the state after a background arm; null when armed by a whole walk. */
  private walk: BackgroundWalk | null = null;
  /** The overflow rescan running (see rescan()), its walk, and what holds it (tests). */
  private rescanning: Promise<number> | null = null;
  private rescanWalk: BackgroundWalk | null = null;
  /** What lstat said of each path in the batch numbered `looksBatch` (see TargetHost.batchNow). */
  private readonly looks = new Map<string, PathState | null>();
  private looksBatch: number | null = null;

  constructor(
    readonly target: WatchTarget,
    private readonly host: TargetHost,
    private readonly listener: EventListener,
    private readonly background: BackgroundArm | null = null,
  ) {
    this.id = target.id;
    this.scope = compileScope(target.path, target.exclude);
    this.events = new Set(target.events);
    this.dirInterest = dirInterestFor(this.events, target.contentOnly);
    this.file =
      target.path.kind === 'exact'
        ? new FileWatch(() => this.table, this, this.scope.named, this.dirInterest)
        : null;
  }

  /** The kept state of the paths this target reports (the folders watched only to reach them left out). */
  *reportedStates(): Generator<readonly [string, PathState]> {
    for (const entry of this.state) if (this.scope.isReported(entry[0])) yield entry;
  }

  private get table(): WatchTable<TargetWatch> {
    return this.host.table;
  }

  /**
   * Arms the anchor, or the nearest existing ancestor while it does not exist. With `isReporting`,
   * what is found is reported as created (it appeared). Throws SystemCallError (EACCES, ENOSPC).
   */
  settle(isReporting: boolean): void {
    // A base swapped between the look and the open is looked at again, a few times at most: a
    // user flipping it in a loop must not hold the event loop (it then waits as if absent).
    for (let tries = 0; ; tries++) {
      const found = nearestArmable(this.scope.anchor);
      const ancestor = tries < MAX_ARM_TRIES ? found : parentOf(this.scope.anchor);
      if (ancestor !== this.scope.anchor && isSymlink(this.scope.anchor))
        this.leaveOut(this.scope.anchor, 'ELOOP');
      if (ancestor === this.scope.anchor) {
        this.stopWaiting();
        this.leftOut.delete(this.scope.anchor); // a real folder again
        if (!isReporting && this.background !== null && this.walk === null) this.armInBackground();
        else this.armTree(this.scope.anchor, isReporting);
        this.isArmed = this.table.isHeld(this, this.scope.anchor);
        if (this.isArmed) return;
        continue;
      }
      this.isArmed = false;
      if (this.waitingOn !== ancestor) {
        this.stopWaiting();
        this.table.acquire(this, ancestor, WAIT_INTEREST);
        this.waitingOn = ancestor;
      }
      if (tries >= MAX_ARM_TRIES || nearestArmable(this.scope.anchor) === ancestor) return; // nothing appeared meanwhile
    }
  }

  private stopWaiting(): void {
    if (this.waitingOn !== null) this.table.release(this, this.waitingOn);
    this.waitingOn = null;
  }

  /**
   * Watches and reads `root` and the folders below it in scope; reports what is new if asked.
   * Content-only files not reported new get their hash from `prev` or, in the background, read.
   */
  private armTree(
    root: string,
    isReporting: boolean,
    prev: ReadonlyMap<string, PathState> = this.state,
  ): void {
    if (!this.state.has(root)) this.found(root, isReporting && this.scope.isReported(root));
    scanTree(
      root,
      {
        watchDir: (dir, via, identity) => this.watchDir(dir, via, identity),
        leftOut: (dir, errno) => this.cannotOpen(dir, errno),
        isReported: (p) => this.scope.isReported(p),
        isWatchedDir: (d) => this.scope.isWatchedDir(d),
        namesIn: (d) => this.scope.namesIn(d),
      },
      (path, now, isReported) => {
        const before = this.state.get(path);
        const old = prev.get(path);
        this.state.set(path, now);
        // A file found new gets no hash: its next close_write counts, whatever it wrote.
        if (this.target.contentOnly && isReported && !isReporting) this.keepHash(path, now, old);
        if (isReporting && isReported && (before === undefined || isReplaced(before, now)))
          this.emit('create', path, now.type === 'dir');
      },
    );
    this.file?.sync(this.state.get(this.scope.named));
    this.host.grew();
  }

  /**
   * Reads the anchor's folder now, the folders below it in the background. What the walk finds
   * never replaces what an event told since (the event is newer than its look).
   */
  private armInBackground(): void {
    const anchor = this.scope.anchor;
    if (!this.state.has(anchor)) this.found(anchor, false);
    const hooks = {
      watchDir: (dir: string, via: string, identity: string) =>
        (dir === anchor || (!this.table.isHeld(this, dir) && this.scope.isWatchedDir(dir))) &&
        this.watchDir(dir, via, identity),
      leftOut: (dir: string, errno: string) => this.cannotOpen(dir, errno),
      isReported: (p: string) => this.scope.isReported(p),
      isWatchedDir: (d: string) => this.scope.isWatchedDir(d),
      namesIn: (d: string) => this.scope.namesIn(d),
    };
    const walk: BackgroundWalk = new BackgroundWalk(
      anchor,
      hooks,
      (path, now, isReported) => this.walkFound(walk, path, now, isReported),
      this.background?.hold ?? null,
      Date.now(),
      (error) => this.host.failed(this, error),
    );
    this.walk = walk;
    walk.start();
    this.file?.sync(this.state.get(this.scope.named));
  }

  private walkFound(walk: BackgroundWalk, path: string, now: PathState, isReported: boolean): void {
    if (this.state.has(path)) return;
    this.state.set(path, now);
    // Another name of an inode linked during the walk: its link count changed after the mark.
    if (isReported && now.type === 'file' && walk.wasLinked(now.ino)) this.emit('link', path, false);
    if (walk.markFresh(path, now) || !isReported || !this.target.contentOnly || now.type !== 'file') return;
    this.inOrder([path], () =>
      hashContent(path, now.ino, true).then((hash) => {
        // Kept only if nothing moved since the walk's look: a write in between must count.
        const kept = this.state.get(path);
        if (kept !== undefined && isSameState(kept, now) && isSameState(readState(path) ?? undefined, now))
          this.state.set(path, { ...kept, hash });
      }),
    );
  }

  /** Whether events in the folder `dir` are this target's: watched, or not read by the walk yet. */
  covers(dir: string): boolean {
    if (this.table.isHeld(this, dir)) return true;
    const walk = this.walk;
    if (walk === null || !walk.isWalking || !this.isArmed || this.leftOut.has(dir)) return false;
    return isWithin(dir, this.scope.anchor) && this.scope.isWatchedDir(dir);
  }

  /**
   * The progress of the walk reading the tree now: the background walk, else an overflow rescan;
   * null when the target was armed by a whole walk and no rescan runs.
   */
  walkProgress(): WalkProgress | null {
    const walk = this.walk?.progress() ?? null;
    if (walk?.isWalking === true) return walk;
    return this.rescanWalk?.progress() ?? walk;
  }

  /** Resolves once the state covers the whole scope, hashes included (true), or the walk was given up (false). */
  walked(): Promise<boolean> {
    const walk = this.walk;
    if (walk === null) return Promise.resolve(true);
    // Content-only: the hashes the walk asked for are part of the state.
    return walk.done().then((isComplete) => (isComplete ? this.idle().then(() => true) : false));
  }

  /** An event about `path` came: state the walk read after the change it tells of is forgotten. */
  private forgetFresh(path: string | null, isCreate: boolean, isDir: boolean): void {
    if (path === null || this.walk === null) return;
    for (const p of this.walk.takeFresh(path, isCreate, isDir)) this.state.delete(p);
  }

  /** Whether a file whose state is not kept was not read yet (armed in the background): its change counts. */
  private isUnread(kept: PathState | undefined): boolean {
    return kept === undefined && this.walk !== null;
  }

  private found(path: string, isReporting: boolean): void {
    const now = readState(path);
    if (now === null) return;
    this.state.set(path, now);
    if (this.target.contentOnly && !isReporting) this.keepHash(path, now, undefined);
    if (isReporting) this.emit('create', path, now.type === 'dir');
  }

  /** Gives the kept state of `path` its content hash: `prev`'s if untouched, else read (holding the path). */
  private keepHash(path: string, now: PathState, prev: PathState | undefined): void {
    const judged = withContentHash(path, now, prev);
    if (!(judged instanceof Promise)) return void this.state.set(path, judged);
    this.inOrder([path], () => judged.then((hashed) => this.storeHash(path, hashed.ino, hashed.hash)));
  }

  /** Keeps `hash` for `path` if the state kept there is still of inode `ino`. */
  private storeHash(path: string, ino: number, hash: string | null): void {
    const kept = this.state.get(path);
    if (kept !== undefined && kept.ino === ino && kept.type === 'file')
      this.state.set(path, { ...kept, hash });
  }

  /** Runs `step` in order with the other work on `paths`; dropped if the target is released meanwhile. */
  private inOrder(paths: readonly string[], step: Step): void {
    const origin = this.stepOrigin ?? this.host.originNow?.() ?? null;
    if (!this.order.mustWait(paths)) {
      // Runs now (once per kernel event, nearly always): no epoch to check, no wrapper to make.
      const outer = this.stepOrigin;
      this.stepOrigin = origin;
      try {
        return this.order.run(paths, step);
      } finally {
        this.stepOrigin = outer;
      }
    }
    const epoch = this.epoch;
    this.order.run(paths, () => {
      if (epoch !== this.epoch) return undefined;
      const outer = this.stepOrigin;
      this.stepOrigin = origin;
      try {
        return step();
      } finally {
        this.stepOrigin = outer;
      }
    });
  }

  /** So many facts wait on `path` that they are let through without hashing (it counts as changed). */
  private isFlooded(path: string): boolean {
    return this.order.depth(path) > MAX_HELD_STEPS;
  }

  /**
   * Resolves once the hashes taken so far are kept: arming waits for it, so the first change after
   * arming is judged by content, as when hashing was synchronous.
   */
  idle(): Promise<void> {
    return this.order.idle();
  }

  private watchDir(dir: string, via: string, identity: string): boolean {
    try {
      this.table.acquire(this, dir, this.dirInterest, via, identity);
      return true;
    } catch (error) {
      if (!(error instanceof SystemCallError)) throw error;
      if (error.errno === 'ENOENT' || error.errno === 'ENOTDIR') return false;
      if (dir === this.scope.anchor || dir === this.scope.named) throw error; // the target's own arm
      this.leaveOut(dir, error.errno, error.message);
      return false;
    }
  }

  // A folder that cannot be opened: the target's own base fails its arm (retried with back-off);
  // one below it is left out.
  private cannotOpen(dir: string, errno: string): void {
    if (dir !== this.scope.anchor && dir !== this.scope.named) return this.leaveOut(dir, errno);
    throw new SystemCallError('open', errno, dir, msgKernel.watchAddFailed(dir, errno, null));
  }

  /** Keeps `dir` out of this target (its changes are not seen) and tells the back-end. */
  private leaveOut(dir: string, errno: string, detail: string | null = null): void {
    if (this.leftOut.size < MAX_LEFT_OUT_KEPT) this.leftOut.set(dir, errno);
    this.host.leftOut(this, dir, errno, detail);
  }

  /** Releases every watch (the state is kept); work queued behind a content hash is dropped. */
  release(): void {
    this.epoch += 1;
    this.releaseWatches();
  }

  private releaseWatches(): void {
    this.walk?.cancel(false);
    this.rescanWalk?.cancel(false);
    this.leftOut.clear();
    this.table.releaseAll(this);
    this.file?.forget();
    this.waitingOn = null;
    this.isArmed = false;
  }

  /** Reports an event, after the work still pending on its path (see the header). */
  emit(event: EventName, path: string, isDir: boolean, oldPath?: string): void {
    if (!this.events.has(event)) return;
    if (this.order.isHeld(path)) this.inOrder([path], () => this.emitNow(event, path, isDir, oldPath));
    else this.emitNow(event, path, isDir, oldPath);
  }

  /**
   * Reports an event at once: for a step that holds its path. `pid`: the process behind the fact,
   * for a report made after a hash, when the back-end no longer handles that fact.
   */
  private emitNow(
    event: EventName,
    path: string,
    isDir: boolean,
    oldPath?: string,
    pid: number | null = this.stepOrigin,
  ): void {
    if (!this.events.has(event)) return;
    // Outside a step, the process behind the kernel event handled now (the back-end's, if known).
    const origin = pid ?? this.host.originNow?.() ?? null;
    // One object per report, made whole (spreading one into another cost more than the rest of a
    // write's handling): the same four shapes as before, so no consumer sees a field more.
    let e: WatchEvent;
    if (oldPath === undefined)
      e = origin === null ? { event, path, isDir } : { event, path, isDir, pid: origin };
    else e = origin === null ? { event, path, oldPath, isDir } : { event, path, oldPath, isDir, pid: origin };
    this.listener(e);
  }

  // ---- the back-end's facts (facts.ts), already turned into paths ----

  /** Facts about an entry of a watched folder (never a move: see moved()). */
  child(dir: string, path: string, facts: Facts): void {
    if (this.waitingOn !== null) {
      if (dir === this.waitingOn && isWithin(this.scope.anchor, path)) this.settle(true);
      return;
    }
    // The file watch's echo is told at once, not in the path's order: its own event for the same
    // change follows this one immediately (file-watch.ts), whatever waits on the path.
    if (path === this.file?.path) this.file.heardFromFolder(facts);
    else this.file?.heardOther();
    this.forgetFresh(path, (facts & FACT.CREATE) !== 0, (facts & FACT.IS_DIR) !== 0);
    // Facts only other targets sharing the folder asked for are not this one's business (a close
    // of a file whose entry asks only for create costs no lstat).
    const wanted = facts & (this.dirInterest | FACT.IS_DIR);
    const isGone = this.host.isGoneAfter?.(path) === true;
    this.inOrder([path], () => this.childInOrder(path, wanted, isGone));
  }

  /** `isGone`: the path was removed after these facts (TargetHost.isGoneAfter), so is not looked at. */
  private childInOrder(path: string, facts: Facts, isGone: boolean): void | Promise<void> {
    const isDir = (facts & FACT.IS_DIR) !== 0;
    if (facts & FACT.CREATE) this.created(path, isDir, isGone);
    if (facts & FACT.DELETE) this.deleted(path, isDir);
    if (!this.scope.isReported(path)) return;
    if (facts & FACT.MODIFY) this.modified(path, isGone);
    if (facts & FACT.ATTRIB) this.attribChanged(path, isDir, isGone);
    const judged = facts & FACT.CLOSE_WRITE ? this.closedWrite(path, isGone) : undefined;
    if ((facts & READ_SIDE) === 0) return judged;
    // The read-side events follow the close_write, also while it is judged.
    const pid = this.stepOrigin;
    const reads = (): void => {
      if (facts & FACT.ACCESS) this.emitNow('access', path, isDir, undefined, pid);
      if (facts & FACT.OPEN) this.emitNow('open', path, isDir, undefined, pid);
      if (facts & FACT.CLOSE_NOWRITE) this.emitNow('close_nowrite', path, isDir, undefined, pid);
    };
    if (judged === undefined) return reads();
    return judged.then(reads);
  }

  /** Facts about a watched folder itself. */
  self(dir: string, facts: Facts): void {
    if (this.file?.isHeld === true && dir === this.file.path) return this.fileChanged(dir, facts);
    this.file?.heardOther();
    if (dir === this.waitingOn) return; // gone() says when it is gone
    if (facts & FACT.ATTRIB && this.scope.isReported(dir)) this.attribChanged(dir, true);
    // Every watch on the file system is told UNMOUNT: one revoke, from the anchor's or the named
    // folder's (an unmount deeper in a tree is not reported: its gone() re-watches below).
    if (facts & FACT.UNMOUNT && (dir === this.scope.anchor || dir === this.scope.named))
      this.emit('revoke', this.scope.named, true);
    if (facts & FACT.MOVE_SELF && dir === this.scope.anchor) {
      // The anchor moved and no watched parent saw where: is the folder at its path still it?
      const now = readState(dir);
      const kept = this.state.get(dir) ?? null;
      if (now === null || (kept !== null && isReplaced(kept, now))) this.lost();
    }
  }

  /** An event of the exact file's own watch: what came through another name, as the folder's would. */
  private fileChanged(path: string, facts: Facts): void {
    const file = this.file;
    if (file === null) return;
    const fresh = file.fresh(facts);
    // An unlink of this name tells the inode first (its link count): the folder's delete follows.
    if (fresh === 0 || !file.isAt(this.lookNow(path))) return;
    this.child(parentOf(path), path, fresh);
    file.heardOther(); // what was just handled came from the file's watch, not the folder's
  }

  /** The watch held under `path` is gone (inotify's IN_IGNORED; fanotify: its folder removed). */
  gone(path: string): void {
    if (path === this.file?.path) this.file.forget();
    if (path === this.waitingOn) {
      this.waitingOn = null;
      this.settle(true);
    } else if (path === this.scope.anchor && !this.table.isHeld(this, path)) {
      this.lost();
    } else if (this.isArmed && this.scope.isWatchedDir(path) && !this.table.isHeld(this, path)) {
      // Still a folder at that path (an unmount uncovered the one below): watch that one.
      if (isRealDir(path)) this.armTree(path, true);
    }
  }

  /** The anchor went away: report what it held as deleted, then wait for it again. */
  private lost(): void {
    for (const path of this.state.keys())
      if (this.scope.isReported(path)) this.emit('delete', path, this.state.typeOf(path) === 'dir');
    this.state.clear();
    this.releaseWatches();
    this.settle(true);
  }

  private created(path: string, isDir: boolean, isGone: boolean): void {
    if (isDir && this.scope.isWatchedDir(path)) {
      this.armTree(path, true); // watched first, then read: `mkdir -p a/b/c && touch a/b/c/f` is seen whole
      if (this.scope.isReported(path)) this.createdReported(path, isGone, isDir);
      return;
    }
    if (this.scope.isReported(path)) this.createdReported(path, isGone, isDir);
  }

  /** The state of `path` now, unless the kernel said it was removed since the fact being handled. */
  private stateNow(path: string, isGone: boolean): PathState | null {
    return isGone ? null : this.lookNow(path);
  }

  /** The state of `path` now: one lstat per path per batch of kernel events (TargetHost.batchNow). */
  private lookNow(path: string): PathState | null {
    const batch = this.host.batchNow?.() ?? null;
    if (batch === null) return readState(path);
    if (batch !== this.looksBatch) {
      this.looks.clear();
      this.looksBatch = batch;
    }
    const known = this.looks.get(path);
    if (known !== undefined) return known;
    const now = readState(path);
    this.looks.set(path, now);
    return now;
  }

  private createdReported(path: string, isGone: boolean, isDir: boolean): void {
    const beforeIno = this.state.inoOf(path);
    const beforeType = beforeIno === undefined ? undefined : this.state.typeOf(path);
    const now = this.stateNow(path, isGone); // no hash: a new file's first close_write always counts
    if (now !== null) this.state.set(path, now);
    if (path === this.file?.path) this.file.sync(now ?? undefined);
    // Already known with the same inode: a scan found it first (the folder was read after it
    // was watched); the kernel's CREATE is the same fact, not a second one.
    if (now !== null && beforeIno === now.ino && beforeType === now.type) return;
    this.emit('create', path, now === null ? isDir : now.type === 'dir');
    if (now !== null && now.type !== 'dir' && now.nlink > 1) this.linked(path, now);
  }

  /** A new name for an existing inode (a hard link): `link` on it and on the names already known. */
  private linked(path: string, now: PathState): void {
    this.emit('link', path, false);
    this.walk?.linked(now.ino); // names the walk finds later get theirs
    for (const other of this.state.pathsWithIno(now.ino)) {
      const kept = this.state.get(other);
      if (other === path || kept === undefined) continue;
      this.state.set(other, { ...kept, nlink: now.nlink });
      if (this.scope.isReported(other)) this.emit('link', other, false);
    }
  }

  private deleted(path: string, isDir: boolean): void {
    this.forgetWithin(path, isDir || this.state.typeOf(path) === 'dir');
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

  private modified(path: string, isGone: boolean): void {
    // content-only: whether the content changed (and grew) is known at close_write
    if (this.target.contentOnly) return;
    if (this.events.has('extend')) {
      const kept = this.state.get(path);
      const now = this.stateNow(path, isGone);
      if (now !== null) {
        const grew = kept === undefined ? this.isUnread(kept) && now.size > 0 : now.size > kept.size;
        if (grew) this.emit('extend', path, false);
        this.state.set(path, { ...now, hash: kept?.hash ?? null });
      }
    }
    this.emit('write', path, false);
  }

  /** Reports a close_write; for content-only, a promise while its content is judged. */
  private closedWrite(path: string, isGone: boolean): Promise<void> | undefined {
    const kept = this.target.contentOnly ? this.state.get(path) : undefined;
    const now = this.stateNow(path, isGone);
    if (now !== null) this.state.set(path, now);
    if (!this.target.contentOnly) return void this.emitNow('close_write', path, false);
    const pid = this.stepOrigin;
    const grew =
      now !== null && (kept === undefined ? this.isUnread(kept) && now.size > 0 : now.size > kept.size);
    const report = (): void => {
      if (grew) this.emitNow('extend', path, false, undefined, pid);
      this.emitNow('write', path, false, undefined, pid);
      this.emitNow('close_write', path, false, undefined, pid);
    };
    if (now === null || now.type !== 'file' || this.isFlooded(path)) return void report();
    const hashing = hashContent(path, now.ino);
    if (kept?.hash === undefined || kept.hash === null) {
      report(); // nothing to compare with: it counts now; the hash is kept for the next one
      return hashing.then((hash) => this.storeHash(path, now.ino, hash));
    }
    const keptHash = kept.hash;
    return hashing.then((hash) => {
      this.storeHash(path, now.ino, hash);
      if (hash === null || hash !== keptHash) report();
    });
  }

  private attribChanged(path: string, isDir: boolean, isGone = false): void {
    const kept = this.state.get(path);
    const now = this.stateNow(path, isGone);
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
    const paths = from === null ? (to === null ? [] : [to]) : to === null ? [from] : [from, to];
    // A name moved onto may have been there before the mark (an editor's save): not proof of a new name.
    this.forgetFresh(from, false, isDir);
    this.forgetFresh(to, false, isDir);
    const isToGone = to !== null && this.host.isGoneAfter?.(to) === true;
    this.inOrder(paths, () => this.movedInOrder(from, to, isDir, isToGone));
  }

  private movedInOrder(
    from: string | null,
    to: string | null,
    isDir: boolean,
    isToGone: boolean,
  ): void | Promise<void> {
    const wasReported = from !== null && this.scope.isReported(from);
    const isFolder = isDir || (from !== null && this.state.typeOf(from) === 'dir');
    const carried = from === null ? NOTHING_CARRIED : this.takeWithin(from, isFolder);
    if (from === this.file?.path) this.file.drop();
    if (to === null) {
      if (isFolder && from !== null) this.forgetWithin(from, true); // the kernel still watches it, elsewhere
      if (wasReported) this.emit('delete', from, isDir);
      return;
    }
    // Whether anything was kept there; its state (built on demand) only for content-only's hash.
    const wasKnown = this.state.has(to);
    const before = this.target.contentOnly ? this.state.get(to) : undefined;
    if (isFolder) this.carry(carried, from ?? to, to);
    const now = this.stateNow(to, isToGone);
    if (now !== null) this.state.set(to, now);
    if (to === this.file?.path) this.file.sync(now ?? undefined);
    if (isFolder && this.scope.isWatchedDir(to)) this.armMoved(from, to, now);
    else if (isFolder) this.forgetWithin(to, true); // re-pathed watches, now out of reach
    if (!this.scope.isReported(to)) {
      if (!this.scope.isWatchedDir(to)) this.state.delete(to);
      if (wasReported) this.emit('delete', from, isDir);
      return;
    }
    if (isFolder && now !== null) this.state.set(to, now); // armMoved or forgetWithin may have dropped it
    if (wasReported) this.emit('rename', to, isDir, from);
    if (!wasKnown) this.emit('create', to, isDir);
    if (isFolder) return;
    const pid = this.stepOrigin;
    const report = (): void => {
      this.emitNow('write', to, false, undefined, pid);
      this.emitNow('close_write', to, false, undefined, pid);
    };
    if (!this.target.contentOnly || now === null || now.type !== 'file' || this.isFlooded(to))
      return report();
    // Content-only: the same content moved onto the path (a save that changed nothing) is nothing.
    const hashing = hashContent(to, now.ino);
    if (before?.hash === undefined || before.hash === null) {
      report();
      return hashing.then((hash) => this.storeHash(to, now.ino, hash));
    }
    const beforeHash = before.hash;
    return hashing.then((hash) => {
      this.storeHash(to, now.ino, hash);
      if (hash === null || hash !== beforeHash) report();
    });
  }

  /**
   * Watches and reads a folder moved to `to`. During the background walk one moved within the
   * scope is left to the walk, silently: the mark saw every change in it, and where the walk had
   * not read it yet what it held is unknown (reporting it would invent creates).
   */
  private armMoved(from: string | null, to: string, now: PathState | null): void {
    const walk = this.walk;
    if (walk === null || !walk.isWalking || from === null) return this.armTree(to, true);
    walk.repath(from, to);
    if (!this.table.isHeld(this, to) && now !== null) walk.add(to, now.ino);
  }

  /** Removes and returns the state of `path` and, for a folder, of everything below it. */
  private takeWithin(path: string, isFolder: boolean): ReadonlyMap<string, PathState> {
    if (!isFolder) {
      this.state.delete(path); // a file's state is not carried (carry() is for folders)
      return NOTHING_CARRIED;
    }
    const taken = new Map<string, PathState>();
    const own = this.state.get(path);
    if (own !== undefined) taken.set(path, own);
    this.state.delete(path);
    for (const p of this.state.keys()) {
      const s = isWithin(p, path) ? this.state.get(p) : undefined;
      if (s !== undefined) taken.set(p, s);
    }
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
   * After an overflow: reads the scope again in slices that yield to the event loop (a walk as in
   * background-walk.ts), compares each entry found with its kept state and reports the difference
   * at once, watching what is new; an entry kept but not found is looked at again at the end and
   * reported deleted if it is gone. Events handled meanwhile keep the state current, so a change
   * they told is not told again (one whose event was still queued when the rescan read it may be
   * told twice, never zero times). During the background walk, the folders it has not read yet
   * are left to it: there is no state to compare with. One rescan at a time (a second call gets
   * the running one); resolves with the changes reported (content-only files whose hash is read
   * are judged, and reported, once it is known).
   */
  rescan(): Promise<number> {
    if (this.rescanning !== null) return this.rescanning;
    const anchor = this.scope.anchor;
    this.leftOut.clear();
    if (nearestArmable(anchor) !== anchor) {
      let changes = 0;
      for (const path of this.state.keys())
        if (this.scope.isReported(path) && this.events.has('delete')) changes += 1;
      for (const path of this.state.keys())
        if (this.scope.isReported(path)) this.emit('delete', path, this.state.typeOf(path) === 'dir');
      this.state.clear();
      this.releaseWatches();
      this.settle(false);
      return Promise.resolve(changes);
    }
    this.stopWaiting();
    const count = { changes: 0 };
    const unseen = new Set(this.state.keys());
    unseen.delete(anchor);
    const rootNow = readState(anchor);
    if (rootNow !== null) this.rescanFound(anchor, rootNow, this.scope.isReported(anchor), count);
    const isWalked = (dir: string): boolean =>
      !(this.walk?.isWalking === true) || this.table.isHeld(this, dir);
    const hooks = {
      watchDir: (dir: string, via: string, identity: string) => this.watchDir(dir, via, identity),
      leftOut: (dir: string, errno: string) => this.cannotOpen(dir, errno),
      isReported: (p: string) => this.scope.isReported(p),
      // A folder the background walk found and has not read yet is its to read.
      isWatchedDir: (d: string) => this.scope.isWatchedDir(d) && (!this.state.has(d) || isWalked(d)),
      namesIn: (d: string) => this.scope.namesIn(d),
    };
    const epoch = this.epoch;
    const walk = new BackgroundWalk(
      anchor,
      hooks,
      (path, now, isReported) => {
        unseen.delete(path);
        this.rescanFound(path, now, isReported, count);
      },
      this.host.rescanHold ?? null,
      Date.now(),
      (error) => this.host.failed(this, error),
    );
    this.rescanWalk = walk;
    const done = walk.done().then((isComplete) => {
      if (this.rescanWalk === walk) this.rescanWalk = null;
      this.rescanning = null;
      if (!isComplete || epoch !== this.epoch) return count.changes;
      try {
        this.sweep(unseen, count);
        this.isArmed = this.table.isHeld(this, anchor);
        this.file?.sync(this.state.get(this.scope.named));
        this.host.grew();
      } catch (error) {
        this.host.failed(this, error);
      }
      return count.changes;
    });
    this.rescanning = done;
    walk.start();
    return done;
  }

  /** The overflow rescan reads `path` (see rescan()): what differs from the kept state is reported. */
  private rescanFound(path: string, now: PathState, isReported: boolean, count: { changes: number }): void {
    const kept = this.state.get(path);
    if (kept !== undefined && isSameState(kept, now) && !isReplaced(kept, now)) return;
    if (!isReported || kept === undefined || !this.target.contentOnly) {
      const hash = kept !== undefined && !isReplaced(kept, now) && isUntouched(kept, now) ? kept.hash : null;
      this.state.set(path, { ...now, hash });
      if (isReported) this.reportDiff(path, kept, now, count);
      return;
    }
    const judged = withContentHash(path, now, kept);
    if (!(judged instanceof Promise)) {
      this.state.set(path, judged);
      return this.reportDiff(path, kept, judged, count);
    }
    // The hash is read off the event loop: compared with the kept one once known, in order.
    this.state.set(path, now);
    this.inOrder([path], () =>
      judged.then((hashed) => {
        this.storeHash(path, hashed.ino, hashed.hash);
        for (const c of diffStates(new Map([[path, kept]]), new Map([[path, hashed]])))
          this.emitNow(c.event, c.path, c.isDir);
      }),
    );
  }

  private reportDiff(
    path: string,
    kept: PathState | undefined,
    now: PathState,
    count: { changes: number },
  ): void {
    const before = new Map<string, PathState>(kept === undefined ? [] : [[path, kept]]);
    for (const c of diffStates(before, new Map([[path, now]]))) {
      if (this.events.has(c.event)) count.changes += 1;
      this.emit(c.event, c.path, c.isDir);
    }
  }

  /**
   * The end of a rescan: entries kept but not found by it are gone, unless an event told of them
   * since (then they are there now). The entries of a gone folder are in `unseen` too: each is
   * dropped on its own turn (no search of the whole state per folder), its watch released.
   */
  private sweep(unseen: ReadonlySet<string>, count: { changes: number }): void {
    for (const path of unseen) {
      const type = this.state.typeOf(path);
      if (type === undefined || readState(path) !== null) continue;
      this.state.delete(path);
      if (type === 'dir') this.table.release(this, path);
      if (!this.scope.isReported(path)) continue;
      if (this.events.has('delete')) count.changes += 1;
      this.emit('delete', path, type === 'dir');
    }
  }
}
