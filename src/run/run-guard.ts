// The runaway guard (systemd's TriggerLimitBurst): more than `burst` runs started within
// `intervalMs` means the entry keeps re-triggering itself, and the slot pauses it. A burst or an
// interval below 1 never comes from a watchtab (the reader refuses it); 0 here turns the guard off for tests.
import type { RunLimit } from '../watchtab/entry.js';

export class RunGuard {
  /** Start times within the last interval, oldest first; never more than `burst` of them. */
  private starts: number[] = [];

  constructor(readonly limit: RunLimit) {}

  get isOff(): boolean {
    return this.limit.burst <= 0 || this.limit.intervalMs <= 0;
  }

  /** Records a start at `now` and says yes, or says no (and records nothing) when it would be one too many. */
  admit(now: number): boolean {
    if (this.isOff) return true;
    const since = now - this.limit.intervalMs;
    this.starts = this.starts.filter((t) => t > since);
    if (this.starts.length >= this.limit.burst) return false;
    this.starts.push(now);
    return true;
  }

  reset(): void {
    this.starts = [];
  }
}
