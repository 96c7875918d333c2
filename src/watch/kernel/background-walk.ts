// The walk that builds a target's per-path state after the target is armed (fanotify: its mark
// already reports every change), in slices of at most SLICE_MS that yield to the event loop, so
// status, runs and other entries are served during a walk of 100,000 folders. It only schedules
// and keeps the walk's books; what a found entry means is the target's (target.ts).
// Guarantees kept with the target: what an event told is never overwritten by the walk (the event
// is newer than the walk's look); an entry the walk finds changed since `sinceMs` (ctime) may
// still have its event queued, so it is marked `fresh` and its state is forgotten when that event
// comes (the event is judged as about an entry not yet read); a new name of an inode made during
// the walk gives `link` to the other names of that inode the walk finds later.
import { scanFolders, type Pending, type ScanHooks } from './scan.js';
import type { PathState } from '../path-state.js';
import type { WalkProgress } from '../backend.js';
import { isWithin } from '../../watchtab/path-pattern.js';

/**
 * How far before the mark a ctime may still stand for a change made after it: the kernel stamps
 * ctime from its coarse clock, which lags the real time by up to a tick (4–10 ms; seen here: every
 * file made right after a `Date.now()` had a ctime before it, by up to 2.8 ms).
 */
const COARSE_CLOCK_MARGIN_MS = 50;
/** The longest stretch the walk holds the event loop before it yields. */
const SLICE_MS = 8;
/**
 * What is read before the target counts as armed: a small tree whole (its state complete at
 * ready, as when the walk was not in the background), a large one for this long at most.
 */
const FIRST_SLICE_MS = 40;
/** Folders read between two looks at the clock. */
const FOLDERS_PER_LOOK = 16;
/**
 * The wait before the first background slice. A file's ctime may come from the kernel's coarse
 * clock, a tick (≤ 10 ms) behind the wall clock, so a change just after the mark can look older
 * than it: its event is handled (and its state kept) well within this wait, before the walk looks.
 */
const FIRST_SLICE_AFTER_MS = 25;
/** Fresh entries kept at most (a writer busy during the walk); beyond it they count as read. */
const MAX_FRESH = 65_536;

/** Says, given the folders read so far, whether the walk must wait (tests hold it to act mid-walk). */
export type WalkHold = (folders: number) => boolean;
/** How often a held walk looks again. */
const HOLD_POLL_MS = 20;

type Found = (path: string, state: PathState, isReported: boolean) => void;

export class BackgroundWalk {
  private readonly stack: Pending[];
  private folders = 0;
  private isDone = false;
  private isCancelled = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** Entries found changed since the mark: their kept state is not a valid "before" yet. */
  /** Entries found changed maybe after the mark: true when surely after (ctime from sinceMs on). */
  private readonly fresh = new Map<string, boolean>();
  /** Inodes that got a new name during the walk: names found later get `link`. */
  private readonly linkedInodes = new Set<number>();
  private readonly ended: Promise<boolean>;
  private end: (isComplete: boolean) => void = () => undefined;
  /** Wall-clock ms (ctime) from which a change came after the mark (the walk's start). */
  readonly sinceMs: number;
  /** From here on a ctime may stand for a change after the mark (the coarse clock's lag). */
  private readonly maybeSinceMs: number;

  constructor(
    root: string,
    private readonly hooks: ScanHooks,
    private readonly found: Found,
    private readonly hold: WalkHold | null,
    markedAtMs: number,
    /** A slice threw (the work it did for the target failed): the walk is over, incomplete. */
    private readonly failed: (error: unknown) => void = (error) => {
      throw error;
    },
  ) {
    this.stack = [{ path: root, ino: null }];
    // Whole milliseconds: a change in the mark's own millisecond counts as before it (see above).
    this.sinceMs = Math.floor(markedAtMs) + 1;
    this.maybeSinceMs = markedAtMs - COARSE_CLOCK_MARGIN_MS;
    this.ended = new Promise((resolve) => (this.end = resolve));
  }

  progress(): WalkProgress {
    return { isWalking: !this.isDone, folders: this.folders };
  }

  /** Resolves when the walk is over: true once every folder was read, false if it was cancelled. */
  done(): Promise<boolean> {
    return this.ended;
  }

  get isWalking(): boolean {
    return !this.isDone;
  }

