// What `watchtab status` shows about one slot: its state, the running pid, the last runs (a bounded
// history), the counters, and whether the runaway guard paused it. Built on demand from the slot's
// own records.
import type { Entry } from '../watchtab/entry.js';
import type { SlotStateKind } from './policy.js';

export interface LastRun {
  /** Wall-clock milliseconds. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly outcome: string;
  readonly failed: boolean;
  /** The path that triggered the run (the last one folded in), and how many distinct paths were. */
  readonly path: string;
  readonly count: number;
  /** The command's exit status, when it exited (not killed, not refused). */
  readonly exitStatus: number | null;
}

/** The counters a slot keeps (mutable inside the slot, read-only in a status). */
export interface SlotTally {
  triggers: number;
  runs: number;
  failures: number;
  /** Triggers dropped: on-busy ignore, or arriving while the entry was being removed. */
  dropped: number;
  lastRun: LastRun | null;
}

export interface SlotStatus {
  readonly entry: string;
  readonly state: SlotStateKind;
  readonly pid: number | null;
  readonly lastRun: LastRun | null;
  /** The latest runs, newest first, at most RUN_HISTORY_SIZE. */
  readonly history: readonly LastRun[];
  readonly counters: {
    readonly triggers: number;
    readonly runs: number;
    readonly failures: number;
    readonly dropped: number;
  };
  /** Set while the runaway guard holds the entry. */
  readonly paused: {
    readonly since: number;
    /** Triggers held for the one run after the pause. */
    readonly heldTriggers: number;
    readonly burst: number;
    readonly intervalMs: number;
  } | null;
}

/** The parts of a slot's state a status needs. */
export type StatusState =
  | { readonly kind: Exclude<SlotStateKind, 'paused'>; readonly run?: { readonly pid: number | null } }
  | { readonly kind: 'paused'; readonly since: number; readonly held: { readonly triggers: number } };

export function describeSlot(
  entry: Entry,
  state: StatusState,
  tally: SlotTally,
  history: readonly LastRun[] = [],
): SlotStatus {
  const { triggers, runs, failures, dropped, lastRun } = tally;
  return {
    entry: entry.name,
    state: state.kind,
    pid: state.kind !== 'paused' && state.run !== undefined ? state.run.pid : null,
    lastRun,
    history,
    counters: { triggers, runs, failures, dropped },
    paused:
      state.kind === 'paused'
        ? { since: state.since, heldTriggers: state.held.triggers, ...entry.runLimit }
        : null,
  };
}
