// The document the status socket answers with: the daemon, its watchtab files, and per entry its
// back-end, watches, and what its slot reports (state, last runs, counters). Times are ISO 8601.
import type { Entry } from '../watchtab/entry.js';
import { watchBase } from '../watchtab/entry.js';
import { VERSION } from '../version.js';
import type { LastRun, SlotStatus } from '../run/slot-status.js';
import type { FileOutcome } from './table.js';
import type { LiveEntries } from './live-entries.js';
import type { BackendPool } from './backend-pool.js';

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

function runJson(run: LastRun) {
  return { ...run, startedAt: iso(run.startedAt) };
}

/** A slot's status with its times in ISO 8601, as the rest of the document. */
function slotJson(status: SlotStatus) {
  return {
    ...status,
    lastRun: status.lastRun === null ? null : runJson(status.lastRun),
    history: status.history.map(runJson),
    paused: status.paused === null ? null : { ...status.paused, since: iso(status.paused.since) },
  };
}

function describePath(entry: Entry): string {
  return entry.path.kind === 'glob' ? entry.path.pattern : watchBase(entry.path);
}

export function buildStatus(source: StatusSource, pool: BackendPool) {
  return {
    daemon: {
      version: VERSION,
      pid: process.pid,
      startedAt: source.startedAt.toISOString(),
      watchtab: source.options.watchtab,
      backends: pool.names(),
    },
    files: source.outcomes.map((o) => ({
      file: o.file,
      state: o.kind,
      ...(o.kind === 'refused' ? { reason: o.reason } : {}),
      ...(o.kind === 'broken' ? { problems: o.problemCount } : {}),
    })),
    entries: source.live.list().map((l) => ({
      name: l.entry.name,
      source: `${l.entry.source.file}:${l.entry.source.line}`,
      path: describePath(l.entry),
      events: l.entry.events,
      backend: l.backendName,
      armed: l.armed !== null,
      watches: l.armed?.watchCount() ?? 0,
      ...slotJson(l.slot.status()),
    })),
  };
}
