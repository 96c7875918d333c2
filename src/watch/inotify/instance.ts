// One inotify instance: add and remove watches, and deliver what the kernel reports, batch by
// batch, on the main thread. Watch bookkeeping (paths, renames, overflow) is left to tree.ts.
//
// Waiting: the inotify fd is non-blocking. poll(2) on [inotify fd, wake eventfd] runs off the
// main thread (ffi-rs `runInNewThread`, one libuv pool thread) with no timeout, so an idle
// instance costs no CPU; reads happen on the main thread until EAGAIN, then poll again.
// Exit: a pending poll keeps the event loop alive and, worse, makes process exit hang (exit joins
// the pool threads). close() writes to the eventfd, waits for poll to return, then closes both
// fds; an `exit` hook does the same wake for instances still open when the process ends
// (process.exit(), an uncaught exception), so exit never hangs.
import { readFileSync } from 'node:fs';
import { SystemCallError } from '../../errors.js';
import { errnoName } from '../../system/errno.js';
import * as msg from '../../log/messages/watch-kernel.js';
import * as sys from './libc.js';
import { decodeEvents, type RawInotifyEvent } from './decode.js';
import { IN_INIT } from './mask.js';

export type { RawInotifyEvent } from './decode.js';

/** The kernel edge of the inotify back-end: one fd, its watches, its event stream. */
export interface InotifyInstance {
  /** Adds (or, for a path already watched, replaces) a watch; returns its wd. Throws SystemCallError. */
  addWatch(path: string | Buffer, mask: number): number;
  /** Removes a watch; the kernel then reports IN_IGNORED for it. A wd already gone is not an error. */
  removeWatch(wd: number): void;
  /** Called on the main thread with each batch read from the fd, in kernel order. */
  onEvents(listener: (events: readonly RawInotifyEvent[]) => void): void;
  /** Wakes the poller, waits for it, closes the fds; after it resolves the process can exit. */
  close(): Promise<void>;
  readonly fd: number;
}

/** Bytes per read(2): 64 KiB holds at least 240 events (more than 4,000 without names). */
export const READ_BUFFER_BYTES = 64 * 1024;
// Reads per wake-up before polling again, so a flood of events cannot starve the event loop.
const READS_PER_ROUND = 16;
const EAGAIN = 11;
const EINTR = 4;
const EINVAL = 22;

const open = new Set<Instance>();
let isExitHookInstalled = false;

/** Opens an instance with inotify_init1(IN_NONBLOCK | IN_CLOEXEC). Throws SystemCallError. */
export function openInotify(): InotifyInstance {
  const init = sys.inotifyInit1(IN_INIT.NONBLOCK | IN_INIT.CLOEXEC);
  if (init.value < 0) {
    const errno = errnoName(init.errno);
    const limit = readLimit('max_user_instances');
    throw new SystemCallError('inotify_init1', errno, null, msg.inotifyInitFailed(errno, limit));
  }
  const wake = sys.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC);
  if (wake.value < 0) {
    sys.close(init.value);
    const errno = errnoName(wake.errno);
    throw new SystemCallError('eventfd', errno, null, msg.kernelCallFailed('eventfd', errno, null));
  }
  if (!isExitHookInstalled) {
    process.on('exit', wakeAllForExit);
    isExitHookInstalled = true;
  }
  const instance = new Instance(init.value, wake.value);
  open.add(instance);
  return instance;
}

// Synchronous, as `exit` listeners must be: each pending poll returns and frees its thread.
function wakeAllForExit(): void {
  for (const instance of open) instance.wake();
}

