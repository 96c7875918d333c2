// The slot's policy: a total, pure function of (state, on-busy policy, event) to the step the slot
// takes. It decides; the slot (slot.ts) owns the timers and the child and carries the step out.
// Whatever arrives in whatever state, there is exactly one answer, so no combination of flags can
// start a second process.
import { assertNever } from '../errors.js';
import type { OnBusy } from '../watchtab/entry.js';

export const SLOT_STATES = [
  'idle',
  'delaying',
  'settling',
  'holding',
  'running',
  'running-with-pending',
  'paused',
  'retiring',
  'retired',
] as const;
export type SlotStateKind = (typeof SLOT_STATES)[number];

export const SLOT_EVENTS = [
  'trigger',
  'delay-elapsed',
  'settled',
  'settled-open',
  'run-ended',
  'quiet',
  'retire',
  'stop',
] as const;
export type SlotEvent = (typeof SLOT_EVENTS)[number];

/**
 * What the slot does:
 * - `begin`: start a fold with the trigger and wait out the delay (→ delaying).
 * - `fold`: add the trigger to the fold that is waiting (the delay's, the pending run's, or the one
 *   the runaway guard holds until it resumes).
 * - `await-settle`: the delay is over: wait until the fold has been quiet for `settle` (at most
 *   until `max-wait` after its first trigger) (→ settling); at once when it already has.
 * - `refold`: add the trigger to the settling fold and start its quiet wait again.
 * - `pend`: keep the trigger for one more run after the current one (→ running-with-pending).
 * - `pend-and-stop`: the same, and stop the current run (restart); stopping twice is harmless.
 * - `drop`: forget the trigger (counted for status).
 * - `hold`: the fold has settled, but a file written in it is still open for writing (a `write`
 *   with no `close_write` yet) and the entry asks for `close_write`: wait for that close, at most
 *   a short bound from the write (→ holding), so one save is one run (slot.ts, HOLD_FOR_CLOSE_MS).
 * - `rehold`: add the trigger to the held fold and look again: settle anew (a close that ends the
 *   last open write lets it start at once).
 * - `start`: the fold has settled: start the run, unless the runaway guard pauses the entry.
 * - `settle`: the run ended; with a pending fold, wait for what remains of its delay, else idle.
 * - `resume`: the runaway guard's pause is over: run once with what it held (→ delaying).
 * - `finish-last`: no new runs; let the current one end (→ retiring).
 * - `stop-last`: no new runs; stop the current one (→ retiring).
 * - `close`: nothing runs: cancel timers and forget folds (→ retired).
 * - `none`: the event means nothing in this state (a timer that lost a race with a state change).
 */
export type Step =
  | 'begin'
  | 'fold'
  | 'await-settle'
  | 'refold'
  | 'hold'
  | 'rehold'
  | 'pend'
  | 'pend-and-stop'
  | 'drop'
  | 'start'
  | 'settle'
  | 'resume'
  | 'finish-last'
  | 'stop-last'
  | 'close'
  | 'none';

function onBusy(policy: OnBusy, hasPending: boolean): Step {
  switch (policy) {
    case 'queue':
      return hasPending ? 'fold' : 'pend';
    case 'ignore':
      return 'drop';
    case 'restart':
      return 'pend-and-stop';
    default:
      return assertNever(policy);
  }
}

function whenRunning(policy: OnBusy, hasPending: boolean, event: SlotEvent): Step {
  switch (event) {
    case 'trigger':
      return onBusy(policy, hasPending);
    case 'run-ended':
      return 'settle';
    case 'retire':
      return 'finish-last';
    case 'stop':
      return 'stop-last';
    case 'delay-elapsed':
    case 'settled':
    case 'settled-open':
    case 'quiet':
      return 'none';
    default:
      return assertNever(event);
  }
}

/** The states in which no run is under way yet, nor one ending. */
type WaitingState = 'idle' | 'delaying' | 'settling' | 'holding' | 'paused';

/**
 * What a waiting slot does with each event it answers. An event not named here means nothing in
 * that state, except `retire` and `stop`, which close every waiting slot (nothing runs to end).
 */
const WHILE_WAITING: { readonly [S in WaitingState]: Partial<Record<SlotEvent, Step>> } = {
  idle: { trigger: 'begin' },
  delaying: { trigger: 'fold', 'delay-elapsed': 'await-settle' },
  settling: { trigger: 'refold', settled: 'start', 'settled-open': 'hold' },
  // `settled` when holding: the close came, or the bound passed (an mmap writer never closes).
  holding: { trigger: 'rehold', settled: 'start' },
  paused: { trigger: 'fold', quiet: 'resume' },
};

function whenWaiting(state: WaitingState, event: SlotEvent): Step {
  return WHILE_WAITING[state][event] ?? (event === 'retire' || event === 'stop' ? 'close' : 'none');
}

export function decide(state: SlotStateKind, policy: OnBusy, event: SlotEvent): Step {
  switch (state) {
    case 'idle':
    case 'delaying':
    case 'settling':
    case 'holding':
    case 'paused':
      return whenWaiting(state, event);
    case 'running':
      return whenRunning(policy, false, event);
    case 'running-with-pending':
      return whenRunning(policy, true, event);
    case 'retiring':
      if (event === 'trigger') return 'drop';
      if (event === 'run-ended') return 'close';
      return event === 'stop' ? 'stop-last' : 'none';
    case 'retired':
      return event === 'trigger' ? 'drop' : 'none';
    default:
      return assertNever(state);
  }
}
