// A fold: the triggers gathered into one run (during its delay, or while the previous run went on).
// It keeps what the run's environment needs, never the whole list: the distinct paths with their
// event names, and which path came last.
import { EVENT_NAMES, type EventName } from '../watchtab/entry.js';
import type { Trigger } from './trigger.js';

interface PathRecord {
  /** Bit i set: EVENT_NAMES[i] happened to this path within the fold. */
  mask: number;
  oldPath: string | null;
}

/** What a run is told about the triggers folded into it. */
export interface FoldSummary {
  readonly path: string;
  /** The last path's events, in EVENT_NAMES order. */
  readonly events: readonly EventName[];
  /** The last rename's old name for that path, when the kernel paired it. */
  readonly oldPath: string | null;
  /** Distinct paths folded in. */
  readonly count: number;
  readonly triggers: number;
}

export class Fold {
  /** When the first trigger arrived (the clock's milliseconds): the delay counts from here. */
  readonly firstAt: number;
  private readonly paths = new Map<string, PathRecord>();
  private lastPath: string;
  private triggerCount = 0;
  /** Some trigger folded in was a change made by the entry's own command (the runaway guard's loop rule). */
  hasOwnChange = false;

  constructor(first: Trigger, at: number) {
    this.firstAt = at;
    this.lastPath = first.path;
    this.add(first);
  }

  add(t: Trigger): void {
    this.triggerCount += 1;
    if (t.isOwn === true) this.hasOwnChange = true;
    this.lastPath = t.path;
    let record = this.paths.get(t.path);
    if (record === undefined) {
      record = { mask: 0, oldPath: null };
      this.paths.set(t.path, record);
    }
    record.mask |= 1 << EVENT_NAMES.indexOf(t.event);
    if (t.event === 'rename' && t.oldPath !== undefined) record.oldPath = t.oldPath;
  }

  get triggers(): number {
    return this.triggerCount;
  }

  summary(): FoldSummary {
    const record = this.paths.get(this.lastPath);
    const mask = record?.mask ?? 0;
    return {
      path: this.lastPath,
      events: EVENT_NAMES.filter((_, i) => (mask & (1 << i)) !== 0),
      oldPath: record?.oldPath ?? null,
      count: this.paths.size,
      triggers: this.triggerCount,
    };
  }
}
