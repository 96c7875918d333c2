// Paces a kernel back-end's overflow rescans: one at a time, each begun no sooner than the gap
// after the last one began, and always one more after the last overflow (an overflow during a
// rescan may have dropped events in folders it already read). A user flooding the file system
// thus gets rescans back to back at worst, each yielding to the event loop (target.ts rescan());
// no change is lost, only reported up to a rescan and a gap later.

export class RescanPacer {
  private isDue = false;
  private timer: NodeJS.Timeout | null = null;
  private isRunning = false;
  private isClosed = false;
  private lastAtMs = -Infinity;

  /** `rescan` reads every target again and resolves when all are done; it never rejects. */
  constructor(
    private readonly gapMs: number,
    private readonly rescan: () => Promise<void>,
  ) {}

  /** The kernel dropped events: a rescan is due (after the one running, if any). */
  overflowed(): void {
    this.isDue = true;
    this.schedule();
  }

  close(): void {
    this.isClosed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  // A timer even when no wait is left: the rescan starts after this read round, so status
  // requests and runs get their turn first.
  private schedule(): void {
    if (!this.isDue || this.isRunning || this.timer !== null || this.isClosed) return;
    const waitMs = Math.max(0, this.lastAtMs + this.gapMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.isClosed) return;
      this.isDue = false;
      this.isRunning = true;
      this.lastAtMs = performance.now();
      void this.rescan().finally(() => {
        this.isRunning = false;
        this.schedule();
      });
    }, waitMs);
  }
}
