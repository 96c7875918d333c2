// The inotify WatchBackend: one instance for the whole daemon, its watches shared by targets
// through the core's WatchTable, kernel batches turned into paths and facts (edge.ts) and moves
// paired by cookie, then handed to each target that uses the watch (kernel/target.ts). Overflow
// rescans every target, paced (kernel/rescan-pacer.ts) and in slices. Every piece of a target's
// work runs through TargetFaults (kernel/target-faults.ts): a target that cannot be armed, or whose
// event fails, is logged once and retried with back-off while the others go on.
import type { Armed, BackendCapabilities, EventListener, WatchBackend, WatchTarget } from '../backend.js';
import type { Logger } from '../../log/logger.js';
import type { SysctlLimit } from '../../log/messages/watch-kernel.js';
import { msgWatch as msg } from '../../log/messages/watch.js';
import { inotifyLimit, openInotify, type InotifyInstance } from './instance.js';
import type { RawInotifyEvent } from './decode.js';
import { IN } from './mask.js';
import { joinPath } from '../match.js';
import { MovePairer } from './rename.js';
import { TargetWatch, type TargetHost } from '../kernel/target.js';
import { WatchTable } from '../kernel/watch-table.js';
import { factsOf, inotifyWatches } from './edge.js';
import { leftOutOf, TargetFaults } from '../kernel/target-faults.js';
import { isDebug } from '../kernel/is-debug.js';
import { RescanPacer } from '../kernel/rescan-pacer.js';
import type { WalkHold } from '../kernel/background-walk.js';

export interface InotifyBackendDeps {
  readonly logger: Logger;
  /** How long a MOVED_FROM that ends a read waits for its MOVED_TO in the next read. */
  readonly moveHoldMs?: number;
  /** The watch limit to budget against; by default the one in force (read once, at creation). */
  readonly watchLimit?: SysctlLimit | null;
  /** Holds each overflow rescan while it says so (tests; `WATCHTAB_TEST_RESCAN_HOLD`). */
  readonly rescanHold?: WalkHold;
}

/** The least time between the starts of two overflow rescans (see kernel/rescan-pacer.ts). */
const RESCAN_GAP_MS = 250;

/** The first half of a move: each user of the watch, with the path it knows the entry by. */
interface MoveFrom {
  readonly users: readonly [TargetWatch, string][];
  readonly isDir: boolean;
}

export const INOTIFY_CAN: BackendCapabilities = {
  reportsPid: false,
  needsPolling: false,
  pairsRenames: true,
  seesShortLived: true,
  seesQuickSuccessions: true,
  seesOtherNames: true,
};

export function createInotifyBackend(deps: InotifyBackendDeps): WatchBackend {
  return new InotifyBackend(deps);
}

class InotifyBackend implements WatchBackend, TargetHost {
  readonly name = 'inotify' as const;
  readonly can = INOTIFY_CAN;
  readonly table: WatchTable<TargetWatch>;
  private readonly inotify: InotifyInstance;
  private readonly targets = new Set<TargetWatch>();
  private readonly faults: TargetFaults<TargetWatch>;
  private readonly moves: MovePairer<MoveFrom>;
  private isBudgetWarned = false;
  /** The name of the entry of the event handled now when the batch removes it later, else null. */
  private goneName: string | null = null;
  private readonly limit: SysctlLimit | null;
  private readonly pacer = new RescanPacer(RESCAN_GAP_MS, () => this.rescanAll());
  readonly rescanHold: WalkHold | null;
  /** The number of the batch being handled (TargetHost.batchNow), null between batches. */
  private batch: number | null = null;
  private batchCount = 0;

  constructor(private readonly deps: InotifyBackendDeps) {
    this.rescanHold = deps.rescanHold ?? null;
    this.limit = deps.watchLimit === undefined ? inotifyLimit('watches') : deps.watchLimit;
    this.inotify = openInotify(isDebug(deps.logger) ? { trace: deps.logger } : {});
    this.table = new WatchTable(inotifyWatches(this.inotify));
    this.faults = new TargetFaults(deps.logger, (watch) => {
      if (this.targets.has(watch)) this.tryArm(watch, true);
    });
    this.moves = new MovePairer(deps.moveHoldMs ?? 20, (from) => this.movedOut(from));
    this.inotify.onEvents((batch) => this.onBatch(batch));
  }

