// The one guarded place where per-event and per-scan work of a target runs, and what happens when
// it fails: logged once per target and errno (with the entry and the path), that target degrades
// (a folder left out, or the target released and re-armed with back-off from 1 s doubling to
// 5 min), and every other target goes on. No event, name or file-system error ends the daemon.
import type { Logger } from '../../log/logger.js';
import { SystemCallError } from '../../errors.js';
import { msgWatch as msg } from '../../log/messages/watch.js';
import type { LeftOut } from '../backend.js';

/** What the guard needs of a target. */
export interface GuardedTarget {
  readonly id: string;
  readonly scope: { readonly named: string };
  /** Releases what the target holds (its state is kept, so a re-arm reports differences). */
  release(): void;
}

/** One failure, as it is logged and shown by `watchtab status`. */
export interface Fault {
  readonly errno: string;
  readonly path: string;
  readonly message: string;
}

/** Left out folders whose cause may pass: the target is rescanned with back-off. */
const RETRYABLE = new Set(['ENOSPC', 'ENOMEM', 'EMFILE', 'ENFILE']);

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;

interface Retry {
  timer: NodeJS.Timeout | null;
  delayMs: number;
  fault: Fault;
  /** The target was released (not only a folder left out). */
  isReleased: boolean;
}

export class TargetFaults<T extends GuardedTarget> {
  private readonly retries = new Map<T, Retry>();
  private readonly logged = new Map<T, Set<string>>();

  /** `rearm` is called when a retry is due (the caller runs it through `run`). */
  constructor(
    private readonly logger: Logger,
    private readonly rearm: (target: T) => void,
  ) {}

  /** Runs `work` for `target`; a throw degrades that target only. Returns whether it completed. */
  run(target: T, work: () => void): boolean {
    try {
      work();
      return true;
    } catch (error) {
      this.failed(target, error);
      return false;
    }
  }

  /** The target's work failed: released, logged once per errno, re-armed later. */
  failed(target: T, error: unknown): void {
    const fault = faultOf(error, target.scope.named);
    if (fault.errno === 'EBUG') {
      // Not an errno: a bug. Its stack is logged; the daemon and the other entries go on.
      const stack = error instanceof Error ? error.stack : String(error);
      this.logger.error(msg.targetBug(fault.message), { entry: target.id, path: fault.path, stack });
    }
    target.release();
    this.schedule(target, fault, true);
  }

  /** A folder is left out of `target`: logged once per errno; retried when the cause may pass. */
  leftOut(target: T, path: string, errno: string, detail: string | null): void {
    const isRetryable = RETRYABLE.has(errno);
    const message = msg.folderLeftOut(path, errno, detail, isRetryable);
    if (this.isFirst(target, `left-out:${errno}`))
      this.logger.warn(message, { entry: target.id, path, errno });
    if (isRetryable) this.schedule(target, { errno, path, message }, false);
  }

  /** The target armed or rescanned without a new failure: the pending retry is over. */
  recovered(target: T): void {
    const retry = this.retries.get(target);
    if (retry === undefined || retry.timer !== null) return;
    this.retries.delete(target);
    this.logged.delete(target);
    this.logger.info(msg.armedAfterRetry(), { entry: target.id, path: target.scope.named });
  }

  /** The failure the target is being retried for, if any (for status). */
  pending(target: T): Fault | null {
    return this.retries.get(target)?.fault ?? null;
  }

  /** The target is disarmed: no retry, nothing remembered. */
  forget(target: T): void {
    const retry = this.retries.get(target);
    if (retry?.timer) clearTimeout(retry.timer);
    this.retries.delete(target);
    this.logged.delete(target);
  }

  private schedule(target: T, fault: Fault, isReleased: boolean): void {
    const last = this.retries.get(target);
    if (last !== undefined && last.timer !== null) {
      last.isReleased ||= isReleased;
      return; // one pending retry at a time
    }
    const delayMs = last === undefined ? FIRST_RETRY_MS : Math.min(last.delayMs * 2, MAX_RETRY_MS);
    if (isReleased && this.isFirst(target, `failed:${fault.errno}`)) {
      this.logger.warn(msg.armFailed(fault.message, delayMs), {
        entry: target.id,
        path: fault.path,
        errno: fault.errno,
      });
    }
    const retry: Retry = { timer: null, delayMs, fault, isReleased };
    retry.timer = setTimeout(() => {
      retry.timer = null;
      this.rearm(target);
    }, delayMs);
    retry.timer.unref();
    this.retries.set(target, retry);
  }

  private isFirst(target: T, key: string): boolean {
    let seen = this.logged.get(target);
    if (seen === undefined) this.logged.set(target, (seen = new Set()));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }
}

/** The errno name, path and sentence of a failure; errno `EBUG` when it is not a system error. */
export function faultOf(error: unknown, fallbackPath: string): Fault {
  if (error instanceof SystemCallError) {
    return { errno: error.errno, path: error.path ?? fallbackPath, message: error.message };
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof Error && typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
    const path = (error as NodeJS.ErrnoException).path;
    return { errno: code, path: typeof path === 'string' ? path : fallbackPath, message: error.message };
  }
  return {
    errno: 'EBUG',
    path: fallbackPath,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** What `watchtab status` shows a target leaves out: its folders, and all of it while retried. */
export function leftOutOf(folders: ReadonlyMap<string, string>, fault: Fault | null): LeftOut[] {
  const list = [...folders].map(([path, errno]) => ({ path, errno }));
  if (fault === null || list.some((f) => f.path === fault.path)) return list;
  return [{ path: fault.path, errno: fault.errno }, ...list];
}
