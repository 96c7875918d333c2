// One slot per entry: the only place that starts an entry's command. Its state is a union in which
// a run exists in exactly the running states, and only the `start` step — taken from `delaying`,
// which it leaves at once — creates one; so at most one process group per entry exists, by
// construction (filewatcherd's guarantee, without losing the events that arrive meanwhile).
//
// Decisions: a queued run starts when the current one has ended AND its own delay, counted from
// the first trigger folded into it, has passed (so a burst still settles before the run). Every
// fold then settles (`settling`): it waits until no trigger has come for the entry's `settle`, or
// until `max-wait` after its first trigger; with no `settle` it passes through at once (at the end
// of the current turn, so events the back-end reports together — a file moved onto a path is
// `rename`, `write` and `close_write` at once — are one run). A settled fold in which a file was
// written and not yet closed is held (`holding`) until that `close_write`, at most
// HOLD_FOR_CLOSE_MS from the write, when the entry asks for `close_write`: `echo >> f` is one run,
// not a run for the `write` and one more for the close (an entry without close_write never sees
// the close, so it is never held; an mmap writer never closes, so the bound). The
// runaway guard (run-guard.ts) pauses the entry for `runLimit.intervalMs` from the pause (a fixed
// time: a file written steadily cannot keep it paused), or until the entry is reloaded
// (`replaceEntry`). The triggers that arrive while paused — the one refused included — are held in
// a fold and run once on resuming, so the final state is always seen and the entry stays armed.
// A command a previous daemon left running (inherited-run.ts) is held as the running run from the
// start: triggers follow on-busy as for any run, and a stop stops it.
import { assertNever } from '../errors.js';
import type { Logger } from '../log/logger.js';
import * as msg from '../log/messages/run.js';
import type { Entry } from '../watchtab/entry.js';
import { daemonIdentity } from './env.js';
import { Fold } from './fold.js';
import { OutcomeLog } from './outcome-log.js';
import { decide, type SlotEvent, type Step } from './policy.js';
import { Run, type RunContext, type RunReport } from './run.js';
import { RunGuard } from './run-guard.js';
import type { Trigger } from './trigger.js';
import type { OwnSessions } from './own-sessions.js';
import type { InheritedRun } from './inherited-run.js';
import type { RunRecorder } from './run-records.js';
import { msgState } from '../log/messages/state.js';
import { describeSlot, type SlotStatus, type SlotTally } from './slot-status.js';
import { traceStage } from '../log/stage-trace.js';

export type { SlotStatus } from './slot-status.js';

export interface RunnerDeps {
  readonly logger: Logger;
  readonly isRoot: boolean;
  /** Monotonic milliseconds for delays and the runaway guard; `performance.now` by default. */
  readonly now?: () => number;
  /** The daemon's record of command sessions; used for entries with ignore-own-changes, or when `tracksOwnChanges`. */
  readonly sessions?: OwnSessions;
  /** The back-end names the process behind each change (fanotify): follow the command's sessions for the runaway guard. */
  readonly tracksOwnChanges?: boolean;
  /** The state folder's record of running commands. */
  readonly records?: RunRecorder;
}

/**
 * Session ids of an entry's latest runs it answers for (a change may be read after its run ended);
 * what each session's processes were is kept, and dropped in time, by OwnSessions.
 */
const KEPT_SESSIONS = 4;

/**
 * How long a settled fold waits for the `close_write` of a file written in it (watchtab(5), events).
 * A writer that closes at once (echo, sed, an editor) closes within microseconds; one that keeps the
 * file open longer (a slow copy, mmap) gets its run after this, and the close runs once more.
 */
export const HOLD_FOR_CLOSE_MS = 100;