/** The value of /proc/sys/fs/inotify/NAME, or null when it cannot be read. */
export function readLimit(
  name: 'max_user_watches' | 'max_user_instances' | 'max_queued_events',
): number | null {
  try {
    const value = Number.parseInt(readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8'), 10);
    return Number.isNaN(value) ? null : value;
  } catch {
    return null;
  }
}

type State = 'open' | 'closing' | 'closed';

class Instance implements InotifyInstance {
  private state: State = 'open';
  private readonly listeners: ((events: readonly RawInotifyEvent[]) => void)[] = [];
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly pollFds = Buffer.alloc(2 * sys.POLLFD_BYTES);
  private readonly wakeValue = Buffer.alloc(8);
  private readonly polling: Promise<void>;
  private closing: Promise<void> | null = null;

  constructor(
    readonly fd: number,
    private readonly wakeFd: number,
  ) {
    sys.setPollFd(this.pollFds, 0, fd, sys.POLLIN);
    sys.setPollFd(this.pollFds, 1, wakeFd, sys.POLLIN);
    this.wakeValue.writeBigUInt64LE(1n);
    this.polling = this.pollLoop();
  }

  addWatch(path: string | Buffer, mask: number): number {
    this.assertOpen('inotify_add_watch');
    const shown = typeof path === 'string' ? path : path.toString('utf8');
    if (typeof path === 'string' && path.includes('\0')) {
      throw new SystemCallError('inotify_add_watch', 'EINVAL', shown, msg.pathHasNul(path));
    }
    const result = sys.inotifyAddWatch(this.fd, sys.cPath(path), mask);
    if (result.value >= 0) return result.value;
    const errno = errnoName(result.errno);
    const limit = errno === 'ENOSPC' ? readLimit('max_user_watches') : null;
    throw new SystemCallError('inotify_add_watch', errno, shown, msg.watchAddFailed(shown, errno, limit));
  }

  removeWatch(wd: number): void {
    this.assertOpen('inotify_rm_watch');
    const result = sys.inotifyRmWatch(this.fd, wd);
    // EINVAL: the kernel already dropped the watch (its path was deleted, or unmounted).
    if (result.value >= 0 || result.errno === EINVAL) return;
    const errno = errnoName(result.errno);
    throw new SystemCallError(
      'inotify_rm_watch',
      errno,
      null,
      msg.kernelCallFailed('inotify_rm_watch', errno, null),
    );
  }

  onEvents(listener: (events: readonly RawInotifyEvent[]) => void): void {
    this.listeners.push(listener);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** Makes a pending poll return (its thread is then free); safe at any time while fds are open. */
  wake(): void {
    if (this.state === 'closed') return;
    sys.write(this.wakeFd, this.wakeValue, 8);
  }

  private async shutDown(): Promise<void> {
    this.state = 'closing';
    this.wake();
    await this.polling;
    this.state = 'closed';
    open.delete(this);
    sys.close(this.fd);
    sys.close(this.wakeFd);
  }

  private async pollLoop(): Promise<void> {
    while (this.state === 'open') {
      const result = await sys.pollWait(this.pollFds, 2, -1);
      if (this.state !== 'open') return;
      if (result.value < 0) {
        if (result.errno === EINTR) continue;
        throw this.bug('poll', result.errno);
      }
      if ((sys.pollRevents(this.pollFds, 0) & (sys.POLLNVAL | sys.POLLERR)) !== 0) {
        throw new Error(
          `poll reported the inotify fd ${this.fd} as invalid (revents ${sys.pollRevents(this.pollFds, 0)})`,
        );
      }
      this.readAvailable();
    }
  }

  // Reads until EAGAIN (or READS_PER_ROUND reads), delivering each read as one batch.
  private readAvailable(): void {
    for (let i = 0; i < READS_PER_ROUND && this.state === 'open'; i++) {
      const result = sys.read(this.fd, this.readBuffer, this.readBuffer.length);
      if (result.value < 0) {
        if (result.errno === EAGAIN) return;
        if (result.errno === EINTR) continue;
        throw this.bug('read', result.errno);
      }
      if (result.value === 0) return;
      this.deliver(decodeEvents(this.readBuffer, result.value));
    }
  }

  private deliver(events: readonly RawInotifyEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        // A listener's exception is a bug: crash with its stack, as if it were thrown from a
        // callback, rather than stopping this loop silently.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  private assertOpen(call: string): void {
    if (this.state !== 'open') throw new Error(`${call} on a closed inotify instance (fd ${this.fd})`);
  }

  private bug(call: string, errno: number): SystemCallError {
    const name = errnoName(errno);
    return new SystemCallError(call, name, null, msg.kernelCallFailed(call, name, null));
  }
}
