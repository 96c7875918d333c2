// The fanotify WatchBackend: one group for the daemon, one file-system mark per watched root's
// file system (however large the tree), resolved events turned into the core's facts (edge.ts)
// and handed to the same per-target logic as inotify's (kernel/target.ts: matching, per-path
// state, moves, rescans), so both back-ends report the contract's events the same way. Overflow
// rescans every target, paced (kernel/rescan-pacer.ts): one at a time, in slices that yield,
// begun RESCAN_GAP_MS apart at least, and always one after the last overflow.
//
// What differs from inotify, and is handled here: the kernel reports whole paths instead of
// watch descriptors, so an event goes to each target that covers its folder; it merges queued
// events on one name (FAN_CREATE|FAN_DELETE), whose order is told by whether the path exists
// now; and folders have no watch to lose, so a removed or moved folder above a target's anchor
// is told to the target as the loss of its watch (gone) or a MOVE_SELF fact.
//
// Ready at the mark: a target is armed once the mark is placed and its anchor's folder read; the
// folders below are read in the background (kernel/background-walk.ts) and the events in those
// not read yet go to it as well (TargetWatch.covers), so none is lost while the state is built.
import { lstatSync } from 'node:fs';
import { toFsPath } from '../../system/path-bytes.js';
import type { Armed, BackendCapabilities, EventListener, WatchBackend, WatchTarget } from '../backend.js';
import type { EventName } from '../../watchtab/entry.js';
import type { Logger } from '../../log/logger.js';
import { msgFanotify as msg } from '../../log/messages/watch-fanotify.js';
import { parentOf } from '../match.js';
import { isWithin } from '../../watchtab/path-pattern.js';
import { TargetWatch, type TargetHost } from '../kernel/target.js';
import { leftOutOf, TargetFaults } from '../kernel/target-faults.js';
import { isDebug } from '../kernel/is-debug.js';
import { WatchTable } from '../kernel/watch-table.js';
import { RescanPacer } from '../kernel/rescan-pacer.js';
import { FolderBook } from './folders.js';
import { nearestArmable } from '../kernel/no-follow.js';
import { openFanotify, type FanotifyEvent, type FanotifyInstance, type FanotifyOptions } from './instance.js';
import { FAN, fanMaskNames } from './mask.js';
import { factsOf } from './edge.js';
import { FACT } from '../kernel/facts.js';
import type { WalkHold } from '../kernel/background-walk.js';

export interface FanotifyBackendDeps {
  readonly logger: Logger;
  readonly fanotify?: FanotifyOptions;
  /**
   * Holds the background walk of each target while it says so (tests act during the walk);
   * `WATCHTAB_TEST_WALK_HOLD` gives one to the daemon.
   */
  readonly walkHold?: WalkHold;
  /** Holds each overflow rescan while it says so (tests; `WATCHTAB_TEST_RESCAN_HOLD`). */
  readonly rescanHold?: WalkHold;
}

type Change = Extract<FanotifyEvent, { kind: 'change' }>;

/**
 * The least time between the starts of two overflow rescans. A user flooding the file system
 * overflows the queue again and again; a rescan reads every target's folders (in slices), so they
 * are paced, and the last overflow is always followed by one (no change is lost, only reported
 * later).
 */
const RESCAN_GAP_MS = 250;

/** Its file-system mark reports the name a change was made through, not every name of the inode. */
export const FANOTIFY_CAN: BackendCapabilities = {
  reportsPid: true,
  needsPolling: false,
  pairsRenames: true,
  seesShortLived: true,
  seesQuickSuccessions: true,
  seesOtherNames: false,
};

/** Opens the group now: throws SystemCallError (EPERM without CAP_SYS_ADMIN, EINVAL on old kernels). */
export function createFanotifyBackend(deps: FanotifyBackendDeps): WatchBackend {
  return new FanotifyBackend(deps);
}

/** Read-side events are marked only when a target asks: on a file-system mark they are a flood. */
function readSideMask(events: ReadonlySet<EventName>): number {
  let mask = 0;
  if (events.has('access')) mask |= FAN.ACCESS;
  if (events.has('open')) mask |= FAN.OPEN;
  if (events.has('close_nowrite')) mask |= FAN.CLOSE_NOWRITE;
  return mask;
}