  arm(target: WatchTarget, onEvent: EventListener): Promise<Armed> {
    const watch = new TargetWatch(target, this, onEvent);
    this.targets.add(watch);
    this.tryArm(watch, false);
    // Waits for the hashes of the first scan: the first change after arming is judged by content.
    return watch.idle().then(() => ({
      watchCount: () => this.table.countFor(watch),
      leftOut: () => leftOutOf(watch.leftOut, this.faults.pending(watch)),
      knownStates: () => watch.reportedStates(),
      walk: () => watch.walkProgress(),
      disarm: async () => this.disarm(watch),
    }));
  }

  async close(): Promise<void> {
    this.pacer.close();
    for (const watch of [...this.targets]) this.disarm(watch);
    this.moves.clear();
    await this.inotify.close();
  }

  private disarm(watch: TargetWatch): void {
    if (!this.targets.delete(watch)) return;
    this.faults.forget(watch);
    watch.release();
  }

  // Arms (or re-arms) a target; on EACCES, ENOSPC and the like it releases what it holds, logs
  // once, and retries later. `isRetry`: compare with the state kept before (report differences).
  private tryArm(watch: TargetWatch, isRetry: boolean): void {
    const isDone = this.faults.run(watch, () => {
      if (isRetry && watch.state.size > 0) void watch.rescan();
      else watch.settle(false);
    });
    if (!isDone) return;
    this.faults.recovered(watch);
    this.deps.logger.debug(watch.isArmed ? msg.targetArmed() : msg.targetWaiting(), {
      entry: watch.id,
      path: watch.scope.named,
      watches: this.table.countFor(watch),
    });
  }

  leftOut(watch: TargetWatch, path: string, errno: string, detail: string | null): void {
    this.faults.leftOut(watch, path, errno, detail);
  }

  /** Work that waited for a content hash failed: that target degrades as any failed work does. */
  failed(watch: TargetWatch, error: unknown): void {
    if (this.targets.has(watch)) this.faults.failed(watch, error);
  }

  grew(): void {
    if (this.isBudgetWarned) return;
    const limit = this.limit;
    if (limit === null || this.table.size <= limit.value / 2) return;
    this.isBudgetWarned = true;
    const holders = this.table
      .holders()
      .map((h) => `${h.id} holds ${h.watches}`)
      .join(', ');
    this.deps.logger.warn(msg.watchBudget(this.table.size, limit.name, limit.value, holders), {
      watches: this.table.size,
      limit: limit.value,
    });
  }

  // ---- the event path: one batch, in kernel order ----

  // Per event: no string is built and no array copied here (this loop is the flood's hot path).
  private onBatch(batch: readonly RawInotifyEvent[]): void {
    const removedAt = lastRemovals(batch);
    let isOverflow: boolean;
    this.batch = ++this.batchCount;
    try {
      isOverflow = this.handleBatch(batch, removedAt);
    } finally {
      this.batch = null;
    }
    if (isOverflow) this.overflowed();
    else this.moves.endOfBatch();
  }

  batchNow(): number | null {
    return this.batch;
  }

  /** Hands each event to its targets, in kernel order; whether the kernel dropped events. */
  private handleBatch(
    batch: readonly RawInotifyEvent[],
    removedAt: Map<number, Map<string, number>>,
  ): boolean {
    let isOverflow = false;
    for (let index = 0; index < batch.length; index++) {
      const e = batch[index]!;
      if (e.mask & IN.Q_OVERFLOW) {
        isOverflow = true;
        continue;
      }
      const removed = e.name === '' ? -1 : (removedAt.get(e.wd)?.get(e.name) ?? -1);
      this.goneName = removed > index ? e.name : null;
      try {
        this.onEvent(e);
      } finally {
        this.goneName = null;
      }
    }
    return isOverflow;
  }

  isGoneAfter(path: string): boolean {
    const name = this.goneName;
    if (name === null) return false;
    const slash = path.length - name.length - 1; // `…/name`, compared without building it
    return slash >= 0 && path.charCodeAt(slash) === 47 && path.endsWith(name);
  }

  private onEvent(e: RawInotifyEvent): void {
    if (e.mask & IN.MOVED_TO) return this.movedTo(e);
    if (e.mask & IN.MOVED_FROM) {
      const rec = this.table.record(e.wd);
      if (rec === undefined) return this.moves.other();
      const users: [TargetWatch, string][] = [];
      for (const [u, s] of rec.subs) users.push([u, joinPath(s.path, e.name)]);
      return this.moves.from(e.cookie, { users, isDir: (e.mask & IN.ISDIR) !== 0 });
    }
    this.moves.other();
    if (e.mask & IN.IGNORED) {
      for (const [target, path] of this.table.forget(e.wd)) this.faults.run(target, () => target.gone(path));
      return;
    }
    const rec = this.table.record(e.wd);
    if (rec === undefined) return; // a watch released since the kernel queued this
    const facts = factsOf(e.mask);
    // One user (nearly always): no copy of the users; several: a copy, as handling may change them.
    const user = rec.subs.size === 1 ? rec.subs.headKey() : undefined;
    const sub = rec.subs.headValue();
    if (user !== undefined && sub !== undefined) return this.toTarget(user, sub.path, e.name, facts);
    for (const [target, sub] of [...rec.subs]) this.toTarget(target, sub.path, e.name, facts);
  }

