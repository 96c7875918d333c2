// eventfd(2) and poll(2) through ffi-rs, for the poller (poller.ts): the only calls of the process
// that run off the main thread. Numbers in, CallResult out; meaning is the poller's.
//
// `runInNewThread: true` runs the call as N-API async work on libuv's thread pool: while it
// is pending it holds one pool thread and keeps the event loop alive, and process exit joins the
// pool, so a call that never returns hangs exit. Only `pollWait` is ever run that way, and
// poller.ts always wakes it before the process ends.
import { DataType, load } from './ffi.js';
import { callLibc, toCallResult, type CallResult } from './ffi-call.js';
import { libc } from './libc.js';

export { read, write, close } from './fd-io.js';

export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

export function eventfd(initval: number, flags: number): CallResult {
  return callLibc('eventfd', DataType.I32, [DataType.U32, DataType.I32], [initval, flags]);
}

/** `struct pollfd` is { int fd; short events; short revents; }: 8 bytes, little-endian here. */
export const POLLFD_BYTES = 8;
export const POLLIN = 0x0001;
export const POLLNVAL = 0x0020;

/** Writes one `struct pollfd` at index `i` of `fds`. */
export function setPollFd(fds: Buffer, i: number, fd: number, events: number): void {
  fds.writeInt32LE(fd, i * POLLFD_BYTES);
  fds.writeInt16LE(events, i * POLLFD_BYTES + 4);
  fds.writeInt16LE(0, i * POLLFD_BYTES + 6);
}

export function pollRevents(fds: Buffer, i: number): number {
  return fds.readUInt16LE(i * POLLFD_BYTES + 6);
}

/**
 * poll(2) on a libuv pool thread, resolving on the main thread. `fds` must stay referenced and
 * unmodified until it resolves (the kernel writes revents into it).
 */
export async function pollWait(fds: Buffer, count: number, timeoutMs: number): Promise<CallResult> {
  const raw: unknown = await load({
    library: libc(),
    funcName: 'poll',
    retType: DataType.I32,
    paramsType: [DataType.U8Array, DataType.U64, DataType.I32],
    paramsValue: [fds, count, timeoutMs],
    errno: true,
    runInNewThread: true,
  });
  return toCallResult(raw);
}