  /** Reads the root folder now (the target is armed by it) and what fits in FIRST_SLICE_MS, the rest later. */
  start(): void {
    this.read(1);
    this.readFor(FIRST_SLICE_MS);
    if (this.stack.length === 0) return this.finish(true);
    this.timer = setTimeout(() => this.next(), FIRST_SLICE_AFTER_MS);
  }

  /**
   * Stops the walk: the target is released (`isComplete` false), or a rescan read the rest
   * (true). The fresh marks go with it: a rescan's look replaces the walk's.
   */
  cancel(isComplete: boolean): void {
    this.fresh.clear();
    if (this.isDone) return;
    this.isCancelled = true;
    if (this.timer !== null) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
    this.finish(isComplete);
  }

  /** Folders still to read at or below `from` moved to `to` (a folder renamed during the walk). */
  repath(from: string, to: string): void {
    for (let i = 0; i < this.stack.length; i++) {
      const p = this.stack[i]!;
      if (isWithin(p.path, from)) this.stack[i] = { path: to + p.path.slice(from.length), ino: p.ino };
    }
  }

  /** A folder to read as well (moved within the tree before the walk read it). */
  add(path: string, ino: number): void {
    if (!this.isDone) this.stack.push({ path, ino });
  }

  /**
   * Whether the walk found `path` changed since the mark (and no event about it came yet). One
   * whose ctime is just before the mark, within the coarse clock's lag, is kept as maybe fresh
   * (false here): only a create takes it, which no change before the mark can have queued (a
   * name there before the mark is deleted first) — so a file made just after the mark still gets
   * its create, and one written just before it is judged against what the walk read.
   */
  markFresh(path: string, state: PathState): boolean {
    if (state.ctimeMs < this.maybeSinceMs || this.fresh.size >= MAX_FRESH) return false;
    const isSure = state.ctimeMs >= this.sinceMs;
    this.fresh.set(path, isSure);
    return isSure;
  }

  /**
   * An event about `path` came: its fresh mark is forgotten here, and returned when it was surely
   * after the mark or the event is a create (the target then forgets the walk's look). A folder's
   * create also takes every mark below it (what a new folder holds is new); no other event looks
   * below, so a file's event costs one look-up however many marks a flood left.
   */
  takeFresh(path: string, isCreate: boolean, isDir: boolean): string[] {
    if (this.fresh.size === 0) return [];
    const concerned: string[] = this.fresh.has(path) ? [path] : [];
    if (isCreate && isDir) for (const p of this.fresh.keys()) if (isWithin(p, path)) concerned.push(p);
    const taken: string[] = [];
    for (const p of concerned) {
      if (this.fresh.get(p) === true || isCreate) taken.push(p);
      this.fresh.delete(p);
    }
    return taken;
  }

  linked(ino: number): void {
    if (!this.isDone) this.linkedInodes.add(ino);
  }

  /** Whether an inode got a new name during the walk (so another name found now gets `link`). */
  wasLinked(ino: number): boolean {
    return this.linkedInodes.size > 0 && this.linkedInodes.has(ino);
  }

  private read(maxFolders: number): void {
    this.folders += scanFolders(this.stack, this.hooks, this.found, maxFolders);
  }

  private next(): void {
    if (this.isCancelled) return;
    if (this.stack.length === 0) return this.finish(true);
    if (this.hold?.(this.folders) === true) {
      this.timer = setTimeout(() => this.next(), HOLD_POLL_MS);
      return;
    }
    this.timer = setImmediate(() => {
      this.timer = null;
      this.slice();
    });
  }

  private slice(): void {
    try {
      this.readFor(SLICE_MS);
    } catch (error) {
      this.cancel(false);
      return this.failed(error);
    }
    this.next();
  }

  /** Reads folders for `ms` at most, or until the stack is empty or the walk is held. */
  private readFor(ms: number): void {
    const startedAt = performance.now();
    while (this.stack.length > 0 && performance.now() - startedAt < ms) {
      if (this.isCancelled || this.hold?.(this.folders) === true) return;
      this.read(this.hold === null ? FOLDERS_PER_LOOK : 1); // held: stop at the folder it says
    }
  }

  private finish(isComplete: boolean): void {
    if (this.isDone) return;
    this.isDone = true;
    this.linkedInodes.clear();
    this.end(isComplete);
  }
}
