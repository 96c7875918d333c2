// The runaway guard. Two rules, so that honest work is never paused:
// - a loop, where the back-end names the process behind a change (fanotify): `burst` runs in a row
//   each started by changes the entry's own command made (a run folding no such change ends the
//   row); once found, the loop runs at most once per pause until the row ends;
// - any back-end: more than `burst` runs started within `intervalMs` (systemd's path-unit limit,
//   200 in 2 s by default, which no honest burst of writes reaches).
// A burst or an interval below 1 never comes from a watchtab (the reader refuses it); 0 here turns
// the guard off for tests.
import type { RunLimit } from '../watchtab/entry.js';

/** Why a start is refused: too many runs at all, a loop found, or a found loop going on after a pause. */
export type GuardRefusal = 'burst' | 'loop' | 'loop-again';

export class RunGuard {
  /** Start times within the last interval, oldest first; never more than `burst` of them. */
  private starts: number[] = [];
  /** Runs in a row started by the entry's own changes. */
  private ownRow = 0;
  /** The first start after a pause is let through: it runs what the pause held. */
  private isResuming = false;

  constructor(readonly limit: RunLimit) {}

  get isOff(): boolean {
    return this.limit.burst <= 0 || this.limit.intervalMs <= 0;
  }

  /**
   * Records a start at `now` and answers null, or refuses it (recording nothing). `isOwnTriggered`:
   * the run folds a change made by the entry's own command.
   */
  admit(now: number, isOwnTriggered: boolean): GuardRefusal | null {
    if (this.isOff) return null;
    const since = now - this.limit.intervalMs;
    this.starts = this.starts.filter((t) => t > since);
    if (!isOwnTriggered) this.ownRow = 0;
    if (this.isResuming) {
      this.isResuming = false;
    } else if (isOwnTriggered && this.ownRow >= this.limit.burst) {
      return this.ownRow > this.limit.burst ? 'loop-again' : 'loop';
    } else if (this.starts.length >= this.limit.burst) {
      return 'burst';
    }
    if (isOwnTriggered) this.ownRow += 1;
    this.starts.push(now);
    return null;
  }

  /** The pause is over: the window starts afresh, and the next start (the held run) is let through. */
  resumed(): void {
    this.starts = [];
    this.isResuming = true;
  }
}