class FanotifyBackend implements WatchBackend, TargetHost {
  readonly name = 'fanotify' as const;
  readonly can = FANOTIFY_CAN;
  readonly table: WatchTable<TargetWatch>;
  private readonly book = new FolderBook();
  private readonly fanotify: FanotifyInstance;
  private readonly targets = new Map<TargetWatch, string>();
  private readonly rootRefs = new Map<string, number>();
  private readonly isTracing: boolean;
  private readonly faults: TargetFaults<TargetWatch>;
  /** The process behind the kernel event being handed to the targets now (null in a rescan). */
  private origin: number | null = null;
  private readonly pacer = new RescanPacer(RESCAN_GAP_MS, () => this.rescanAll());
  readonly rescanHold: WalkHold | null;
  /** The batch being handled: each path's last removal in it, and the index of the event handled now. */
  private removedAt = new Map<string, number>();
  private batchIndex = -1;
  /** The path whose merged mask, being handled, ends with its removal (see onChange). */
  private removedInMask: string | null = null;
  /** The number of the batch being handled (TargetHost.batchNow), null between batches. */
  private batch: number | null = null;
  private batchCount = 0;

  constructor(private readonly deps: FanotifyBackendDeps) {
    this.fanotify = openFanotify(deps.fanotify);
    this.table = new WatchTable(this.book);
    this.isTracing = isDebug(deps.logger);
    this.rescanHold = deps.rescanHold ?? null;
    this.faults = new TargetFaults(deps.logger, (watch) => this.rearm(watch));
    this.fanotify.onEvents((batch) => this.onBatch(batch));
  }