  private toTarget(target: TargetWatch, dir: string, name: string, facts: number): void {
    if (!this.targets.has(target)) return;
    try {
      if (name === '') target.self(dir, facts);
      else target.child(dir, joinPath(dir, name), facts);
    } catch (error) {
      this.faults.failed(target, error); // what TargetFaults.run does, without a closure per event
    }
  }

  // A MOVED_TO, with its MOVED_FROM (a move within what is watched) or without (a move in).
  private movedTo(e: RawInotifyEvent): void {
    const from = this.moves.to(e.cookie);
    const rec = this.table.record(e.wd);
    const isDir = (e.mask & IN.ISDIR) !== 0;
    // A file moved within one target's folders, or into them (an editor's save): what the general
    // case below gives, without its maps and sets.
    const toUser = rec?.subs.size === 1 ? rec.subs.headKey() : undefined;
    const toDir = rec?.subs.headValue()?.path;
    const fromUser = from === null ? toUser : from.users.length === 1 ? from.users[0]![0] : undefined;
    if (!isDir && toUser !== undefined && toDir !== undefined && fromUser === toUser) {
      if (!this.targets.has(toUser)) return;
      const fromPath = from === null ? null : from.users[0]![1];
      const toPath = joinPath(toDir, e.name);
      this.faults.run(toUser, () => toUser.moved(fromPath, toPath, false));
      return;
    }
    const to = new Map<TargetWatch, string>();
    for (const [u, s] of rec?.subs ?? []) to.set(u, joinPath(s.path, e.name));
    const canonicalTo = to.values().next().value;
    const fromPaths = new Map(from?.users ?? []);
    const canonicalFrom = from?.users[0]?.[1];
    let moved = new Set<TargetWatch>();
    if (isDir && canonicalFrom !== undefined && canonicalTo !== undefined) {
      // Watches below the moved folder follow it: every path under the old name is re-pathed.
      for (const [u, p] of fromPaths) moved = union(moved, this.table.repath(p, to.get(u) ?? canonicalTo));
    }
    const users = new Set<TargetWatch>([...fromPaths.keys(), ...to.keys(), ...moved]);
    for (const user of users) {
      if (!this.targets.has(user)) continue;
      const fromPath = from === null ? null : (fromPaths.get(user) ?? canonicalFrom ?? null);
      const toPath = to.get(user) ?? (fromPath !== null && canonicalTo !== undefined ? canonicalTo : null);
      this.faults.run(user, () => user.moved(fromPath, toPath, isDir));
    }
  }

  private movedOut(from: MoveFrom): void {
    for (const [user, path] of from.users)
      if (this.targets.has(user)) this.faults.run(user, () => user.moved(path, null, from.isDir));
  }

  private overflowed(): void {
    this.moves.clear(); // what a waiting half meant, the rescan tells
    this.pacer.overflowed();
  }

  private async rescanAll(): Promise<void> {
    let changes = 0;
    const rescans: Promise<void>[] = [];
    for (const watch of this.targets)
      this.faults.run(watch, () => void rescans.push(watch.rescan().then((n) => void (changes += n))));
    await Promise.all(rescans);
    this.deps.logger.warn(msg.overflowRescanned(changes, this.targets.size, this.table.size), {
      changes,
      entries: this.targets.size,
      watches: this.table.size,
    });
  }
}

/** Per entry (watch, then name), the index in `batch` of its last removal (deleted or moved away). */
function lastRemovals(batch: readonly RawInotifyEvent[]): Map<number, Map<string, number>> {
  const removedAt = new Map<number, Map<string, number>>();
  for (let index = 0; index < batch.length; index++) {
    const e = batch[index]!;
    if (e.name === '' || (e.mask & (IN.DELETE | IN.MOVED_FROM)) === 0) continue;
    let names = removedAt.get(e.wd);
    if (names === undefined) removedAt.set(e.wd, (names = new Map()));
    names.set(e.name, index);
  }
  return removedAt;
}

function union<T>(a: Set<T>, b: Set<T>): Set<T> {
  for (const x of b) a.add(x);
  return a;
}
