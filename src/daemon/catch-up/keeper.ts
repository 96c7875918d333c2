// Catch-up: what the daemon last knew of each catch-up entry's watched paths, kept in the state
// folder (one file per entry name and watched paths), and the run at start that folds in what
// changed meanwhile (watchtab(5), catch-up). The guarantee — no change lost across a stop or a
// crash — rests on one rule: a picture of the paths is written only once every trigger that could
// stem from a change in it has been run to its end (the slot's `covered`), so the file never
// claims a change that did not run. A picture is taken within a second of a change, its triggers
// counted a second later (a back-end may report a change a moment after its state moved), and it
// is written as soon as they are covered. A stop writes the picture of the moment it began, if
// every trigger before it ran and none was refused during the stop.
// A watch whose state is built after arming (fanotify's background walk) is compared, and its
// first picture taken, once that walk is over (Armed.walked): never against a partial state.
import { createHash } from 'node:crypto';
import type { Logger } from '../../log/logger.js';
import { msgState } from '../../log/messages/state.js';
import type { Armed } from '../../watch/backend.js';
import { catchUpChanges } from '../../watch/catch-up-diff.js';
import type { PathState } from '../../watch/path-state.js';
import type { Entry } from '../../watchtab/entry.js';
import type { Slot } from '../../run/slot.js';
import type { Trigger } from '../../run/trigger.js';
import { reasonOf, type StateDir } from '../../system/state-dir.js';
import { decodeKnown, encodeKnown, type KnownStates } from './state-file.js';

/** What the keeper reads of an entry's watches: the states they keep, all paths together. */
export type WatchedStates = Pick<Armed, 'knownStates' | 'walked'>;

const FILE_PREFIX = 'catch-up.';
const TICK_MS = 1000;
/** How long after a picture its triggers are counted: a back-end's late reports are in by then. */
const ARRIVAL_MS = 1000;

/** What the knowledge is kept under: the entry's name and its watched paths, compared whole. */
export function catchUpKey(entry: Entry): string {
  return JSON.stringify({ name: entry.name, paths: entry.paths });
}

/** The state file of a key: a plain name of ours whatever the entry's name holds. */
export function catchUpFile(key: string): string {
  return `${FILE_PREFIX}${createHash('sha1').update(key).digest('hex').slice(0, 24)}`;
}

interface Picture {
  readonly states: ReadonlyMap<string, PathState>;
  readonly takenAt: number;
  /** Triggers the slot must have covered before the picture may be written; null: not counted yet. */
  needs: number | null;
}

interface Tracked {
  readonly entry: Entry;
  readonly key: string;
  readonly file: string;
  readonly armed: WatchedStates;
  readonly slot: Slot;
  /** A change was reported since the last picture. */
  isDirty: boolean;
  pending: Picture | null;
  /** The picture taken when the stop began. */
  final: Picture | null;
  /** An event came after the stop began and could not be run: the final picture may hold its change. */
  hasLost: boolean;
}

export class CatchUpKeeper {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private hasFailed = false;
  /** The latest arrival of each entry still waiting for its walk: a newer one supersedes it. */
  private readonly arriving = new Map<string, object>();

