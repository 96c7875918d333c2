// The entries in force: for each, its slot (which owns any running process) and its armed watch.
// Reload plans are carried out here: kept entries are not touched (same slot, same process),
// removed ones stop triggering and may finish their run, new ones are armed before being counted.
import type { Entry } from '../watchtab/entry.js';
import type { Armed, EventListener, WatchTarget } from '../watch/backend.js';
import type { Logger } from '../log/logger.js';
import { createSlot, type Slot } from '../run/slot.js';
import type { OwnSessions } from '../run/own-sessions.js';
import type { InheritedRun } from '../run/inherited-run.js';
import type { RunRecorder } from '../run/run-records.js';
import { msgDaemon, msgPoll } from '../log/messages.js';
import * as msgRun from '../log/messages/run.js';
import type { ReloadPlan } from './table.js';
import type { ChosenBackend } from './backend-pool.js';

export interface LiveEntry {
  readonly entry: Entry;
  readonly slot: Slot;
  /** null while the entry could not be armed (the failure was logged). */
  armed: Armed | null;
  backendName: string | null;
}

export interface LiveEntriesDeps {
  readonly logger: Logger;
  readonly isRoot: boolean;
  readonly pollIntervalMs: number;
  /** The back-end for an entry, or an error saying why none can serve it. */
  readonly backendFor: (entry: Entry) => ChosenBackend | Error;
  /** The daemon's record of command sessions (ignore-own-changes). */
  readonly sessions?: OwnSessions;
  /** The state folder's record of running commands. */
  readonly records?: RunRecorder;
  /** Commands a previous daemon left running, by entry name: the entry of that name takes its own. */
  readonly inherited?: Map<string, InheritedRun>;
}

export function watchTargetFor(entry: Entry, defaultPollIntervalMs: number): WatchTarget {
  return {
    id: entry.name,
    path: entry.path,
    exclude: entry.exclude,
    events: entry.events,
    contentOnly: entry.contentOnly,
    pollIntervalMs: entry.pollIntervalMs ?? defaultPollIntervalMs,
  };
}

export class LiveEntries {
  private readonly live = new Map<string, LiveEntry>();
  private accepting = true;

  constructor(private readonly deps: LiveEntriesDeps) {}

  get size(): number {
    return this.live.size;
  }

  list(): readonly LiveEntry[] {
    return [...this.live.values()];
  }

  /** Entries in force, by name, as the table diff wants them. */
  definitions(): Map<string, Entry> {
    return new Map([...this.live].map(([name, l]) => [name, l.entry]));
  }

  async add(entry: Entry): Promise<void> {
    const { logger, isRoot, sessions, records } = this.deps;
    const chosen = this.deps.backendFor(entry);
    // fanotify names the process behind each change: the runaway guard can then tell a loop.
    const tracksOwnChanges = !(chosen instanceof Error) && chosen.backend.name === 'fanotify';
    const inherited = this.deps.inherited?.get(entry.name) ?? null;
    this.deps.inherited?.delete(entry.name);
    const deps = { logger, isRoot, tracksOwnChanges, ...(sessions === undefined ? {} : { sessions }) };
    const slot = createSlot(entry, { ...deps, ...(records === undefined ? {} : { records }) }, inherited);
    const live: LiveEntry = {
      entry,
      slot,
      armed: null,
      backendName: chosen instanceof Error ? null : chosen.backend.name,
    };
    this.live.set(entry.name, live);
    if (chosen instanceof Error) {
      logger.error(msgDaemon.armFailed, { entry: entry.name, reason: chosen.message });
      return;
    }
    const target = watchTargetFor(entry, this.deps.pollIntervalMs);
    const listener = this.listenerFor(live);
    let backend = chosen.backend;
    try {
      try {
        live.armed = await backend.arm(target, listener);
      } catch (error) {
        if (chosen.fallback === null) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        backend = chosen.fallback();
        logger.info(msgPoll.chosen, {
          entry: entry.name,
          backend: backend.name,
          reason: msgPoll.fanotifyFellBack(reason),
        });
        live.backendName = backend.name;
        live.armed = await backend.arm(target, listener);
      }
      logger.debug(msgDaemon.armed, { entry: entry.name, backend: backend.name });
      if (entry.ignoreOwnChanges && backend.name !== 'fanotify') {
        logger.warn(msgRun.ownChangesNeedFanotify(backend.name), { entry: entry.name });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error(msgDaemon.armFailed, { entry: entry.name, reason });
    }
  }

  /** Events for one entry become triggers of its slot, unless made by its own command (ignore-own-changes). */
  private listenerFor(live: LiveEntry): EventListener {
    const { slot, entry } = live;
    return (event) => {
      if (!this.accepting) return;
      const isOwn = event.pid !== undefined && slot.isOwnProcess(event.pid);
      if (isOwn && entry.ignoreOwnChanges) {
        this.deps.logger.debug(msgRun.OWN_CHANGE_IGNORED, {
          entry: entry.name,
          path: event.path,
          pid: event.pid,
        });
        return;
      }
      slot.trigger({
        path: event.path,
        event: event.event,
        ...(event.oldPath === undefined ? {} : { oldPath: event.oldPath }),
        ...(isOwn ? { isOwn } : {}),
      });
    };
  }

  /** Stops the entry's triggers; a running command may finish (it is not awaited). */
  async retire(name: string): Promise<void> {
    const live = this.live.get(name);
    if (live === undefined) return;
    this.live.delete(name);
    await live.armed?.disarm();
    void live.slot.retire();
  }

  async apply(plan: ReloadPlan): Promise<void> {
    for (const entry of plan.removed) await this.retire(entry.name);
    for (const { before, after } of plan.changed) {
      await this.retire(before.name);
      await this.add(after);
    }
    for (const entry of plan.added) await this.add(entry);
  }

  /** Daemon shutdown: no new runs anywhere, then every running command is stopped. */
  async stopAll(graceMs: number): Promise<void> {
    this.accepting = false;
    const all = [...this.live.values()];
    await Promise.all(all.map((l) => l.armed?.disarm()));
    const unclaimed = [...(this.deps.inherited?.values() ?? [])];
    for (const run of unclaimed) run.stop(graceMs, 'shutdown');
    await Promise.all([...all.map((l) => l.slot.stop(graceMs)), ...unclaimed.map((r) => r.ended)]);
  }
}
