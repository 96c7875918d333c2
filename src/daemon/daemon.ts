// watchtabd's lifecycle: load the watchtab, arm every usable entry, report ready, then reload on
// change or SIGHUP and stop cleanly on SIGTERM/SIGINT. Reload builds the new table before touching
// the old one; entries whose definition did not change keep their slot and running process.
import type { WatchtabdOptions } from './options.js';
import type { Logger } from '../log/logger.js';
import { createDaemonLogger } from './daemon-logger.js';
import { formatProblem, msgDaemon } from '../log/messages.js';
import { dropInFolder, loadWatchtab, type LoadResult } from '../watchtab/load.js';
import type { FileMemo } from '../watchtab/load-memo.js';
import { createNssResolver } from '../system/nss.js';
import { createNotifier, readyState, reloadingState, type Notifier } from './notify.js';
import { handleSignals, reopenLogs } from './signals.js';
import { diffTables, entriesByName, nextFileTable, type FileOutcome, type FileTable } from './table.js';
import { isArmed, LiveEntries } from './live-entries.js';
import { watchWatchtab, type WatchtabWatcher } from './watchtab-watcher.js';
import { isSocketLive, serveStatus, type StatusServer } from './status-server.js';
import { BackendPool } from './backend-pool.js';
import { createOwnSessions } from '../run/own-sessions.js';
import { loadSpawner } from '../run/spawn.js';
import { WatchtabError } from '../errors.js';
import { buildStatus } from './status.js';
import { logUnclaimed, openStartState } from './run-records.js';
import { CatchUpKeeper } from './catch-up/keeper.js';
import { compactAfterStart } from './compact-heap.js';

/** Turns the loader's per-file results into outcomes, logging every problem with its place. */
function outcomesOf(result: LoadResult, log: Logger, previous: FileTable): FileOutcome[] {
  return result.files.map((file): FileOutcome => {
    if (!file.exists) return { kind: 'missing', file: file.file };
    // Warnings leave the file in force; the log is where an administrator of a daemon sees them.
    for (const warning of file.warnings) log.warn(formatProblem(warning));
    if (file.refused !== null) {
      log.error(msgDaemon.fileRefused(file.file, file.refused));
      return { kind: 'refused', file: file.file, reason: file.refused };
    }
    if (file.problems.length > 0) {
      for (const problem of file.problems) log.error(formatProblem(problem));
      const count = file.problems.length;
      log.error(
        previous.has(file.file)
          ? msgDaemon.fileBrokenKept(file.file, count)
          : msgDaemon.fileBroken(file.file, count),
      );
      return { kind: 'broken', file: file.file, problemCount: count };
    }
    return { kind: 'loaded', file: file.file, entries: file.entries };
  });
}

interface DaemonState {
  readonly options: WatchtabdOptions;
  readonly log: Logger;
  readonly notifier: Notifier;
  readonly live: LiveEntries;
  readonly catchUp: CatchUpKeeper;
  readonly isRoot: boolean;
  readonly startedAt: Date;
  fileTable: FileTable;
  outcomes: readonly FileOutcome[];
  /** How the last reload went, for sd_notify's STATUS=; null before the first. */
  lastReload: string | null;
  /** The last load's unchanged-file memo; a change seen by the watch re-reads only changed files. */
  memo: FileMemo;
}

/**
 * Reads the watchtab and works out the entries that should be in force; logs what it finds.
 * `everything`: read every file again (start-up, SIGHUP: accounts are resolved afresh too).
 */
async function readTable(state: DaemonState, everything: boolean, loading?: Promise<LoadResult>) {
  const result = await (loading ??
    loadFiles(state.options.watchtab, state.isRoot, everything ? null : state.memo));
  state.memo = result.memo;
  const outcomes = outcomesOf(result, state.log, state.fileTable);
  const fileTable = nextFileTable(state.fileTable, outcomes);
  const { entries, conflicts } = entriesByName(fileTable);
  for (const c of conflicts) state.log.error(msgDaemon.nameClash(c.name, c.file, c.keptFrom));
  return { outcomes, fileTable, entries };
}

/** Reads the watchtab's files; `previous`: the last load's memo (only changed files are read again). */
function loadFiles(watchtab: string, isRoot: boolean, previous: FileMemo | null): Promise<LoadResult> {
  return loadWatchtab(watchtab, {
    isRoot,
    resolver: createNssResolver(),
    ...(previous === null ? {} : { previous }),
  });
}

