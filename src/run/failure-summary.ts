// Say it once: the first failure of a kind is logged in full; identical failures after it are
// counted and summarised — at 10, 100, 1000… in a row, and when a different outcome ends the
// series — so a command failing on every event cannot flood the log (filewatcherd logs once).

/** What to log for one run's outcome. */
export type Report =
  | { readonly kind: 'success'; readonly endedSeries: Series | null }
  | { readonly kind: 'failure'; readonly endedSeries: Series | null }
  | { readonly kind: 'repeat'; readonly times: number; readonly isMilestone: boolean };

/** A run of identical failures that has ended: `times` in a row, of which all but the first were quiet. */
export interface Series {
  readonly words: string;
  readonly times: number;
}

export class FailureSummary {
  private words: string | null = null;
  private times = 0;

  record(words: string, failed: boolean): Report {
    if (failed && words === this.words) {
      this.times += 1;
      return { kind: 'repeat', times: this.times, isMilestone: isPowerOfTen(this.times) };
    }
    const endedSeries =
      this.words !== null && this.times > 1 ? { words: this.words, times: this.times } : null;
    this.words = failed ? words : null;
    this.times = failed ? 1 : 0;
    return { kind: failed ? 'failure' : 'success', endedSeries };
  }
}

function isPowerOfTen(n: number): boolean {
  for (let p = 10; p <= n; p *= 10) if (p === n) return true;
  return false;
}
