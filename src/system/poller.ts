// Waits for any open kernel event fd (an inotify instance, a fanotify group) to become readable,
// off the main thread, and tells its owner so on the main thread. One poller per process.
//
// Why shared: ffi-rs `runInNewThread` runs on libuv's thread pool (4 threads by default), and a
// poll(2) with no timeout holds its thread until an fd is ready. One poll per instance would let
// four open instances take the whole pool and hang every fs call of the process. Here a single
// poll covers [wake eventfd, fd of each instance]; its thread is given back (and the eventfd
// closed) when the last instance leaves, so a process with no open instance holds nothing.
// Exit: process exit joins the pool threads, so a poll still pending at exit would hang it; an
// `exit` hook wakes the poll first (process.exit(), an uncaught exception).
import { ERRNO, errnoName } from './errno.js';
import { SystemCallError } from '../errors.js';
import { systemMessages as say } from '../log/messages/system.js';
import * as sys from './poll-fd.js';

/** What the poller watches: an fd, and what to do on the main thread when it is readable. */
export interface PollClient {
  readonly fd: number;
  onReadable(): void;
}

const { EINTR } = ERRNO;

const clients = new Set<PollClient>();
let wakeFd = -1;
let isRunning = false;
let roundWaiters: (() => void)[] = [];
let isExitHookInstalled = false;
const wakeValue = Buffer.alloc(8);
const drainBuffer = Buffer.alloc(8);
wakeValue.writeBigUInt64LE(1n);

/** Starts watching `client.fd`; throws SystemCallError when the wake eventfd cannot be made. */
export function addPollClient(client: PollClient): void {
  if (!isRunning) {
    openWakeFd();
    clients.add(client);
    isRunning = true;
    void pollLoop();
  } else {
    clients.add(client);
    wake(); // the poll in flight does not cover the new fd: start a round that does
  }
}

/** Stops watching `client.fd`; resolves once no poll(2) in flight holds the fd (then close it). */
export function removePollClient(client: PollClient): Promise<void> {
  if (!clients.delete(client) || !isRunning) return Promise.resolve();
  const roundEnded = new Promise<void>((resolve) => roundWaiters.push(resolve));
  wake();
  return roundEnded;
}

function openWakeFd(): void {
  const result = sys.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC);
  if (result.value < 0) {
    const errno = errnoName(result.errno);
    throw new SystemCallError('eventfd', errno, null, say.callFailed('eventfd', errno, null));
  }
  wakeFd = result.value;
  if (!isExitHookInstalled) {
    process.on('exit', wake); // synchronous, as `exit` listeners must be
    isExitHookInstalled = true;
  }
}

function wake(): void {
  if (wakeFd >= 0) sys.write(wakeFd, wakeValue, 8);
}

// One round: poll every client's fd and the wake fd; then, on the main thread, release whoever
// waits for the round to end, and let each readable client read. Ends when no client is left.
async function pollLoop(): Promise<void> {
  while (clients.size > 0) {
    const round = [...clients];
    const fds = Buffer.alloc((round.length + 1) * sys.POLLFD_BYTES);
    sys.setPollFd(fds, 0, wakeFd, sys.POLLIN);
    round.forEach((client, i) => sys.setPollFd(fds, i + 1, client.fd, sys.POLLIN));
    const result = await sys.pollWait(fds, round.length + 1, -1);
    const waiters = roundWaiters;
    roundWaiters = [];
    for (const resolve of waiters) resolve();
    if (result.value < 0) {
      if (result.errno === EINTR) continue;
      throw bug('poll', result.errno);
    }
    if (sys.pollRevents(fds, 0) !== 0) sys.read(wakeFd, drainBuffer, 8); // reset the counter
    round.forEach((client, i) => {
      const revents = sys.pollRevents(fds, i + 1);
      if (revents !== 0 && clients.has(client)) notify(client, revents);
    });
  }
  isRunning = false;
  sys.close(wakeFd);
  wakeFd = -1;
}

function notify(client: PollClient, revents: number): void {
  try {
    if ((revents & sys.POLLNVAL) !== 0) throw new Error(`poll: fd ${client.fd} is not open (POLLNVAL)`);
    client.onReadable();
  } catch (error) {
    // A bug (in a listener, or an fd closed behind our back): crash with its stack, as a
    // callback would, rather than stop polling for every other instance.
    process.nextTick(() => {
      throw error;
    });
  }
}

function bug(call: string, errno: number): SystemCallError {
  const name = errnoName(errno);
  return new SystemCallError(call, name, null, say.callFailed(call, name, null));
}