export interface Slot {
  readonly entryName: string;
  /** Whether process `pid` is (or was) in the session of one of the entry's latest runs; always false when sessions are not followed. */
  isOwnProcess(pid: number): boolean;
  /** A trigger from the watcher. */
  trigger(t: Trigger): void;
  /** Triggers found together (catch-up at start): an idle slot folds them all into one run. */
  triggerAll(ts: readonly Trigger[]): void;
  /** The same entry, reloaded with any of its other fields changed: keeps state and process; resumes a paused entry. */
  replaceEntry(entry: Entry): void;
  /** No new runs from now on; a running command is allowed to finish. Resolves when idle. */
  retire(): Promise<void>;
  /** No new runs; SIGTERM to the running process group, SIGKILL after graceMs. Resolves when it is gone. */
  stop(graceMs: number): Promise<void>;
  status(): SlotStatus;
  /** How far the entry's triggers have been carried out (catch-up writes only what was run). */
  progress(): SlotProgress;
}

/**
 * `received`: triggers so far. Every one of the first `covered` was folded into a run that ended
 * (whatever its outcome, but not one stopped by the daemon's stop), or was dropped by on-busy
 * ignore; the later ones are waiting, held, running, or were cut short by a stop.
 */
export interface SlotProgress {
  readonly received: number;
  readonly covered: number;
}

/** What happened to the slot: a policy event with what it carries. */
type Happening =
  | { readonly event: 'trigger'; readonly trigger: Trigger }
  | { readonly event: 'stop'; readonly graceMs: number }
  | { readonly event: Exclude<SlotEvent, 'trigger' | 'stop'> };

/** A run the slot holds: one it started, or one a previous daemon left running. */
type ActiveRun = Pick<Run, 'pid' | 'stop' | 'ended'>;

type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'delaying'; readonly fold: Fold; readonly timer: NodeJS.Timeout | null }
  | { readonly kind: 'settling'; readonly fold: Fold; readonly timer: NodeJS.Timeout | null }
  | { readonly kind: 'holding'; readonly fold: Fold; readonly timer: NodeJS.Timeout }
  | { readonly kind: 'running'; readonly run: ActiveRun }
  | { readonly kind: 'running-with-pending'; readonly run: ActiveRun; readonly pending: Fold }
  | { readonly kind: 'paused'; readonly since: number; readonly held: Fold; readonly timer: NodeJS.Timeout }
  | { readonly kind: 'retiring'; readonly run: ActiveRun }
  | { readonly kind: 'retired' };

class EntrySlot implements Slot {
  private state: State = { kind: 'idle' };
  private guard: RunGuard;
  private readonly tally: SlotTally = { triggers: 0, runs: 0, failures: 0, dropped: 0, lastRun: null };
  private readonly outcomes: OutcomeLog;
  private ctx: RunContext;
  private readonly now: () => number;
  private readonly retired: Promise<void>;
  private markRetired!: () => void;
  private sessions: OwnSessions | null;
  /** Session ids of the latest runs, oldest first (ignore-own-changes only). */
  private readonly recentSessions: number[] = [];
  /** Triggers received when the run now held was started: that run carries them all. */
  private runThrough = 0;
  private covered = 0;

  constructor(
    private entry: Entry,
    private readonly deps: RunnerDeps,
    inherited: InheritedRun | null,
  ) {
    this.guard = new RunGuard(entry.runLimit);
    this.now = deps.now ?? (() => performance.now());
    const shared = entry.ignoreOwnChanges || deps.tracksOwnChanges === true ? deps.sessions : undefined;
    this.sessions = shared ?? null;
    this.ctx = this.contextFor(shared);
    this.outcomes = new OutcomeLog(deps.logger);
    this.retired = new Promise((resolve) => (this.markRetired = resolve));
    if (inherited !== null) this.inherit(inherited);
  }

  /** Holds a previous daemon's command as the running run: nothing else starts until it ends. */
  private inherit(run: InheritedRun): void {
    this.ctx.logger.info(msgState.inherited(), { entry: this.entry.name, pid: run.pid });
    run.applyTimeout(this.entry.timeoutMs, this.entry.graceMs, this.entry.name);
    this.state = { kind: 'running', run };
    void run.ended.then((report) => this.ended(report));
  }

