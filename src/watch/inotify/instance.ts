// One inotify instance: add and remove watches, and deliver what the kernel reports, batch by
// batch, on the main thread. Watch bookkeeping (paths, renames, overflow) is left to kernel/watch-table.ts.
//
// The fd is non-blocking. Readiness is awaited off the main thread by system/poller.ts (poll(2) with
// no timeout, so an idle instance costs no CPU and no wake-ups); reads happen here, on the main
// thread, until EAGAIN. close() takes the fd out of the poll, waits until no poll(2) holds it,
// then closes it; once the last instance is closed no thread or fd is held and the process can
// exit. An instance left open keeps the event loop alive, as a listening socket does.
import { readFileSync } from 'node:fs';
import { SystemCallError } from '../../errors.js';
import { ERRNO, errnoName } from '../../system/errno.js';
import { msgKernel as msg } from '../../log/messages/watch-kernel.js';
import { systemMessages } from '../../log/messages/system.js';
import type { SysctlLimit } from '../../log/messages/watch-kernel.js';
import type { Logger } from '../../log/logger.js';
import * as sys from './libc.js';
import { decodeEvents, type RawInotifyEvent } from './decode.js';
import { IN_INIT, maskNames } from './mask.js';
import type { PollClient } from '../../system/poller.js';
import { PolledFd, startPolling } from '../../system/polled-fd.js';
import { deliverToAll } from '../kernel/listeners.js';
import { toFsPath } from '../../system/path-bytes.js';
import { traceStage } from '../../log/stage-trace.js';

export type { RawInotifyEvent } from './decode.js';

/** The kernel edge of the inotify back-end: one fd, its watches, its event stream. */
export interface InotifyInstance {
  /**
   * Adds (or, for a path already watched, replaces) a watch; returns its wd. Throws SystemCallError
   * naming `shownAs` when given (the folder's name when `path` is a /proc/self/fd/N link to it).
   */
  addWatch(path: string | Buffer, mask: number, shownAs?: string): number;
  /** Removes a watch; the kernel then reports IN_IGNORED for it. A wd already gone is not an error. */
  removeWatch(wd: number): void;
  /** Called on the main thread with each batch read from the fd, in kernel order. */
  onEvents(listener: (events: readonly RawInotifyEvent[]) => void): void;
  /**
   * Takes the fd out of the poll, waits until no poll(2) holds it, closes it; events not read yet
   * are dropped. After the last instance's close() resolves, the process can exit.
   */
  close(): Promise<void>;
  readonly fd: number;
}

/** Bytes per read(2): 64 KiB holds at least 240 events (more than 4,000 without names). */
export const READ_BUFFER_BYTES = 64 * 1024;
// Reads per wake-up before polling again, so a flood of events cannot starve the event loop.
const READS_PER_ROUND = 16;
const { EINVAL } = ERRNO;

export interface OpenInotifyOptions {
  /** When given, every raw event is logged at debug (what the kernel reported, before any meaning). */
  readonly trace?: Logger;
}

/** Opens an instance with inotify_init1(IN_NONBLOCK | IN_CLOEXEC). Throws SystemCallError. */
export function openInotify(options: OpenInotifyOptions = {}): InotifyInstance {
  const init = sys.inotifyInit1(IN_INIT.NONBLOCK | IN_INIT.CLOEXEC);
  if (init.value < 0) {
    const errno = errnoName(init.errno);
    const limit = inotifyLimit('instances');
    throw new SystemCallError('inotify_init1', errno, null, msg.inotifyInitFailed(errno, limit));
  }
  const instance = new Instance(init.value, options.trace ?? null);
  startPolling(instance);
  return instance;
}

/** The value of /proc/sys/fs/inotify/NAME, or null when it cannot be read. */
export function readLimit(
  name: 'max_user_watches' | 'max_user_instances' | 'max_queued_events',
): number | null {
  return readNumber(`/proc/sys/fs/inotify/${name}`);
}

/**
 * The per-user limit in force: fs.inotify.max_user_NAME, or the user namespace's own
 * user.max_inotify_NAME when that is lower (in a container, the one that is hit first).
 */
export function inotifyLimit(name: 'watches' | 'instances'): SysctlLimit | null {
  const global = readNumber(`/proc/sys/fs/inotify/max_user_${name}`);
  const own = readNumber(`/proc/sys/user/max_inotify_${name}`);
  if (own !== null && (global === null || own < global))
    return { name: `user.max_inotify_${name}`, value: own };
  return global === null ? null : { name: `fs.inotify.max_user_${name}`, value: global };
}

function readNumber(file: string): number | null {
  try {
    const value = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isNaN(value) ? null : value;
  } catch {
    return null;
  }
}

class Instance implements InotifyInstance, PollClient {
  private readonly polled = new PolledFd(this);
  private readonly listeners: ((events: readonly RawInotifyEvent[]) => void)[] = [];
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

  constructor(
    readonly fd: number,
    private readonly trace: Logger | null,
  ) {}

  addWatch(path: string | Buffer, mask: number, shownAs?: string): number {
    this.assertOpen('inotify_add_watch');
    const shown = shownAs ?? (typeof path === 'string' ? path : path.toString('utf8'));
    if (typeof path === 'string' && path.includes('\0')) {
      throw new SystemCallError('inotify_add_watch', 'EINVAL', shown, msg.pathHasNul(path));
    }
    // A name that is not UTF-8 goes to the kernel as its own bytes (system/path-bytes.ts).
    const result = sys.inotifyAddWatch(this.fd, typeof path === 'string' ? toFsPath(path) : path, mask);
    if (result.value >= 0) return result.value;
    const errno = errnoName(result.errno);
    const limit = errno === 'ENOSPC' ? inotifyLimit('watches') : null;
    throw new SystemCallError('inotify_add_watch', errno, shown, msg.watchAddFailed(shown, errno, limit));
  }

  removeWatch(wd: number): void {
    this.assertOpen('inotify_rm_watch');
    const result = sys.inotifyRmWatch(this.fd, wd);
    // EINVAL: the kernel already dropped the watch (its path was deleted, or unmounted).
    if (result.value >= 0 || result.errno === EINVAL) return;
    throw this.bug('inotify_rm_watch', result.errno);
  }

  onEvents(listener: (events: readonly RawInotifyEvent[]) => void): void {
    this.listeners.push(listener);
  }

  close(): Promise<void> {
    return this.polled.close();
  }

  /** Called by the poller: reads until EAGAIN (or READS_PER_ROUND reads), one batch per read. */
  onReadable(): void {
    traceStage('read', this.fd);
    const errno = this.polled.drain(this.readBuffer, READS_PER_ROUND, (length) =>
      this.deliver(decodeEvents(this.readBuffer, length)),
    );
    if (errno !== null) throw this.bug('read', errno);
  }

  private deliver(events: readonly RawInotifyEvent[]): void {
    if (this.trace !== null) {
      for (const e of events) {
        const fields = { fd: this.fd, wd: e.wd, mask: maskNames(e.mask), cookie: e.cookie, name: e.name };
        this.trace.debug(msg.inotifyEvent(), fields);
      }
    }
    deliverToAll(this.listeners, events);
  }

  private assertOpen(call: string): void {
    if (!this.polled.isOpen) throw new Error(`${call} on a closed inotify instance (fd ${this.fd})`);
  }

  private bug(call: string, errno: number): SystemCallError {
    const name = errnoName(errno);
    return new SystemCallError(call, name, null, systemMessages.callFailed(call, name, null));
  }
}