function counts(outcomes: readonly FileOutcome[]) {
  return {
    files: outcomes.filter((o) => o.kind !== 'missing').length,
    broken: outcomes.filter((o) => o.kind === 'broken').length,
    refused: outcomes.filter((o) => o.kind === 'refused').length,
  };
}

/** STATUS= for sd_notify: how many entries are armed, and the last reload's result. */
function notifyStatus(state: DaemonState): string {
  const armed = state.live.list().filter(isArmed).length;
  return msgDaemon.notifyStatus(armed, state.live.size, state.lastReload);
}

async function reload(state: DaemonState, everything: boolean): Promise<void> {
  state.notifier.send(reloadingState());
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  try {
    await reloadTable(state, everything);
    state.lastReload = msgDaemon.reloadResult(at, counts(state.outcomes));
  } catch (error) {
    state.lastReload = msgDaemon.reloadFailedResult(
      at,
      error instanceof Error ? error.message : String(error),
    );
    throw error;
  } finally {
    // READY=1 after every RELOADING=1, failed or not: Type=notify-reload waits for it.
    state.notifier.send(readyState(notifyStatus(state)));
  }
}

async function reloadTable(state: DaemonState, everything: boolean): Promise<void> {
  const next = await readTable(state, everything);
  const plan = diffTables(state.live.definitions(), next.entries);
  await state.live.apply(plan);
  state.fileTable = next.fileTable;
  state.outcomes = next.outcomes;
  const changedAnything = plan.added.length + plan.removed.length + plan.changed.length > 0;
  state.log.info(changedAnything ? msgDaemon.reloaded() : msgDaemon.reloadUnchanged(), {
    added: plan.added.map((e) => e.name),
    removed: plan.removed.map((e) => e.name),
    changed: plan.changed.map((c) => c.after.name),
    kept: plan.kept.length,
    ...counts(next.outcomes),
  });
  await pruneCatchUp(state);
}

/** Drops the catch-up state of entries that are gone, unless a broken file may be hiding some. */
async function pruneCatchUp(state: DaemonState): Promise<void> {
  const isWhole = state.outcomes.every((o) => o.kind === 'loaded' || o.kind === 'missing');
  if (isWhole) await state.catchUp.prune([...state.live.definitions().values()]);
}

/**
 * Serialises reloads: a request during a reload runs one more reload after it, never two at once.
 * Requests that meet are one reload, of everything if any of them asked for everything.
 */
function reloadQueue(
  run: (everything: boolean) => Promise<void>,
  log: Logger,
): (everything: boolean) => void {
  let running = false;
  let again: boolean | null = null;
  const loop = async (everything: boolean): Promise<void> => {
    running = true;
    for (let next: boolean | null = everything; next !== null; next = again) {
      again = null;
      try {
        await run(next);
      } catch (error) {
        log.error(msgDaemon.reloadFailed(), { error: error instanceof Error ? error.stack : String(error) });
      }
    }
    running = false;
  };
  return (everything) => {
    if (running) again = (again ?? false) || everything;
    else void loop(everything);
  };
}

async function startStatus(state: DaemonState, pool: BackendPool): Promise<StatusServer | null> {
  const path = state.options.socket;
  if (await isSocketLive(path)) throw new WatchtabError('E_SOCKET_IN_USE', msgDaemon.statusInUse(path));
  try {
    const server = await serveStatus(path, () => buildStatus(state, pool));
    state.log.debug(msgDaemon.statusListening(), { socket: path });
    return server;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    state.log.warn(msgDaemon.statusFailed(path, reason));
    return null;
  }
}

