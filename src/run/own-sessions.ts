// Which session a process belongs to, for loop prevention (`ignore-own-changes`): the runner
// starts every command in a session of its own (its pid is the session id), and fanotify names the
// process behind each change. /proc answers for a process still running, but a build's `cp` or
// `cc` has usually exited by the time its event is read. So while a command of such an entry runs,
// the kernel's process-events connector is read too: every fork from a process of a tracked
// session puts the child in that session (until it calls setsid), and that record outlives the
// process. Forks are queued at the moment they happen, before the child can write anything, so
// draining the connector before answering makes the answer exact.
//
// The connector reports every process on the system, so it is open only while such a command
// runs, and drained every DRAIN_EVERY_MS meanwhile so a long build that triggers nothing does not
// overflow it. The pids learned are kept FORGET_AFTER_MS past the run's end — long enough for the
// changes its processes made (queued before they exited) to be read — and then dropped: with the
// connector closed, a pid reused by someone else must not count as the command's.
import type { Logger } from '../log/logger.js';
import { ProcConnector, type ProcEvent } from '../system/proc-connector.js';
import { sessionOf as sessionInProc } from '../system/proc-session.js';
import { WatchtabError } from '../errors.js';
import * as msg from '../log/messages/run.js';

export interface OwnSessions {
  /** Before a command of an ignore-own-changes entry is spawned: follow forks from now on. */
  willSpawn(): void;
  /** The spawned command's pid, which is its session id (the runner calls setsid); null when spawning failed. */
  spawned(sessionId: number | null): void;
  /** The command's process group is gone: stop following when no other tracked command runs. */
  ended(sessionId: number): void;
  /** The session `pid` is or was in, as far as watchtab knows; null when unknown. */
  sessionOf(pid: number): number | null;
}

/** While a tracked command runs: how often the connector is drained (it holds ~10,000 messages, ~3 per process). */
const DRAIN_EVERY_MS = 100;
/** After a run ends: how long its processes still count as its own. */
const FORGET_AFTER_MS = 2000;

export function createOwnSessions(logger: Logger, openConnector = () => ProcConnector.open()): OwnSessions {
  return new SessionBook(logger, openConnector);
}

class SessionBook implements OwnSessions {
  /** pid (thread-group id) → session, for processes of tracked sessions. */
  private readonly sessionByPid = new Map<number, number>();
  private readonly pidsBySession = new Map<number, Set<number>>();
  private readonly running = new Set<number>();
  private connector: ProcConnector | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private spawning = 0;
  private hasWarned = false;
  /**
   * Answers given in this turn of the event loop (null: none yet). A fanotify batch asks about
   * the same few pids a thousand times: one drain at the first question covers every fork queued
   * before the batch was read, so later questions in the turn get the same answer without another
   * drain or /proc read. Cleared at the end of the turn and whenever the book changes.
   */
  private answers: Map<number, number | null> | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly openConnector: () => ProcConnector,
  ) {}

  willSpawn(): void {
    this.spawning += 1;
    if (this.connector !== null) return;
    try {
      this.connector = this.openConnector();
      this.drainTimer = setInterval(() => this.drain(), DRAIN_EVERY_MS);
      this.drainTimer.unref();
    } catch (error) {
      if (!(error instanceof WatchtabError)) throw error;
      if (!this.hasWarned) this.logger.warn(msg.ownSessionsBlind(error.message));
      this.hasWarned = true;
    }
  }

  spawned(sessionId: number | null): void {
    this.spawning = Math.max(0, this.spawning - 1);
    if (sessionId === null) return this.closeWhenIdle();
    this.running.add(sessionId);
    this.add(sessionId, sessionId);
  }

  ended(sessionId: number): void {
    this.drain();
    this.running.delete(sessionId);
    this.closeWhenIdle();
    setTimeout(() => {
      if (!this.running.has(sessionId)) this.forget(sessionId);
    }, FORGET_AFTER_MS).unref();
  }

  private closeWhenIdle(): void {
    if (this.running.size > 0 || this.spawning > 0) return;
    if (this.drainTimer !== null) clearInterval(this.drainTimer);
    this.drainTimer = null;
    this.connector?.close();
    this.connector = null;
  }

  /** Drops what is kept about a session, FORGET_AFTER_MS after its run ended. */
  private forget(sessionId: number): void {
    this.answers?.clear();
    this.running.delete(sessionId);
    for (const pid of this.pidsBySession.get(sessionId) ?? []) this.sessionByPid.delete(pid);
    this.pidsBySession.delete(sessionId);
  }

  sessionOf(pid: number): number | null {
    if (this.answers === null) {
      this.drain();
      this.answers = new Map();
      queueMicrotask(() => (this.answers = null));
    }
    const known = this.answers.get(pid);
    if (known !== undefined) return known;
    const session = this.sessionByPid.get(pid) ?? sessionInProc(pid);
    this.answers.set(pid, session);
    return session;
  }

  private drain(): void {
    if (this.connector === null) return;
    const { isLossy } = this.connector.drain((e) => this.apply(e));
    if (isLossy) this.logger.warn(msg.OWN_SESSIONS_LOSSY);
  }

  private apply(e: ProcEvent): void {
    switch (e.kind) {
      case 'fork': {
        if (e.childPid !== e.childTgid) return; // a new thread: same process
        if (this.running.has(e.childTgid)) return; // the daemon's fork of a command it registered
        const session = this.sessionByPid.get(e.parentTgid);
        if (session === undefined)
          this.remove(e.childTgid); // a pid reused by someone else's process
        else this.add(e.childTgid, session);
        return;
      }
      case 'sid':
        // A process of a tracked session that starts its own session leaves ours (daemons do).
        if (e.pid === e.tgid && this.sessionByPid.get(e.tgid) !== e.tgid) this.remove(e.tgid);
        return;
      default:
        return; // exits are kept: the process's changes may still be queued
    }
  }

  private add(pid: number, session: number): void {
    this.remove(pid);
    this.answers?.clear();
    this.sessionByPid.set(pid, session);
    let pids = this.pidsBySession.get(session);
    if (pids === undefined) this.pidsBySession.set(session, (pids = new Set()));
    pids.add(pid);
  }

  private remove(pid: number): void {
    const session = this.sessionByPid.get(pid);
    if (session === undefined) return;
    this.answers?.clear();
    this.sessionByPid.delete(pid);
    this.pidsBySession.get(session)?.delete(pid);
  }
}