  get entryName(): string {
    return this.entry.name;
  }

  isOwnProcess(pid: number): boolean {
    if (this.sessions === null || this.recentSessions.length === 0) return false;
    const session = this.sessions.sessionOf(pid);
    return session !== null && this.recentSessions.includes(session);
  }

  /** What a run needs from the daemon; with `shared`, its sessions are recorded (ignore-own-changes). */
  private contextFor(shared: OwnSessions | undefined): RunContext {
    return {
      logger: this.deps.logger,
      isRoot: this.deps.isRoot,
      self: daemonIdentity(),
      ...(shared === undefined ? {} : { sessions: this.sessionHooks(shared) }),
      ...(this.deps.records === undefined ? {} : { records: this.deps.records }),
    };
  }

  private sessionHooks(shared: OwnSessions): NonNullable<RunContext['sessions']> {
    return {
      willSpawn: () => shared.willSpawn(),
      spawned: (session) => {
        shared.spawned(session);
        if (session === null) return;
        this.recentSessions.push(session);
        if (this.recentSessions.length > KEPT_SESSIONS) this.recentSessions.shift();
      },
      ended: (session) => shared.ended(session),
    };
  }

  trigger(t: Trigger): void {
    traceStage('slot', this.entry.name);
    this.tally.triggers += 1;
    this.ctx.logger.debug(msg.TRIGGER_RECEIVED, { entry: this.entry.name, path: t.path, event: t.event });
    this.dispatch({ event: 'trigger', trigger: t });
  }

  triggerAll(ts: readonly Trigger[]): void {
    const [first, ...rest] = ts;
    if (first === undefined) return;
    // Busy: each follows on-busy as any trigger does (they fold into the one pending run).
    if (this.state.kind !== 'idle') return ts.forEach((t) => this.trigger(t));
    this.tally.triggers += ts.length;
    const fold = new Fold(first, this.now());
    for (const t of rest) fold.add(t, this.now());
    this.delay(fold);
  }

  /**
   * The running command, if any, finishes under the definition it started with (a reload is not a
   * trigger: even on-busy restart does not stop it); every run after it — the events held or
   * pending included — uses `entry`. A waiting delay is counted again with the new delay.
   */
  replaceEntry(entry: Entry): void {
    if (entry.ignoreOwnChanges !== this.entry.ignoreOwnChanges) {
      const shared =
        entry.ignoreOwnChanges || this.deps.tracksOwnChanges === true ? this.deps.sessions : undefined;
      this.sessions = shared ?? null;
      this.ctx = this.contextFor(shared);
    }
    this.entry = entry;
    this.guard = new RunGuard(entry.runLimit);
    const s = this.state;
    if (s.kind === 'delaying' && s.timer !== null) {
      clearTimeout(s.timer);
      return this.delay(s.fold);
    }
    this.dispatch({ event: 'quiet' });
  }

  retire(): Promise<void> {
    this.dispatch({ event: 'retire' });
    return this.retired;
  }

  stop(graceMs: number): Promise<void> {
    this.dispatch({ event: 'stop', graceMs });
    return this.retired;
  }

  status(): SlotStatus {
    return describeSlot(this.entry, this.state, this.tally, this.outcomes.history());
  }

  progress(): SlotProgress {
    return { received: this.tally.triggers, covered: this.covered };
  }

