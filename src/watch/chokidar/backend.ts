// The fall-back back-end where ffi-rs cannot load (so no inotify or fanotify of our own): chokidar
// 5 on Node's fs.watch, which still uses the kernel's notifications, without polling. chokidar
// only says which path to look at; what happened to it is decided as everywhere else, by comparing
// the state kept for that path with its state now (scan.ts's diff), so the events mean what they
// mean with the other back-ends. What chokidar cannot give: which delete and create were one
// rename (a move is a `delete` and a `create`), and a base folder that does not exist yet or is
// removed, which chokidar stops watching: here its nearest existing ancestor is watched until it
// appears, then it is scanned and watched again.
//
// Two gaps of chokidar are closed here: it drops a file's change events that follow another within
// 5 ms (a throttle with no trailing call), so every path it reports is looked at once more a little
// later; and it does not report a change of metadata alone, so a name added or removed also looks
// at the other names of the same inode (their link count changed). What is still not exact: a
// change that follows another within milliseconds can go unseen until the path changes again (a
// save by rename and a `sed -i` at once; a base removed and made again at once), which the
// conformance suite states as a capability this back-end lacks.
//
// Content-only hashes are taken off the event loop (content-hash.ts): a look at some paths that
// needs one holds those paths (path-order.ts), so a later look at the same path waits for it and
// the path's events keep their order, while looks at other paths go on.
import { statSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../../log/logger.js';
import { msgPoll } from '../../log/messages/watch-poll.js';
import type { BackendCapabilities, WatchBackend } from '../backend.js';
import { parentOf } from '../match.js';
import { isWithin } from '../../watchtab/path-pattern.js';
import { isDir, isSameState, nearestDir, readState, type PathState } from '../path-state.js';
import { diffStates, reportChanges, snapshotScope } from '../kernel/scan.js';
import { withContentHash } from '../kernel/content-hash.js';
import { PathOrder } from '../kernel/path-order.js';
import {
  backendOfIndependentTargets,
  STATE_COMPARING_CAN,
  IndependentTarget,
} from '../kernel/independent-targets.js';

export interface ChokidarBackendDeps {
  readonly logger: Logger;
}

type ChokidarEvent = 'add' | 'addDir' | 'change' | 'unlink' | 'unlinkDir';

/** Longer than chokidar's 5 ms throttle of a file's events. */
const LOOK_AGAIN_MS = 25;

/** The inode at `path`, or null when nothing is there (ENOENT, ENOTDIR, EACCES alike). */
function inodeAt(path: string): number | null {
  try {
    return statSync(path, { throwIfNoEntry: false })?.ino ?? null;
  } catch {
    return null;
  }
}

class ChokidarTarget extends IndependentTarget {
  private readonly state = new Map<string, PathState>();
  private watcher: FSWatcher | null = null;
  /** The inode of the anchor chokidar watches: another one at that path means it was made again. */
  private anchorIno: number | null = null;
  private isClosed = false;
  /** Serializes re-arming: a watcher is closed before the next one is made. */
  private chain: Promise<void> = Promise.resolve();
  /** Paths reported lately, looked at again once chokidar's throttle has passed. */
  private readonly again = new Set<string>();
  private againTimer: NodeJS.Timeout | null = null;
  private readonly order = new PathOrder((error) => this.warn(error));

  watchCount(): number {
    return 0; // chokidar's watches are Node's, not counted by watchtab
  }

  *knownStates(): Generator<readonly [string, PathState]> {
    for (const entry of this.state) if (this.scope.isReported(entry[0])) yield entry;
  }

  /** Resolves once the anchor (or the folder it waits on) is watched. */
  start(): Promise<void> {
    return this.rearm(false);
  }

  async disarm(): Promise<void> {
    this.isClosed = true;
    if (this.againTimer !== null) clearTimeout(this.againTimer);
    this.againTimer = null;
    await this.chain;
    await this.watcher?.close();
    this.watcher = null;
  }

  /** Resolves (or rejects, for `start`) when this step is done; a failed step is logged and the next ones still run. */
  private rearm(isReporting: boolean): Promise<void> {
    const step = this.chain.then(async () => {
      await this.watcher?.close();
      this.watcher = null;
      if (this.isClosed) return;
      const { anchor } = this.scope;
      if (isDir(anchor)) await this.watchAnchor(isReporting);
      else await this.waitFor(anchor);
    });
    this.chain = step.catch((error: unknown) => this.warn(error));
    return step;
  }

  private warn(error: unknown): void {
    this.failedAt(error, msgPoll.chokidarFailed);
  }

  /** Watch the anchor's tree; once chokidar is ready, scan, so what changed meanwhile is reported. */
  private async watchAnchor(isReporting: boolean): Promise<void> {
    const { anchor } = this.scope;
    const spec = this.target.path;
    const depth = spec.kind === 'exact' ? 1 : spec.maxDepth === Infinity ? undefined : spec.maxDepth - 1;
    const watcher = watch(anchor, {
      ignoreInitial: true,
      followSymlinks: false,
      atomic: false,
      ignorePermissionErrors: true,
      ...(depth === undefined ? {} : { depth }),
      ignored: (path: string) =>
        path !== anchor && !this.scope.isReported(path) && !this.scope.isWatchedDir(path),
    });
    watcher.on('all', (event: string, path: string) => this.changed(event as ChokidarEvent, path));
    watcher.on('error', (error: unknown) => this.warn(error));
    this.watcher = watcher;
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.anchorIno = inodeAt(anchor);
    await this.rescan(isReporting);
  }

  /** Whether the folder chokidar watches is still the one at the anchor's path. */
  private isAnchorKept(): boolean {
    const ino = inodeAt(this.scope.anchor);
    return ino !== null && ino === this.anchorIno;
  }

  /** Watch the nearest existing folder above the anchor until the next level appears. */
  private async waitFor(anchor: string): Promise<void> {
    const above = nearestDir(parentOf(anchor));
    const watcher = watch(above, { ignoreInitial: true, depth: 0, followSymlinks: false, atomic: false });
    watcher.on('addDir', (path: string) => {
      if (isWithin(anchor, path)) void this.rearm(true);
    });
    this.watcher = watcher;
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    if (nearestDir(parentOf(anchor)) !== above || isDir(anchor)) void this.rearm(true); // appeared meanwhile
  }

  private changed(event: ChokidarEvent, path: string): void {
    if (this.isClosed) return;
    // chokidar reports the anchor's own removal only when it is still gone when it looks: a base
    // removed and made again at once is noticed here, by its inode, on the removals below it.
    const isRemoval = event === 'unlink' || event === 'unlinkDir';
    if ((event === 'unlinkDir' && path === this.scope.anchor) || (isRemoval && !this.isAnchorKept())) {
      this.chain = this.chain.then(() => this.rescan(true)).catch((error: unknown) => this.warn(error)); // deletes
      void this.rearm(true);
      return;
    }
    // A change is looked at once it has settled: chokidar has no close to tell a finished write,
    // and a look in the middle of one (truncated, half written) would report a content that never
    // was, which matters for content-only.
    if (event === 'change') return this.lookAgainLater(path);
    const paths = event === 'unlinkDir' ? [...this.state.keys()].filter((p) => isWithin(p, path)) : [path];
    if (event === 'add' || event === 'unlink') paths.push(...this.otherNames(path));
    this.lookAt(paths, false);
    if (event !== 'unlinkDir') this.lookAgainLater(path);
  }

  /**
   * Kept paths that share the inode of `path` (as kept, or as it is now): their link count moved.
   * Only a file with another name has any, so the kept state is searched only then — never for
   * the common new or removed file, on the event path.
   */
  private otherNames(path: string): string[] {
    const known = this.state.get(path) ?? readState(path);
    if (known === null || known.type !== 'file' || known.nlink < 2) return [];
    return [...this.state]
      .filter(([p, s]) => p !== path && s.type === 'file' && s.ino === known.ino)
      .map(([p]) => p);
  }

  private lookAgainLater(path: string): void {
    this.again.add(path);
    if (this.againTimer !== null) return;
    this.againTimer = setTimeout(() => {
      this.againTimer = null;
      const paths = [...this.again];
      this.again.clear();
      if (this.isClosed) return;
      // A path that was still changing is looked at once more, until a look finds it quiet:
      // chokidar drops events of a file that changes again soon after (an editor's save, then a
      // `sed -i`), and no event would come for the last change.
      this.lookAt(paths, true);
    }, LOOK_AGAIN_MS);
  }

  /**
   * Compares `paths` as kept with their state now and reports the difference, in order with the
   * other looks at the same paths; with `isLookingAgain`, the paths that had changed are looked at
   * once more later.
   */
  private lookAt(paths: readonly string[], isLookingAgain: boolean): void {
    this.order.run(paths, () => this.lookNow(paths, isLookingAgain));
  }

  private lookNow(paths: readonly string[], isLookingAgain: boolean): void | Promise<void> {
    const before = new Map<string, PathState>();
    const now = new Map<string, PathState>();
    const changed: string[] = [];
    const hashing: Promise<void>[] = [];
    for (const p of paths) {
      const old = this.state.get(p);
      if (old !== undefined) before.set(p, old);
      const cur = this.scope.isReported(p) ? readState(p) : null;
      if (cur !== null) now.set(p, cur);
      if (!isSameState(old, cur ?? undefined)) changed.push(p);
      if (cur === null || !this.target.contentOnly) continue;
      const judged = withContentHash(p, cur, old);
      if (judged instanceof Promise) hashing.push(judged.then((s) => void now.set(p, s)));
      else now.set(p, judged);
    }
    const finish = (): void => {
      if (this.isClosed) return;
      this.apply(before, now);
      if (isLookingAgain) for (const p of changed) this.lookAgainLater(p);
    };
    if (hashing.length === 0) return finish();
    return Promise.all(hashing).then(finish);
  }

  /** Compares the whole scope with the kept state (after arming, or when the base went). */
  private async rescan(isReporting: boolean): Promise<void> {
    const { anchor } = this.scope;
    const now = isDir(anchor)
      ? await snapshotScope(this.scope, this.target.contentOnly, this.state, this.cannotOpen)
      : new Map<string, PathState>();
    if (this.isClosed) return;
    if (isReporting) this.apply(new Map(this.state), now);
    else for (const [p, s] of now) this.state.set(p, s);
  }

  private apply(before: ReadonlyMap<string, PathState>, now: ReadonlyMap<string, PathState>): void {
    for (const p of before.keys()) if (!now.has(p)) this.state.delete(p);
    for (const [p, s] of now) this.state.set(p, s);
    reportChanges(diffStates(before, now), this.events, this.onEvent);
  }
}

export const CHOKIDAR_CAN: BackendCapabilities = {
  ...STATE_COMPARING_CAN,
  needsPolling: false,
  seesQuickSuccessions: false, // chokidar drops a file's events that follow soon after others
};

export function createChokidarBackend(deps: ChokidarBackendDeps): WatchBackend {
  return backendOfIndependentTargets('chokidar', CHOKIDAR_CAN, deps.logger, ChokidarTarget);
}