  constructor(
    private readonly dir: StateDir | null,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * An entry armed (at start, or at a reload that made or re-armed it). At start, a catch-up entry
   * whose knowledge is kept under the same key gets the changes since as triggers of its slot.
   */
  async arrived(entry: Entry, armed: WatchedStates | null, slot: Slot, isStart: boolean): Promise<void> {
    this.tracked.delete(entry.name);
    this.arriving.delete(entry.name);
    if (this.dir === null || !entry.catchUp || armed === null) return;
    if (armed.walked === undefined) return this.track(entry, armed, slot, isStart);
    // The walk goes on after ready: the comparison waits for it, the daemon does not.
    const token = {};
    this.arriving.set(entry.name, token);
    void armed.walked().then(async (isComplete) => {
      if (!isComplete || this.arriving.get(entry.name) !== token) return;
      this.arriving.delete(entry.name);
      await this.track(entry, armed, slot, isStart);
    });
  }

  private async track(entry: Entry, armed: WatchedStates, slot: Slot, isStart: boolean): Promise<void> {
    const key = catchUpKey(entry);
    const file = catchUpFile(key);
    const now = new Map(armed.knownStates());
    if (isStart) {
      const known = await this.readKnown(entry.name, file, key);
      if (known !== null) this.fold(entry, slot, known, now);
    }
    // What is there now becomes the knowledge once the catch-up run (if any) has ended.
    const pending: Picture = { states: now, takenAt: this.now(), needs: slot.progress().received };
    const tracked: Tracked = {
      entry,
      key,
      file,
      armed,
      slot,
      isDirty: false,
      pending,
      final: null,
      hasLost: false,
    };
    this.tracked.set(entry.name, tracked);
    this.wake();
  }

  /** A change was reported for the entry. */
  changed(name: string): void {
    const t = this.tracked.get(name);
    if (t === undefined) return;
    t.isDirty = true;
    this.wake();
  }

  /** An event came for the entry after the stop began: it will not run. */
  lostWhileStopping(name: string): void {
    const t = this.tracked.get(name);
    if (t !== undefined) t.hasLost = true;
  }

  /** The entry is gone or no longer armed here; its file stays until pruned. */
  forget(name: string): void {
    this.tracked.delete(name);
    this.arriving.delete(name);
  }

  /** The stop begins: the picture of this moment, and the triggers it needs, are taken. */
  freeze(): void {
    this.sleep();
    this.arriving.clear(); // a walk not over by the stop leaves the kept knowledge as it was
    for (const t of this.tracked.values())
      t.final = {
        states: new Map(t.armed.knownStates()),
        takenAt: this.now(),
        needs: t.slot.progress().received,
      };
  }

  /** After every command has stopped: writes what may be written, and waits for it. */
  async finish(): Promise<void> {
    for (const t of this.tracked.values()) {
      const { covered, received } = t.slot.progress();
      // Nothing reported since the last picture, and that one is written: the file is up to date.
      if (t.pending === null && !t.isDirty) continue;
      if (t.final !== null && !t.hasLost && covered >= (t.final.needs ?? received)) this.save(t, t.final);
      else if (t.pending !== null && covered >= (t.pending.needs ?? received)) this.save(t, t.pending);
    }
    this.tracked.clear();
    await this.writing;
  }

  /** Removes the state files of keys not in `keep` (entries gone, or now watching other paths). */
  async prune(keep: readonly Entry[]): Promise<void> {
    const dir = this.dir;
    if (dir === null) return;
    const kept = new Set(keep.filter((e) => e.catchUp).map((e) => catchUpFile(catchUpKey(e))));
    try {
      const stale = (await dir.list()).filter((n) => n.startsWith(FILE_PREFIX) && !kept.has(n));
      for (const name of stale) await dir.remove(name);
    } catch (error) {
      this.log.warn(msgState.catchUpPruneFailed(dir.path, reasonOf(error)));
    }
  }

  /** Resolves once what was due is on disk (or failed to be). */
  async flushed(): Promise<void> {
    await this.writing;
  }

  private async readKnown(name: string, file: string, key: string): Promise<KnownStates | null> {
    const dir = this.dir as StateDir;
    try {
      const bytes = await dir.readBytes(file);
      if (bytes === null) return null; // its first start (or first with these paths)
      const known = await decodeKnown(bytes);
      return known.key === key ? known : null;
    } catch (error) {
      this.log.warn(msgState.catchUpUnreadable(`${dir.path}/${file}`, reasonOf(error)), { entry: name });
      return null;
    }
  }

  /** The changes since `known` become the slot's triggers, those of the entry's own events only. */
  private fold(entry: Entry, slot: Slot, known: KnownStates, now: ReadonlyMap<string, PathState>): void {
    const wanted = new Set(entry.events);
    let paths = 0;
    const triggers: Trigger[] = [];
    for (const change of catchUpChanges(known.states, now)) {
      const events = change.events.filter((e) => wanted.has(e));
      if (events.length > 0) paths += 1;
      for (const event of events) triggers.push({ path: change.path, event, isCatchUp: true });
    }
    slot.triggerAll(triggers);
    if (paths > 0) this.log.info(msgState.catchingUp(paths), { entry: entry.name, paths });
    else this.log.debug(msgState.catchUpNothing(), { entry: entry.name });
  }

  private wake(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private sleep(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const at = this.now();
    let isBusy = false;
    for (const t of this.tracked.values()) {
      if (t.pending === null && t.isDirty) {
        t.pending = { states: new Map(t.armed.knownStates()), takenAt: at, needs: null };
        t.isDirty = false;
      }
      const p = t.pending;
      if (p === null) continue;
      if (p.needs === null && at - p.takenAt >= ARRIVAL_MS) p.needs = t.slot.progress().received;
      if (p.needs !== null && t.slot.progress().covered >= p.needs) {
        t.pending = null;
        this.save(t, p);
      }
      isBusy ||= t.pending !== null || t.isDirty;
    }
    if (!isBusy) this.sleep();
  }

  /** Queues the write of a picture: one write at a time, in the order pictures were taken. */
  private save(t: Tracked, picture: Picture): void {
    const dir = this.dir as StateDir;
    const { key, file } = t;
    this.writing = this.writing.then(async () => {
      try {
        await dir.write(file, await encodeKnown({ key, states: picture.states }));
        this.hasFailed = false;
        this.log.debug(msgState.catchUpWritten(), { entry: t.entry.name, paths: picture.states.size, file });
      } catch (error) {
        // Said once per failing stretch; the next picture tries again.
        if (!this.hasFailed) this.log.warn(msgState.catchUpFailed(dir.path, reasonOf(error)));
        this.hasFailed = true;
      }
    });
  }
}