  private dispatch(h: Happening): void {
    const step: Step = decide(this.state.kind, this.entry.onBusy, h.event);
    const s = this.state;
    // The policy answers begin, fold and pend only to a trigger.
    const t = h.event === 'trigger' ? h.trigger : null;
    switch (step) {
      case 'begin':
        return t === null ? undefined : this.delay(new Fold(t, this.now()));
      case 'fold':
        if (t !== null && s.kind === 'delaying') s.fold.add(t, this.now());
        if (t !== null && s.kind === 'running-with-pending') s.pending.add(t);
        if (t !== null && s.kind === 'paused') s.held.add(t);
        return;
      case 'pend':
      case 'pend-and-stop':
        return t === null ? undefined : this.pend(t, step === 'pend-and-stop');
      case 'drop':
        return this.drop();
      case 'await-settle':
        return s.kind === 'delaying' ? this.awaitSettle(s.fold) : undefined;
      case 'refold':
        if (t === null || s.kind !== 'settling') return;
        s.fold.add(t, this.now());
        return this.awaitSettle(s.fold);
      case 'hold':
        return s.kind === 'settling' ? this.hold(s.fold) : undefined;
      case 'rehold':
        if (t === null || s.kind !== 'holding') return;
        clearTimeout(s.timer);
        s.fold.add(t, this.now());
        if (s.fold.openSince === null) traceStage('held', 'closed');
        return this.awaitSettle(s.fold);
      case 'start':
        if (s.kind === 'holding') traceStage('held', 'bound');
        return s.kind === 'settling' || s.kind === 'holding' ? this.start(s.fold) : undefined;
      case 'settle':
        if (s.kind === 'running-with-pending') return this.delay(s.pending);
        // Idle with nothing held: every trigger so far has run or was dropped by on-busy ignore.
        this.covered = this.tally.triggers;
        this.state = { kind: 'idle' };
        return;
      case 'resume':
        return this.resume();
      case 'finish-last':
      case 'stop-last':
        if (s.kind !== 'running' && s.kind !== 'running-with-pending' && s.kind !== 'retiring') return;
        if (step === 'stop-last') s.run.stop(h.event === 'stop' ? h.graceMs : this.entry.graceMs, 'shutdown');
        this.state = { kind: 'retiring', run: s.run };
        return;
      case 'close':
        return this.close();
      case 'none':
        return;
      default:
        return assertNever(step);
    }
  }

  /** Waits out what remains of the fold's delay (counted from its first trigger), then starts. */
  private delay(fold: Fold): void {
    const remainingMs = fold.firstAt + this.entry.delayMs - this.now();
    if (remainingMs <= 0) {
      this.state = { kind: 'delaying', fold, timer: null };
      this.dispatch({ event: 'delay-elapsed' });
      return;
    }
    this.state = {
      kind: 'delaying',
      fold,
      timer: setTimeout(() => this.dispatch({ event: 'delay-elapsed' }), remainingMs),
    };
  }

  /** Waits until the fold has been quiet for `settle`, or `max-wait` has passed since its first trigger. */
  private awaitSettle(fold: Fold): void {
    const s = this.state;
    if (s.kind === 'settling' && s.timer !== null) clearTimeout(s.timer);
    const { settleMs, maxWaitMs } = this.entry;
    const dueAt = Math.min(fold.lastAt + settleMs, fold.firstAt + maxWaitMs);
    const remainingMs = dueAt - this.now();
    const settled = (): void => {
      const now = this.state;
      if ((now.kind === 'settling' || now.kind === 'holding') && now.fold === fold)
        this.dispatch({ event: this.isOpenFor(fold) ? 'settled-open' : 'settled' });
    };
    if (remainingMs <= 0) {
      // At the end of this turn, not now: the events reported with this one fold in first.
      this.state = { kind: 'settling', fold, timer: null };
      queueMicrotask(settled);
      return;
    }
    this.state = { kind: 'settling', fold, timer: setTimeout(settled, remainingMs) };
  }

  /** Whether the fold waits for a close: a file written in it is still open, within the bound, and the entry asks for `close_write`. */
  private isOpenFor(fold: Fold): boolean {
    const since = fold.openSince;
    if (since === null || !this.entry.events.includes('close_write')) return false;
    return this.now() < since + HOLD_FOR_CLOSE_MS;
  }