  arm(target: WatchTarget, onEvent: EventListener): Promise<Armed> {
    // Reports carry the pid of the kernel event being handled (TargetWatch asks originNow()).
    const watch = new TargetWatch(target, this, onEvent, { hold: this.deps.walkHold ?? null });
    // The mark: on the file system of the anchor, or of its nearest existing folder while it is
    // missing; the root stays that path (it is a filter on paths, and the mark outlives it).
    const root = nearestArmable(watch.scope.anchor);
    try {
      this.fanotify.markFilesystem(root, readSideMask(watch.events));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.rootRefs.set(root, (this.rootRefs.get(root) ?? 0) + 1);
    this.targets.set(watch, root);
    try {
      watch.settle(false);
    } catch (error) {
      this.disarm(watch); // nothing of a failed arm stays: no mark reference, no target
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.deps.logger.debug(msg.armed(), {
      entry: watch.id,
      path: watch.scope.named,
      backend: 'fanotify',
      marks: this.fanotify.markCount(),
      folders: this.table.countFor(watch),
    });
    // Waits for the hashes of the first scan: the first change after arming is judged by content.
    return watch.idle().then(() => ({
      watchCount: () => (this.targets.has(watch) ? 1 : 0),
      leftOut: () => leftOutOf(watch.leftOut, this.faults.pending(watch)),
      knownStates: () => watch.reportedStates(),
      walk: () => watch.walkProgress(),
      walked: () => watch.walked(),
      disarm: async () => this.disarm(watch),
    }));
  }

  async close(): Promise<void> {
    this.pacer.close();
    for (const watch of [...this.targets.keys()]) this.disarm(watch);
    await this.fanotify.close();
  }

  private disarm(watch: TargetWatch): void {
    const root = this.targets.get(watch);
    if (root === undefined) return;
    this.targets.delete(watch);
    this.faults.forget(watch);
    watch.release();
    const refs = (this.rootRefs.get(root) ?? 1) - 1;
    if (refs > 0) {
      this.rootRefs.set(root, refs);
      return;
    }
    this.rootRefs.delete(root);
    this.fanotify.unmark(root);
  }

  leftOut(watch: TargetWatch, path: string, errno: string, detail: string | null): void {
    this.faults.leftOut(watch, path, errno, detail);
  }

  /** Work that waited for a content hash failed: that target degrades as any failed work does. */
  failed(watch: TargetWatch, error: unknown): void {
    if (this.targets.has(watch)) this.faults.failed(watch, error);
  }

  originNow(): number | null {
    return this.origin;
  }

  // A target whose work failed, due again: its folders read afresh, differences reported.
  private rearm(watch: TargetWatch): void {
    if (!this.targets.has(watch)) return;
    const isDone = this.faults.run(watch, () => {
      if (watch.state.size > 0) void watch.rescan();
      else watch.settle(false);
    });
    if (isDone) this.faults.recovered(watch);
  }

  grew(): void {} // one mark per file system: no budget to watch

  // ---- the event path: one batch, in kernel order ----

  private onBatch(batch: readonly FanotifyEvent[]): void {
    let isOverflow = false;
    this.removedAt = lastRemovals(batch);
    this.batch = ++this.batchCount;
    try {
      for (let index = 0; index < batch.length; index++) {
        const e = batch[index]!;
        if (e.kind === 'overflow') {
          isOverflow = true;
          continue;
        }
        this.origin = e.pid;
        this.batchIndex = index;
        try {
          this.onChange(e);
        } finally {
          this.origin = null;
          this.removedInMask = null;
        }
      }
    } finally {
      this.batchIndex = -1;
      this.batch = null;
      this.removedAt = new Map();
    }
    if (isOverflow) this.overflowed();
  }

  batchNow(): number | null {
    return this.batch;
  }

  isGoneAfter(path: string): boolean {
    if (this.batchIndex < 0) return false;
    return path === this.removedInMask || (this.removedAt.get(path) ?? -1) > this.batchIndex;
  }

  // Whether the order of a merged create and remove of `e` matters to a target: one whose folder
  // holds it, and that reports it or watches it as a folder. Matching comes before any lstat.
  private isOrderWanted(e: Change): boolean {
    const dir = parentOf(e.path);
    for (const watch of this.targets.keys()) {
      if (!this.table.isHeld(watch, dir)) continue;
      if (watch.scope.isReported(e.path) || (e.isDir && watch.scope.isWatchedDir(e.path))) return true;
    }
    return false;
  }

  private onChange(e: Change): void {
    if (this.isTracing) {
      this.deps.logger.debug(msg.event(), {
        mask: fanMaskNames(e.mask),
        path: e.path,
        ...(e.oldPath === undefined ? {} : { oldPath: e.oldPath }),
        pid: e.pid,
      });
    }
    if (e.oldPath !== undefined) return this.moved(e.oldPath, e.path, e.isDir);
    if (e.mask & FAN.MOVED_FROM) return this.moved(e.path, null, e.isDir);
    if (e.mask & FAN.MOVED_TO) return this.moved(null, e.path, e.isDir);
    if ((e.mask & FAN.CREATE) === 0) return this.child(e, e.mask); // one step: unmerge has nothing to split
    const steps = unmerge(e.mask, e.path, () => this.isOrderWanted(e) && exists(e.path));
    // Made, then removed in the same mask: the steps before the removal are about an object gone.
    const last = steps[steps.length - 1] ?? 0;
    if (steps.length > 1 && (last & FAN.DELETE) !== 0) this.removedInMask = e.path;
    for (const mask of steps) {
      if ((mask & FAN.DELETE) !== 0) this.removedInMask = null;
      this.child(e, mask);
      if ((mask & FAN.CREATE) !== 0 && !e.isDir) this.markNew(e.path);
    }
  }

  // A file made and written before its events were read is seen at its final content when its
  // creation is handled: what it was created as is unknown, so for content-only its content
  // counts as new at close_write (as the contract says: a new file always counts).
  private markNew(path: string): void {
    for (const watch of this.targets.keys()) {
      const kept = watch.state.get(path);
      if (kept !== undefined) watch.state.set(path, { ...kept, hash: null });
    }
  }

  // An event about an entry: to each target covering its folder. An event on a folder itself
  // goes to the targets covering its parent as an entry's, or else to those covering it.
  private child(e: Change, mask: number): void {
    const dir = parentOf(e.path);
    const facts = factsOf(mask);
    for (const watch of this.targets.keys()) {
      try {
        if (watch.covers(dir)) watch.child(dir, e.path, facts);
        else if (e.isSelf && this.table.isHeld(watch, e.path)) watch.self(e.path, facts);
      } catch (error) {
        this.faults.failed(watch, error); // TargetFaults.run's guard, without a closure per event
      }
    }
    if ((mask & FAN.DELETE) !== 0 && e.isDir) this.folderGone(e.path);
  }

  // A move within the watched tree, in (from null) or out (to null), told to each target that
  // covers either folder, or holds folders below the moved one (re-pathed here, as inotify's
  // back-end does when it sees both halves).
  private moved(from: string | null, to: string | null, isDir: boolean): void {
    const holds = (watch: TargetWatch, path: string | null): boolean =>
      path !== null && watch.covers(parentOf(path));
    // Which targets see either side is asked before the table is re-pathed (it changes covers()).
    let repathed: ReadonlySet<TargetWatch> | null = null;
    if (isDir && from !== null && to !== null && this.isSeenBy(from) && this.isSeenBy(to)) {
      repathed = new Set(this.table.repath(from, to));
    }
    const watches = this.targets.size === 1 ? this.targets.keys() : [...this.targets.keys()];
    for (const watch of watches) {
      const isRepathed = repathed?.has(watch) === true;
      const fromPath = holds(watch, from) || isRepathed ? from : null;
      const toPath = holds(watch, to) || isRepathed ? to : null;
      try {
        if (fromPath !== null || toPath !== null) watch.moved(fromPath, toPath, isDir);
        else if (isDir && from !== null && isWithin(watch.scope.anchor, from)) {
          watch.self(watch.scope.anchor, FACT.MOVE_SELF); // the anchor went with a folder above it
        }
      } catch (error) {
        this.faults.failed(watch, error); // TargetFaults.run's guard, without a closure per event
      }
    }
  }

  /** Whether a target covers the folder of `path`. */
  private isSeenBy(path: string): boolean {
    const dir = parentOf(path);
    for (const watch of this.targets.keys()) if (watch.covers(dir)) return true;
    return false;
  }

  // A folder was removed: targets whose anchor (or the folder they wait on) was at or below it
  // lose their folders there, as if each watch there were gone.
  private folderGone(path: string): void {
    const isAffected = [...this.targets.keys()].some(
      (w) => isWithin(w.scope.anchor, path) || (w.waitingOn !== null && isWithin(w.waitingOn, path)),
    );
    if (!isAffected) return;
    for (const handle of this.book.handles()) {
      const rec = this.table.record(handle);
      if (rec === undefined || ![...rec.subs.values()].some((s) => isWithin(s.path, path))) continue;
      const users = this.table.forget(handle);
      this.book.unwatch(handle);
      for (const [watch, p] of users) {
        if (this.targets.has(watch)) this.faults.run(watch, () => watch.gone(p));
      }
    }
  }

  // Events were dropped: a rescan is due, paced (kernel/rescan-pacer.ts): it reads the folders
  // after the overflows happened, so those meanwhile are covered by it.
  private overflowed(): void {
    this.pacer.overflowed();
  }

  private async rescanAll(): Promise<void> {
    let changes = 0;
    const rescans: Promise<void>[] = [];
    for (const watch of this.targets.keys())
      this.faults.run(watch, () => void rescans.push(watch.rescan().then((n) => void (changes += n))));
    await Promise.all(rescans);
    this.deps.logger.warn(msg.overflowRescanned(this.targets.size, changes), {
      changes,
      entries: this.targets.size,
    });
  }
}

/**
 * The kernel merges queued events on one name into one mask, losing their order. Split it back
 * into steps as they happened: a creation first, then the rest; with a removal too,
 * removed then made again if the path exists now, else made then removed.
 */
export function unmerge(mask: number, path: string, isThere = (): boolean => exists(path)): number[] {
  const ondir = mask & FAN.ONDIR;
  const rest = mask & ~(FAN.CREATE | FAN.DELETE | FAN.ONDIR);
  const create = FAN.CREATE | ondir;
  const remove = FAN.DELETE | ondir;
  const steps: number[] = [];
  const hasCreate = (mask & FAN.CREATE) !== 0;
  const hasDelete = (mask & FAN.DELETE) !== 0;
  if (!hasCreate) return [mask];
  if (hasDelete && isThere()) steps.push(remove);
  steps.push(create);
  if (rest !== 0) steps.push(rest | ondir);
  if (hasDelete && steps[0] !== remove) steps.push(remove);
  return steps;
}

/** Per path, the index in `batch` of its last removal (deleted, moved away, or renamed from). */
function lastRemovals(batch: readonly FanotifyEvent[]): Map<string, number> {
  const removedAt = new Map<string, number>();
  for (let index = 0; index < batch.length; index++) {
    const e = batch[index]!;
    if (e.kind !== 'change') continue;
    if (e.oldPath !== undefined) removedAt.set(e.oldPath, index);
    else if ((e.mask & (FAN.DELETE | FAN.MOVED_FROM)) !== 0) removedAt.set(e.path, index);
  }
  return removedAt;
}

function exists(path: string): boolean {
  try {
    return lstatSync(toFsPath(path), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENAMETOOLONG, ENOTDIR: not there for the watcher
  }
}
