// The polling back-end, for file systems whose changes the kernel does not report (NFS, SMB, FUSE,
// 9p, ...): every poll interval it scans a target's scope and diffs it against the state kept from
// the last scan, with the same scope rules, state and diff as the inotify back-end's overflow
// rescan. What polling cannot know: a close (`close_write` is reported with every `write`), and
// which delete and create were one rename (a move is `delete` + `create`). Each target has one
// timer, chained so scans (and their content-only hashes, taken off the event loop) never
// overlap; `close()` clears them all so the process can exit.
import type { Logger } from '../../log/logger.js';
import { msgPoll } from '../../log/messages/watch-poll.js';
import type { BackendCapabilities, WatchBackend } from '../backend.js';
import type { PathState } from '../path-state.js';
import { diffStates, reportChanges, snapshotScope } from '../kernel/scan.js';
import {
  backendOfIndependentTargets,
  STATE_COMPARING_CAN,
  IndependentTarget,
} from '../kernel/independent-targets.js';

export interface PollBackendDeps {
  readonly logger: Logger;
}

class PolledTarget extends IndependentTarget {
  private state = new Map<string, PathState>();
  private timer: NodeJS.Timeout | null = null;
  private isDisarmed = false;

  /** Resolves once the first scan is done. */
  async start(): Promise<void> {
    // Content-only keeps hashes from the start, so the first change after arming is judged by content.
    this.state = await snapshotScope(this.scope, this.target.contentOnly, new Map(), this.cannotOpen);
    if (!this.isDisarmed) this.schedule();
  }

  watchCount(): number {
    return 0; // no kernel watches: the cost is a scan per interval
  }

  knownStates(): Iterable<readonly [string, PathState]> {
    return this.state; // the last scan's, of reported paths only
  }

  async disarm(): Promise<void> {
    this.isDisarmed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.poll(), this.target.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    const now = await snapshotScope(this.scope, this.target.contentOnly, this.state, this.cannotOpen);
    if (this.isDisarmed) return;
    const changes = diffStates(this.state, now);
    this.state = now;
    if (changes.length > 0)
      this.logger.debug(msgPoll.changesFound(), { entry: this.target.id, changes: changes.length });
    reportChanges(changes, this.events, this.onEvent);
    this.schedule();
  }
}

export const POLL_CAN: BackendCapabilities = {
  ...STATE_COMPARING_CAN,
  needsPolling: true,
  seesQuickSuccessions: true, // every scan compares all it sees, however soon after a change
};

export function createPollBackend(deps: PollBackendDeps): WatchBackend {
  return backendOfIndependentTargets('poll', POLL_CAN, deps.logger, PolledTarget);
}
