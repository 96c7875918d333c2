// The entries in force: for each, its slot (which owns any running process) and its armed watches,
// one per path of its list, all triggering that one slot. Reload plans are carried out here: kept
// entries keep slot and process; a changed entry keeps its slot, which takes the new definition (so
// its old and new command never run at once), and only its changed watches are re-armed; removed
// ones stop triggering, may finish their run, and are still stopped with the daemon; new ones are
// armed before being counted.
import { describePathSpec, type Entry, type PathSpec } from '../watchtab/entry.js';
import type { EventListener, WatchTarget } from '../watch/backend.js';
import type { Logger } from '../log/logger.js';
import { createSlot, type Slot } from '../run/slot.js';
import type { OwnSessions } from '../run/own-sessions.js';
import type { InheritedRun } from '../run/inherited-run.js';
import type { RunRecorder } from '../run/run-records.js';
import * as msgRun from '../log/messages/run.js';
import type { ReloadPlan } from './table.js';
import type { PoolWatch } from './pool-watch.js';
import { distinctPaths } from './distinct-paths.js';
import type { CatchUpKeeper, WatchedStates } from './catch-up/keeper.js';

/** One watch of an entry: one path of its list, served by the back-end pool. */
export interface LiveWatch {
  readonly spec: PathSpec;
  /** What this watch and its back-end choice depend on (a reload re-arms only when it changed). */
  readonly key: string;
  /** Its back-end, capabilities and armed watch (null while not armed: retried, or none can serve). */
  readonly pooled: PoolWatch;
}

/** The states every watch of the entry keeps, or null while one of them is not armed. */
function knownStatesOf(live: LiveEntry): WatchedStates | null {
  const armed = live.watches.map((w) => w.pooled.armed);
  if (armed.length === 0 || armed.some((a) => a === null)) return null;
  const knownStates = () => armed.flatMap((a) => (a === null ? [] : [...a.knownStates()]));
  // A state still built in the background (fanotify's walk): the catch-up compares after it.
  if (!armed.some((a) => a?.walk?.()?.isWalking === true)) return { knownStates };
  const walked = async () => (await Promise.all(armed.map((a) => a?.walked?.() ?? true))).every(Boolean);
  return { knownStates, walked };
}

export interface LiveEntry {
  /** The definition in force; a reload that changes it keeps the slot. */
  entry: Entry;
  readonly slot: Slot;
  /** One per path of the entry (a path that names another's file is watched once). */
  watches: LiveWatch[];
}

/** Whether every one of the entry's watches is armed (a path that does not exist yet is: it waits for it). */
export function isArmed(live: LiveEntry): boolean {
  return live.watches.length > 0 && live.watches.every((w) => w.pooled.armed !== null);
}

export interface LiveEntriesDeps {
  readonly logger: Logger;
  readonly isRoot: boolean;
  readonly pollIntervalMs: number;
  /** A watch of one path of an entry, its back-end chosen, to be armed (the back-end pool's). */
  readonly watchFor: (entry: Entry, spec: PathSpec, target: WatchTarget) => PoolWatch;
  /** The daemon's record of command sessions (ignore-own-changes). */
  readonly sessions?: OwnSessions;
  /** The state folder's record of running commands. */
  readonly records?: RunRecorder;
  /** Commands a previous daemon left running, by entry name: the entry of that name takes its own. */
  readonly inherited?: Map<string, InheritedRun>;
  /** What the daemon knows of each entry's paths across stops (catch-up). */
  readonly catchUp?: CatchUpKeeper;
}

export function watchTargetFor(entry: Entry, spec: PathSpec, defaultPollIntervalMs: number): WatchTarget {
  return {
    id: entry.name,
    path: spec,
    exclude: entry.exclude,
    events: entry.events,
    contentOnly: entry.contentOnly,
    pollIntervalMs: entry.pollIntervalMs ?? defaultPollIntervalMs,
  };
}