  /** Waits for the close of what the fold wrote; a trigger looks again (rehold), the bound runs it. */
  private hold(fold: Fold): void {
    traceStage('hold', this.entry.name);
    const remainingMs = Math.max(0, (fold.openSince ?? this.now()) + HOLD_FOR_CLOSE_MS - this.now());
    const timer = setTimeout(() => this.dispatch({ event: 'settled' }), remainingMs);
    this.state = { kind: 'holding', fold, timer };
  }

  private pend(t: Trigger, isRestart: boolean): void {
    const s = this.state;
    if (s.kind === 'running') {
      this.state = { kind: 'running-with-pending', run: s.run, pending: new Fold(t, this.now()) };
      if (isRestart) this.ctx.logger.info(msg.RESTARTING, { entry: this.entry.name, pid: s.run.pid });
    } else if (s.kind === 'running-with-pending') {
      s.pending.add(t);
    } else {
      return;
    }
    if (isRestart) s.run.stop(this.entry.graceMs, 'restart');
  }

  private drop(): void {
    this.tally.dropped += 1;
    const s = this.state;
    const why =
      s.kind === 'running' || s.kind === 'running-with-pending'
        ? msg.TRIGGER_DROPPED_BUSY
        : msg.TRIGGER_DROPPED_CLOSED;
    this.ctx.logger.debug(why, { entry: this.entry.name });
  }

  private start(fold: Fold): void {
    const refusal = this.guard.admit(this.now(), fold.hasOwnChange);
    if (refusal !== null) {
      const { burst, intervalMs } = this.guard.limit;
      const fields = { entry: this.entry.name, burst, intervalMs };
      if (refusal === 'loop-again') this.ctx.logger.info(msg.GUARD_PAUSED_AGAIN, fields);
      else if (refusal === 'loop') this.ctx.logger.warn(msg.guardPausedLoop(burst, intervalMs), fields);
      else this.ctx.logger.warn(msg.guardPaused(burst, intervalMs), fields);
      this.state = { kind: 'paused', since: Date.now(), held: fold, timer: this.resumeTimer() };
      return;
    }
    const run = new Run(this.entry, fold.summary(), this.ctx);
    // No other fold exists now: every trigger received so far is in this run, or before it.
    this.runThrough = this.tally.triggers;
    this.tally.runs += 1;
    this.state = { kind: 'running', run };
    void run.ended.then((report) => this.ended(report));
  }

  private ended(report: RunReport): void {
    const last = this.outcomes.say(this.entry.name, report);
    if (last.failed) this.tally.failures += 1;
    this.tally.lastRun = last;
    // A run cut short by the daemon's stop has not carried its changes out: catch-up runs them again.
    const { outcome } = report;
    if (!(outcome.kind === 'stopped' && outcome.reason === 'shutdown'))
      this.covered = Math.max(this.covered, this.runThrough);
    this.dispatch({ event: 'run-ended' });
  }

  private resumeTimer(): NodeJS.Timeout {
    return setTimeout(() => this.dispatch({ event: 'quiet' }), this.guard.limit.intervalMs);
  }

  private resume(): void {
    const s = this.state;
    if (s.kind !== 'paused') return;
    clearTimeout(s.timer);
    this.guard.resumed();
    this.ctx.logger.info(msg.guardResumed(s.held.triggers), { entry: this.entry.name });
    // One run with everything held: its delay, counted from the first held trigger, has passed.
    this.delay(s.held);
  }

  private close(): void {
    const s = this.state;
    if ((s.kind === 'delaying' || s.kind === 'settling') && s.timer !== null) clearTimeout(s.timer);
    if (s.kind === 'paused' || s.kind === 'holding') clearTimeout(s.timer);
    this.state = { kind: 'retired' };
    this.markRetired();
  }
}

/** The slot for one entry; the daemon makes one per entry and keeps it across reloads that leave the entry unchanged. */
export function createSlot(entry: Entry, deps: RunnerDeps, inherited: InheritedRun | null = null): Slot {
  return new EntrySlot(entry, deps, inherited);
}
