// The entries in force: for each, its slot (which owns any running process) and its armed watch.
// Reload plans are carried out here: kept entries keep slot and process; a changed entry keeps its
// slot, which takes the new definition (so its old and new command never run at once), and is
// re-armed when its watch changed; removed ones stop triggering, may finish their run, and are
// still stopped with the daemon; new ones are armed before being counted.
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
  /** The definition in force; a reload that changes it keeps the slot. */
  entry: Entry;
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

/** What the watch of an entry, and the choice of its back-end, depend on. */
function watchKey(entry: Entry): string {
  const { path, exclude, events, contentOnly, pollIntervalMs, backend, ignoreOwnChanges } = entry;
  return JSON.stringify({ path, exclude, events, contentOnly, pollIntervalMs, backend, ignoreOwnChanges });
}

export class LiveEntries {
  private readonly live = new Map<string, LiveEntry>();
  /** Slots of removed entries whose command still runs: the daemon's stop must reach them too. */
  private readonly retiring = new Set<Slot>();
  private accepting = true;
  /** The reload plan being carried out: a stop waits for it, so every slot it makes or retires is seen. */
  private applying: Promise<void> = Promise.resolve();

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
    const live: LiveEntry = { entry, slot, armed: null, backendName: null };
    this.live.set(entry.name, live);
    live.armed = await this.arm(live, chosen);
  }

  /**
   * The same entry with a new definition: its slot takes it (a running command finishes, then the
   * events it held run under the new definition). A changed watch is armed before the old one is
   * disarmed, so no event falls between them (one seen by both is folded into the same run).
   */
  async replace(after: Entry): Promise<void> {
    const live = this.live.get(after.name);
    if (live === undefined) return this.add(after);
    const before = live.entry;
    live.entry = after;
    live.slot.replaceEntry(after);
    if (watchKey(before) === watchKey(after) && live.armed !== null) return;
    const old = live.armed;
    live.armed = await this.arm(live);
    await old?.disarm();
  }

  /** Arms the entry's watch with the back-end chosen for it; null (logged) when it cannot be armed. */
  private async arm(
    live: LiveEntry,
    chosen: ChosenBackend | Error = this.deps.backendFor(live.entry),
  ): Promise<Armed | null> {
    const { logger } = this.deps;
    const { entry } = live;
    live.backendName = chosen instanceof Error ? null : chosen.backend.name;
    if (chosen instanceof Error) {
      logger.error(msgDaemon.armFailed(), { entry: entry.name, reason: chosen.message });
      return null;
    }
    const target = watchTargetFor(entry, this.deps.pollIntervalMs);
    const listener = this.listenerFor(live);
    let backend = chosen.backend;
    let armed: Armed | null = null;
    try {
      try {
        armed = await backend.arm(target, listener);
      } catch (error) {
        if (chosen.fallback === null) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        backend = chosen.fallback();
        logger.info(msgPoll.chosen(), {
          entry: entry.name,
          backend: backend.name,
          reason: msgPoll.fanotifyFellBack(reason),
        });
        live.backendName = backend.name;
        armed = await backend.arm(target, listener);
      }
      logger.debug(msgDaemon.armed(), { entry: entry.name, backend: backend.name });
      if (entry.ignoreOwnChanges && backend.name !== 'fanotify') {
        logger.warn(msgRun.ownChangesNeedFanotify(backend.name), { entry: entry.name });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error(msgDaemon.armFailed(), { entry: entry.name, reason });
    }
    return armed;
  }

  /** Events for one entry become triggers of its slot, unless made by its own command (ignore-own-changes). */
  private listenerFor(live: LiveEntry): EventListener {
    const { slot } = live;
    return (event) => {
      if (!this.accepting) return;
      const { entry } = live;
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

  /** Stops the entry's triggers; a running command may finish (it is not awaited, but kept for stopAll). */
  async retire(name: string): Promise<void> {
    const live = this.live.get(name);
    if (live === undefined) return;
    this.live.delete(name);
    await live.armed?.disarm();
    const { slot } = live;
    this.retiring.add(slot);
    void slot.retire().then(() => this.retiring.delete(slot));
  }

  apply(plan: ReloadPlan): Promise<void> {
    this.applying = this.carryOut(plan);
    return this.applying;
  }

  private async carryOut(plan: ReloadPlan): Promise<void> {
    // Once a stop has begun, nothing new is armed (the stop waits for the step under way).
    const steps = [
      ...plan.removed.map((entry) => () => this.retire(entry.name)),
      ...plan.changed.map(
        ({ after }) =>
          () =>
            this.replace(after),
      ),
      ...plan.added.map((entry) => () => this.add(entry)),
    ];
    for (const step of steps) {
      if (!this.accepting) return;
      await step();
    }
    // watchtab(5): a reload ends a runaway pause (with the same definition for an unchanged entry).
    for (const entry of plan.kept) {
      const live = this.live.get(entry.name);
      if (live?.slot.status().state === 'paused') live.slot.replaceEntry(live.entry);
    }
  }

  /** Daemon shutdown: no new runs anywhere, then every running command, of removed entries too, is stopped. */
  async stopAll(graceMs: number): Promise<void> {
    this.accepting = false;
    await this.applying.catch(() => undefined);
    const all = [...this.live.values()];
    await Promise.all(all.map((l) => l.armed?.disarm()));
    const unclaimed = [...(this.deps.inherited?.values() ?? [])];
    for (const run of unclaimed) run.stop(graceMs, 'shutdown');
    const slots = [...all.map((l) => l.slot), ...this.retiring];
    await Promise.all([...slots.map((slot) => slot.stop(graceMs)), ...unclaimed.map((r) => r.ended)]);
  }
}
