// The document the status socket answers with (its type is status-document.ts): the daemon, its
// watchtab files, and per entry its settings, each path with its back-end and watches, and what its
// slot reports (state, last runs, counters). Times are ISO 8601, durations seconds.
import { pathJson, sourceText } from '../watchtab/entry-json.js';
import { VERSION } from '../version.js';
import type { LastRun, SlotStatus } from '../run/slot-status.js';
import type { FileOutcome } from './table.js';
import { isArmed, type LiveEntries, type LiveEntry } from './live-entries.js';
import type { BackendPool } from './backend-pool.js';
import type { StatusDocument, StatusEntry, StatusFile, StatusRun, StatusWatch } from './status-document.js';

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

/** Each path of the entry with its own back-end and watches (a list may mix fanotify and inotify). */
function watchingJson(live: LiveEntry): StatusWatch[] {
  return live.watches.map((w) => {
    const walk = w.pooled.armed?.walk?.() ?? null;
    return {
      path: pathJson(w.spec),
      backend: w.pooled.backendName,
      armed: w.pooled.armed !== null,
      watches: w.pooled.armed?.watchCount() ?? 0,
      walking: walk?.isWalking ?? false,
      walkedFolders: walk?.folders ?? null,
      leftOut: [...w.pooled.leftOut()],
    };
  });
}

/** What the entry is (its settings as the watchtab names them) and how its paths are watched. */
function entryJson(live: LiveEntry): Omit<StatusEntry, keyof ReturnType<typeof slotJson>> {
  const { entry } = live;
  const watching = watchingJson(live);
  const backends = [...new Set(watching.flatMap((w) => (w.backend === null ? [] : [w.backend])))];
  return {
    name: entry.name,
    source: sourceText(entry),
    path: entry.paths.map(pathJson),
    events: entry.events,
    delay: entry.delayMs / 1000,
    settle: entry.settleMs / 1000,
    'max-wait': entry.maxWaitMs / 1000,
    stdin: entry.stdin,
    'catch-up': entry.catchUp,
    backend: backends.length === 0 ? null : backends.join(','),
    armed: isArmed(live),
    watches: watching.reduce((sum, w) => sum + w.watches, 0),
    walking: watching.some((w) => w.walking),
    leftOut: watching.flatMap((w) => w.leftOut),
    watching,
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
    entries: source.live.list().map((l) => ({ ...entryJson(l), ...slotJson(l.slot.status()) })),
  };
}