/** What the watch of one path of an entry, and the choice of its back-end, depend on. */
function watchKey(entry: Entry, spec: PathSpec): string {
  const { exclude, events, contentOnly, pollIntervalMs, backend, ignoreOwnChanges } = entry;
  const fields = { spec, exclude, events, contentOnly, pollIntervalMs, backend, ignoreOwnChanges };
  return JSON.stringify(fields, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value));
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

  /** Resolves once every watch armed now has built its state (fanotify's background walks). */
  async walked(): Promise<void> {
    const armed = [...this.live.values()].flatMap((l) => l.watches.map((w) => w.pooled.armed));
    await Promise.all(armed.map((a) => a?.walked?.()));
  }

  /** Entries in force, by name, as the table diff wants them. */
  definitions(): Map<string, Entry> {
    return new Map([...this.live].map(([name, l]) => [name, l.entry]));
  }

  /** `isStart`: the daemon is starting (a catch-up entry then runs what changed while it was stopped). */
  async add(entry: Entry, isStart = false): Promise<void> {
    const { logger, isRoot, sessions, records } = this.deps;
    const specs = await distinctPaths(entry, logger);
    const chosen = specs.map((spec) => this.watchOf(entry, spec));
    // A back-end that names the process behind each change lets the runaway guard tell a loop.
    const tracksOwnChanges = chosen.some((w) => w.pooled.can?.reportsPid === true);
    const inherited = this.deps.inherited?.get(entry.name) ?? null;
    this.deps.inherited?.delete(entry.name);
    const deps = { logger, isRoot, tracksOwnChanges, ...(sessions === undefined ? {} : { sessions }) };
    const slot = createSlot(entry, { ...deps, ...(records === undefined ? {} : { records }) }, inherited);
    const live: LiveEntry = { entry, slot, watches: [] };
    this.live.set(entry.name, live);
    for (const watch of chosen) live.watches.push(await this.armWatch(live, watch));
    await this.deps.catchUp?.arrived(entry, knownStatesOf(live), slot, isStart);
  }

  /**
   * The same entry with a new definition: its slot takes it (a running command finishes, then the
   * events it held run under the new definition). Only the paths whose watch changed are armed,
   * each before the old watches are disarmed, so no event falls between them (one seen by both is
   * folded into the same run); paths left as they were keep their watch.
   */
  async replace(after: Entry): Promise<void> {
    const live = this.live.get(after.name);
    if (live === undefined) return this.add(after);
    live.entry = after;
    live.slot.replaceEntry(after);
    const specs = await distinctPaths(after, this.deps.logger);
    const before = live.watches;
    const kept = new Set<LiveWatch>();
    const next: LiveWatch[] = [];
    for (const spec of specs) {
      const key = watchKey(after, spec);
      const same = before.find((w) => w.key === key && w.pooled.armed !== null && !kept.has(w));
      if (same !== undefined) kept.add(same);
      next.push(same ?? (await this.armWatch(live, this.watchOf(after, spec))));
    }
    live.watches = next;
    await Promise.all(before.filter((w) => !kept.has(w)).map((w) => w.pooled.disarm()));
    await this.deps.catchUp?.arrived(after, knownStatesOf(live), live.slot, false);
  }

  /** One path of the entry, its back-end chosen by the pool (not armed yet). */
  private watchOf(entry: Entry, spec: PathSpec): LiveWatch {
    const target = watchTargetFor(entry, spec, this.deps.pollIntervalMs);
    return { spec, key: watchKey(entry, spec), pooled: this.deps.watchFor(entry, spec, target) };
  }

  /**
   * Arms one path of the entry (the pool falls back, or retries with back-off, and logs why); a
   * retry that arms it later gives the catch-up its states.
   */
  private async armWatch(live: LiveEntry, watch: LiveWatch): Promise<LiveWatch> {
    const { pooled } = watch;
    const onArmedLater = (): void => {
      if (this.live.get(live.entry.name) !== live) return;
      void this.deps.catchUp?.arrived(live.entry, knownStatesOf(live), live.slot, false);
    };
    await pooled.arm(this.listenerFor(live), onArmedLater);
    const { can, backendName } = pooled;
    if (live.entry.ignoreOwnChanges && can !== null && backendName !== null && !can.reportsPid) {
      const path = describePathSpec(watch.spec);
      this.deps.logger.warn(msgRun.ownChangesNeedFanotify(backendName), { entry: live.entry.name, path });
    }
    return watch;
  }

  /** Events for one entry become triggers of its slot, unless made by its own command (ignore-own-changes). */
  private listenerFor(live: LiveEntry): EventListener {
    const { slot } = live;
    return (event) => {
      const { entry } = live;
      if (!this.accepting) {
        this.deps.catchUp?.lostWhileStopping(entry.name);
        return;
      }
      this.deps.catchUp?.changed(entry.name);
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
    this.deps.catchUp?.forget(name);
    await Promise.all(live.watches.map((w) => w.pooled.disarm()));
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
    await Promise.all(all.flatMap((l) => l.watches.map((w) => w.pooled.disarm())));
    const unclaimed = [...(this.deps.inherited?.values() ?? [])];
    for (const run of unclaimed) run.stop(graceMs, 'shutdown');
    const slots = [...all.map((l) => l.slot), ...this.retiring];
    await Promise.all([...slots.map((slot) => slot.stop(graceMs)), ...unclaimed.map((r) => r.ended)]);
  }
}
