// The polling back-end, for file systems whose changes the kernel does not report (NFS, SMB, FUSE,
// 9p, ...): every poll interval it scans a target's scope and diffs it against the state kept from
// the last scan, with the same scope rules, state and diff as the inotify back-end's overflow
// rescan. What polling cannot know: a close (`close_write` is reported with every `write`), and
// which delete and create were one rename (a move is `delete` + `create`). Each target has one
// timer, chained so scans never overlap; `close()` clears them all so the process can exit.
import type { Logger } from '../../log/logger.js';
import { msgPoll } from '../../log/messages/watch-poll.js';
import type { Armed, EventListener, WatchBackend, WatchTarget } from '../backend.js';
import { compileScope, type Scope } from '../match.js';
import { hashFile, type PathState } from '../path-state.js';
import { diffStates, scanTree } from '../scan.js';
import { backendOfIndependentTargets } from '../independent-targets.js';

export interface PollBackendDeps {
  readonly logger: Logger;
}

/** Whether `prev` can lend its hash to `cur`: the same file, untouched by size and time. */
function isUntouched(prev: PathState | undefined, cur: PathState): prev is PathState {
  return prev !== undefined && prev.ino === cur.ino && prev.size === cur.size && prev.mtimeMs === cur.mtimeMs;
}

/** The reported paths in `scope` now, hashing only files that changed since `prev` (content-only). */
function snapshot(
  scope: Scope,
  isContentOnly: boolean,
  prev: ReadonlyMap<string, PathState>,
): Map<string, PathState> {
  const now = new Map<string, PathState>();
  scanTree(
    scope.anchor,
    {
      watchDir: () => true, // polling watches by reading: a folder that is gone fails its readdir
      isReported: scope.isReported,
      isWatchedDir: scope.isWatchedDir,
      hasHash: () => false, // hashed below, and only when size, time or inode moved
    },
    (path, state, isReported) => {
      if (!isReported) return;
      if (!isContentOnly || state.type !== 'file') {
        now.set(path, state);
        return;
      }
      const old = prev.get(path);
      now.set(path, { ...state, hash: isUntouched(old, state) ? old.hash : hashFile(path) });
    },
  );
  return now;
}

class PolledTarget implements Armed {
  private readonly scope: Scope;
  private readonly events: ReadonlySet<string>;
  private state: Map<string, PathState>;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly target: WatchTarget,
    private readonly onEvent: EventListener,
    private readonly logger: Logger,
  ) {
    this.scope = compileScope(target.path, target.exclude);
    this.events = new Set(target.events);
    // Content-only keeps hashes from the start, so the first change after arming is judged by content.
    this.state = snapshot(this.scope, target.contentOnly, new Map());
    this.schedule();
  }

  watchCount(): number {
    return 0; // no kernel watches: the cost is a scan per interval
  }

  async disarm(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.poll(), this.target.pollIntervalMs);
  }

  private poll(): void {
    const now = snapshot(this.scope, this.target.contentOnly, this.state);
    const changes = diffStates(this.state, now);
    this.state = now;
    if (changes.length > 0)
      this.logger.debug(msgPoll.changesFound, { entry: this.target.id, changes: changes.length });
    for (const change of changes) {
      if (this.events.has(change.event))
        this.onEvent({ event: change.event, path: change.path, isDir: change.isDir });
    }
    if (this.timer !== null) this.schedule();
  }
}

export function createPollBackend(deps: PollBackendDeps): WatchBackend {
  return backendOfIndependentTargets(
    'poll',
    async (target, onEvent) => new PolledTarget(target, onEvent, deps.logger),
  );
}
