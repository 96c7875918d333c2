// The document the status socket answers with: the daemon, its watchtab files, and per entry its
// paths (each with its back-end and watches), its timing and stdin keys, and what its slot reports
// (state, last runs, counters). Times are ISO 8601, durations seconds.
import { describePathSpec } from '../watchtab/entry.js';
import { VERSION } from '../cli/version.js';
import type { LastRun, SlotStatus } from '../run/slot-status.js';
import type { FileOutcome } from './table.js';
import { isArmed, type LiveEntries, type LiveEntry } from './live-entries.js';
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

/** Each path of the entry with its own back-end and watches (a list may mix fanotify and inotify). */
function pathsJson(live: LiveEntry) {
  return live.watches.map((w) => ({
    path: describePathSpec(w.spec),
    backend: w.backendName,
    armed: w.armed !== null,
    watches: w.armed?.watchCount() ?? 0,
    leftOut: w.armed?.leftOut?.() ?? [],
  }));
}

/** What the entry is: its paths (`path`: the first; `backend`: every one in use), and its timing and stdin keys. */
function entryJson(live: LiveEntry) {
  const { entry } = live;
  const paths = pathsJson(live);
  return {
    name: entry.name,
    source: `${entry.source.file}:${entry.source.line}`,
    path: describePathSpec(entry.paths[0]),
    paths,
    events: entry.events,
    delay: entry.delayMs / 1000,
    settle: entry.settleMs / 1000,
    maxWait: entry.maxWaitMs / 1000,
    stdin: entry.stdin,
    backend: [...new Set(paths.flatMap((p) => (p.backend === null ? [] : [p.backend])))].join(',') || null,
    armed: isArmed(live),
    watches: paths.reduce((sum, p) => sum + p.watches, 0),
    leftOut: paths.flatMap((p) => p.leftOut),
  };
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
    entries: source.live.list().map((l) => ({ ...entryJson(l), ...slotJson(l.slot.status()) })),
  };
}
