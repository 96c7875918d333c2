// The document the status socket answers with (its type is status-document.ts): the daemon, its
// watchtab files, and per entry its back-end, watches, and what its slot reports (state, last
// runs, counters). Times are ISO 8601.
import { pathJson, sourceText } from '../watchtab/entry-json.js';
import { VERSION } from '../version.js';
import type { LastRun, SlotStatus } from '../run/slot-status.js';
import type { FileOutcome } from './table.js';
import type { LiveEntries } from './live-entries.js';
import type { BackendPool } from './backend-pool.js';
import type { StatusDocument, StatusEntry, StatusFile, StatusRun } from './status-document.js';

export interface StatusSource {
  readonly options: { readonly watchtab: string };
  readonly startedAt: Date;
  readonly outcomes: readonly FileOutcome[];
  readonly live: LiveEntries;
}

/** Wall-clock milliseconds as the document writes every time: ISO 8601, UTC. */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function runJson(run: LastRun): StatusRun {
  return { ...run, startedAt: iso(run.startedAt) };
}

/** What a slot reports, with its times in ISO 8601 and its limits named as in the watchtab. */
function slotJson(
  status: SlotStatus,
): Pick<StatusEntry, 'state' | 'pid' | 'lastRun' | 'history' | 'counters' | 'paused'> {
  const { paused } = status;
  return {
    state: status.state,
    pid: status.pid,
    lastRun: status.lastRun === null ? null : runJson(status.lastRun),
    history: status.history.map(runJson),
    counters: status.counters,
    paused:
      paused === null
        ? null
        : {
            since: iso(paused.since),
            heldTriggers: paused.heldTriggers,
            'trigger-limit-burst': paused.burst,
            'trigger-limit-interval': paused.intervalMs / 1000,
          },
  };
}

function fileJson(o: FileOutcome): StatusFile {
  return {
    file: o.file,
    state: o.kind,
    ...(o.kind === 'refused' ? { reason: o.reason } : {}),
    ...(o.kind === 'broken' ? { problems: o.problemCount } : {}),
  };
}

export function buildStatus(source: StatusSource, pool: BackendPool): StatusDocument {
  return {
    daemon: {
      version: VERSION,
      pid: process.pid,
      startedAt: source.startedAt.toISOString(),
      watchtab: source.options.watchtab,
      backends: pool.names(),
    },
    files: source.outcomes.map(fileJson),
    entries: source.live.list().map((l) => ({
      name: l.entry.name,
      source: sourceText(l.entry),
      path: pathJson(l.entry.path),
      events: l.entry.events,
      backend: l.backendName,
      armed: l.armed !== null,
      watches: l.armed?.watchCount() ?? 0,
      ...slotJson(l.slot.status()),
    })),
  };
}