/** Runs the daemon until SIGTERM/SIGINT; resolves with the exit code. */
export async function runDaemon(options: WatchtabdOptions): Promise<number> {
  const log = createDaemonLogger(options, process.env);
  const isRoot = process.getuid?.() === 0;
  log.info(msgDaemon.starting(), {
    watchtab: options.watchtab,
    pid: process.pid,
    user: isRoot ? 'root' : 'unprivileged',
  });
  const pool = new BackendPool({
    logger: log,
    defaultChoice: options.backend,
    defaultPollIntervalMs: options.pollIntervalMs,
  });
  const notifier = createNotifier(process.env['NOTIFY_SOCKET']);
  // The watchtab is read (and a YAML drop-in's parser loaded) while the state folder is opened:
  // neither needs the other, and each is a few round trips. Its problems are logged after, as before.
  const firstLoad = loadFiles(options.watchtab, isRoot, null);
  firstLoad.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const { stateDir, records, inherited } = await openStartState(options.stateDir, log);
  const catchUp = new CatchUpKeeper(stateDir, log);
  const live = new LiveEntries({
    logger: log,
    isRoot,
    pollIntervalMs: options.pollIntervalMs,
    watchFor: (entry, spec, target) => pool.watch(entry, spec, target),
    sessions: createOwnSessions(log),
    records,
    inherited,
    catchUp,
  });
  const state: DaemonState = {
    options,
    log,
    notifier,
    live,
    catchUp,
    isRoot,
    startedAt: new Date(),
    fileTable: new Map(),
    outcomes: [],
    lastReload: null,
    memo: new Map(),
  };

  let requestStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  let requestStopNow!: () => void;
  const stopNowRequested = new Promise<void>((resolve) => (requestStopNow = resolve));
  const requestReload = reloadQueue((everything) => reload(state, everything), log);
  const removeSignals = handleSignals({
    onReload: () => {
      log.info(msgDaemon.sighup());
      requestReload(true);
    },
    onStop: () => requestStop(),
    onStopNow: () => requestStopNow(),
    onReopenLogs: () => reopenLogs(log),
  });

  let watcher: WatchtabWatcher | null = null;
  let status: StatusServer | null = null;
  try {
    const first = await readTable(state, true, firstLoad);
    const main = first.outcomes[0];
    if (main?.kind === 'missing') log.warn(msgDaemon.mainMissing(options.watchtab));
    const hasProblems = first.outcomes.some((o) => o.kind === 'broken' || o.kind === 'refused');
    if (hasProblems && first.entries.size === 0) {
      log.error(msgDaemon.noUsableEntries());
      return 1;
    }
    status = await startStatus(state, pool);
    for (const entry of first.entries.values()) await live.add(entry, true);
    logUnclaimed(inherited, log);
    state.fileTable = first.fileTable;
    state.outcomes = first.outcomes;
    await pruneCatchUp(state);
    watcher = await watchWatchtab(
      pool.watchtabBackend(),
      options.watchtab,
      dropInFolder(options.watchtab),
      () => {
        log.info(msgDaemon.watchtabChanged());
        requestReload(false);
      },
    );
    log.info(msgDaemon.ready(), { entries: live.size, ...counts(first.outcomes) });
    const failure = notifier.send(readyState(notifyStatus(state)));
    if (failure !== null) log.warn(msgDaemon.notifyFailed(), { reason: failure.message });
    // Ready first, then load the spawner, so the first command does not pay for it; then, once the
    // walks are done, give back the old-space pages their garbage made V8 commit.
    setImmediate(() => {
      loadSpawner()
        .catch((error: unknown) =>
          log.error(msgDaemon.spawnerFailed(error instanceof Error ? error.message : String(error))),
        )
        .then(() => live.walked())
        .then(compactAfterStart, () => undefined);
    });

    await stopRequested;
    // The picture of the paths as the stop begins: written below if everything before it has run.
    catchUp.freeze();
    log.info(msgDaemon.stopping());
    notifier.send('STOPPING=1');
    await watcher.close();
    watcher = null;
    // A second signal during the grace period cuts it short: SIGKILL at once.
    const stopNow = stopNowRequested.then(() => {
      log.warn(msgDaemon.stopNow());
      return live.stopAll(0);
    });
    await Promise.race([live.stopAll(options.graceMs), stopNow]);
    await records.flushed();
    await catchUp.finish();
    log.info(msgDaemon.stopped());
    return 0;
  } catch (error) {
    // Expected failures the daemon cannot work around end it with one line; bugs keep their stack.
    if (!(error instanceof WatchtabError)) throw error;
    log.error(msgDaemon.cannotRun(error.message));
    return 1;
  } finally {
    removeSignals();
    await watcher?.close();
    await status?.close();
    await pool.close();
    notifier.close();
    await log.close();
  }
}
