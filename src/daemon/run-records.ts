// The daemon's state folder at start-up: opened (made 0700) or, when it cannot be used, logged once
// and done without — the daemon goes on, without a record of running commands. The commands a
// previous daemon left running are handed over as inherited runs, by entry name.
import type { Logger } from '../log/logger.js';
import { msgState } from '../log/messages/state.js';
import { inheritRuns, type InheritedRun } from '../run/inherited-run.js';
import { RunRecords } from '../run/run-records.js';
import { openStateDir, reasonOf, type StateDir } from '../system/state-dir.js';

export interface StartState {
  /** null when the folder cannot be used (said in the log). */
  readonly stateDir: StateDir | null;
  readonly records: RunRecords;
  readonly inherited: Map<string, InheritedRun>;
}

export async function openStartState(path: string, log: Logger): Promise<StartState> {
  let stateDir: StateDir | null = null;
  try {
    stateDir = await openStateDir(path);
  } catch (error) {
    log.warn(msgState.unusable(path, reasonOf(error)));
  }
  const records = new RunRecords(stateDir, log);
  const inherited = inheritRuns(await records.inherit(), { logger: log, records });
  return { stateDir, records, inherited };
}

/** Says which inherited commands no entry took (their entry is gone): they are stopped with the daemon. */
export function logUnclaimed(inherited: ReadonlyMap<string, InheritedRun>, log: Logger): void {
  for (const run of inherited.values())
    log.warn(msgState.inheritedUnclaimed(), { entry: run.record.entry, pid: run.pid });
}
