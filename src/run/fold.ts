// A fold: the triggers gathered into one run (during its delay, or while the previous run went on).
// It keeps what the run's environment and stdin need, never the whole list of triggers: the
// distinct paths in the order first seen (a Map keeps insertion order), with their event names, the
// last rename's old name, which path joined last, and when the first and the last trigger came.
// The run's path (WATCHTAB_PATH) is the last in first-seen order, the newest path to join the fold,
// so it is also the last line of stdin: for a, b, a it is b (watchtab(5)). It also counts the
// paths still open for writing — a `write` not yet followed by its `close_write` — for the slot's
// hold (one save is one run): two bits per path, no list.
import { EVENT_NAMES, type EventName } from '../watchtab/entry.js';
import type { Trigger } from './trigger.js';

interface PathRecord {
  /** Bit i set: EVENT_NAMES[i] happened to this path within the fold. */
  mask: number;
  oldPath: string | null;
  /** A `write` came and its `close_write` has not yet. */
  isOpen: boolean;
}

/** What a run is told about the triggers folded into it. */
export interface FoldSummary {
  /** The last distinct path in first-seen order (the newest to join the fold), not the last trigger's. */
  readonly path: string;
  /** That path's events (all of them in the fold), in EVENT_NAMES order. */
  readonly events: readonly EventName[];
  /** The last rename's old name for that path, when the kernel paired it. */
  readonly oldPath: string | null;
  /** Distinct paths folded in. */
  readonly count: number;
  readonly triggers: number;
  /** Some path folded in is a change found at the daemon's start (WATCHTAB_CATCHUP=1). */
  readonly isCatchUp: boolean;
  /** Every distinct path, once, in the order first seen (read lazily: nothing is copied). */
  readonly folded: Iterable<FoldedPath>;
}

/** One distinct path of a fold, for the command's stdin. */
export interface FoldedPath {
  readonly path: string;
  /** Its events, in EVENT_NAMES order. */
  readonly events: readonly EventName[];
  /** For a rename, the old name (the last one the kernel paired). */
  readonly oldPath: string | null;
}

function eventsOf(mask: number): EventName[] {
  return EVENT_NAMES.filter((_, i) => (mask & (1 << i)) !== 0);
}

export class Fold {
  /** When the first trigger arrived (the clock's milliseconds): the delay counts from here. */
  readonly firstAt: number;
  private readonly paths = new Map<string, PathRecord>();
  /** The newest path to join the fold: the Map's last key, kept so no walk is needed. */
  private lastPath: string;
  /** When the latest trigger arrived: the settle wait counts from here. */
  private lastTriggerAt: number;
  private triggerCount = 0;
  /** Some trigger folded in was a change made by the entry's own command (the runaway guard's loop rule). */
  hasOwnChange = false;
  /** Some trigger folded in was found by catching up at start. */
  isCatchUp = false;
  /** Paths written and not yet closed (a `write` with no `close_write` after it). */
  private openCount = 0;
  /** When the open count last went from 0 to 1: the hold for the close counts from here. */
  private firstOpenAt = 0;

  constructor(first: Trigger, at: number) {
    this.firstAt = at;
    this.lastPath = first.path;
    this.lastTriggerAt = at;
    this.add(first, at);
  }

  /** Folds `t` in; `at` (the clock's milliseconds) is when it came, for the settle wait. */
  add(t: Trigger, at: number = this.lastTriggerAt): void {
    this.triggerCount += 1;
    this.lastTriggerAt = Math.max(this.lastTriggerAt, at);
    if (t.isOwn === true) this.hasOwnChange = true;
    if (t.isCatchUp === true) this.isCatchUp = true;
    let record = this.paths.get(t.path);
    if (record === undefined) {
      record = { mask: 0, oldPath: null, isOpen: false };
      this.paths.set(t.path, record);
      this.lastPath = t.path;
    }
    record.mask |= 1 << EVENT_NAMES.indexOf(t.event);
    if (t.event === 'rename' && t.oldPath !== undefined) record.oldPath = t.oldPath;
    if (t.event === 'write' && !record.isOpen) {
      record.isOpen = true;
      this.openCount += 1;
      if (this.openCount === 1) this.firstOpenAt = at;
    } else if (t.event === 'close_write' && record.isOpen) {
      record.isOpen = false;
      this.openCount -= 1;
    }
  }

  /** Some path folded in was written and is not closed yet: when since (the clock's milliseconds), else null. */
  get openSince(): number | null {
    return this.openCount > 0 ? this.firstOpenAt : null;
  }

  get triggers(): number {
    return this.triggerCount;
  }

  get lastAt(): number {
    return this.lastTriggerAt;
  }

  private *eachPath(): Generator<FoldedPath> {
    for (const [path, record] of this.paths)
      yield { path, events: eventsOf(record.mask), oldPath: record.oldPath };
  }

  summary(): FoldSummary {
    const record = this.paths.get(this.lastPath);
    const mask = record?.mask ?? 0;
    return {
      path: this.lastPath,
      events: eventsOf(mask),
      oldPath: record?.oldPath ?? null,
      count: this.paths.size,
      triggers: this.triggerCount,
      isCatchUp: this.isCatchUp,
      folded: { [Symbol.iterator]: () => this.eachPath() },
    };
  }
}
