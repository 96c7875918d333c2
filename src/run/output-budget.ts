// How many output lines a run may send to the log: a token bucket (a burst, then a steady rate),
// so a command printing millions of short lines cannot flood the logger and, behind it, the
// daemon's memory. Lines over the budget are counted, and the count is logged at the run's end.

export const OUTPUT_BURST_LINES = 5000;
export const OUTPUT_LINES_PER_SECOND = 1000;

export class OutputBudget {
  private tokens: number;
  private lastMs: number;
  /** Lines refused so far. */
  dropped = 0;

  constructor(
    private readonly now: () => number,
    private readonly burst = OUTPUT_BURST_LINES,
    private readonly perSecond = OUTPUT_LINES_PER_SECOND,
  ) {
    this.tokens = burst;
    this.lastMs = now();
  }

  /** Whether one more line may be logged now; a refused line is counted. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) * this.perSecond) / 1000);
    this.lastMs = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped += 1;
    return false;
  }
}
