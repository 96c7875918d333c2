// Logging each run's outcome once: entry, outcome in words, duration; successes at info, failures
// at error, and identical failures in a row summarised (failure-summary.ts) instead of repeated.
// It also keeps the entry's last RUN_HISTORY_SIZE runs for `watchtab status`: memory stays bounded.
import type { Logger } from '../log/logger.js';
import * as msg from '../log/messages/run.js';
import { FailureSummary } from './failure-summary.js';
import { describeOutcome, isFailure } from './outcome.js';
import type { RunReport } from './run.js';
import type { LastRun } from './slot-status.js';

/** How many of an entry's latest runs `watchtab status` shows. */
export const RUN_HISTORY_SIZE = 10;

export class OutcomeLog {
  private readonly failures = new FailureSummary();
  /** Newest first. */
  private readonly recent: LastRun[] = [];

  constructor(private readonly logger: Logger) {}

  /** Logs the run's end as it deserves and returns it as `watchtab status` shows it. */
  say(entry: string, r: RunReport): LastRun {
    const words = describeOutcome(r.outcome);
    const failed = isFailure(r.outcome);
    const exitStatus = r.outcome.kind === 'exited' ? r.outcome.code : null;
    const signal = r.outcome.kind === 'signaled' ? r.outcome.signal : undefined;
    const fields = {
      entry,
      pid: r.pid,
      path: r.path,
      outcome: words,
      ...(exitStatus === null ? {} : { exitStatus }),
      ...(signal === undefined ? {} : { signal }),
      durationMs: r.durationMs,
    };
    const said = this.failures.record(words, failed);
    if (said.kind !== 'repeat' && said.endedSeries !== null) {
      const { times, words: before } = said.endedSeries;
      this.logger.warn(msg.repeatedFailureEnded(times, before), { entry });
    }
    if (said.kind === 'success') this.logger.info(msg.runEnded(words), fields);
    else if (said.kind === 'failure') this.logger.error(msg.runFailed(words), fields);
    else if (said.isMilestone) this.logger.error(msg.failedAgain(said.times, words), fields);
    else this.logger.debug(msg.runFailed(words), fields);
    const run: LastRun = {
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      outcome: words,
      failed,
      path: r.path,
      count: r.count,
      exitStatus,
    };
    this.recent.unshift(run);
    if (this.recent.length > RUN_HISTORY_SIZE) this.recent.pop();
    return run;
  }

  /** The latest runs, newest first. */
  history(): readonly LastRun[] {
    return [...this.recent];
  }
}
