// Pairs IN_MOVED_FROM with IN_MOVED_TO by cookie. The kernel queues both halves of one rename one
// after the other, so a MOVED_FROM followed by any other event is unpaired (a move out of the
// watched tree) and is settled at once, keeping event order. Only a MOVED_FROM that ends a read
// can have its half in the next read: it is held until that read, or `holdMs` at most (one
// one-shot timer, armed only while such a half waits: no timer when idle).

/** The first half of a move, with whatever the back-end needs to settle it later. */
export interface MoveHalf<T> {
  readonly cookie: number;
  readonly value: T;
}

export class MovePairer<T> {
  private pending: MoveHalf<T> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly holdMs: number,
    /** Called with a half that found no pair: a move out. */
    private readonly onUnpaired: (value: T) => void,
  ) {}

  /** A MOVED_FROM: settles a half already waiting (it is unpaired), then waits for this one's pair. */
  from(cookie: number, value: T): void {
    this.settle();
    this.pending = { cookie, value };
  }

  /** A MOVED_TO: the waiting half with this cookie, if any (taken), else null (a move in). */
  to(cookie: number): T | null {
    const half = this.pending;
    if (half === null || half.cookie !== cookie) {
      this.settle();
      return null;
    }
    this.pending = null;
    return half.value;
  }

  /** Any other event: the waiting half (if any) had no pair. */
  other(): void {
    this.settle();
  }

  /** At the end of a read: a waiting half may pair with the next read's first event. */
  endOfBatch(): void {
    if (this.pending === null) {
      this.stopTimer();
      return;
    }
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.settle();
      }, this.holdMs);
      this.timer.unref();
    }
  }

  /** Settles a waiting half as unpaired. */
  settle(): void {
    this.stopTimer();
    const half = this.pending;
    this.pending = null;
    if (half !== null) this.onUnpaired(half.value);
  }

  /** Drops a waiting half without settling it (after an overflow, a rescan tells what happened). */
  clear(): void {
    this.stopTimer();
    this.pending = null;
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
