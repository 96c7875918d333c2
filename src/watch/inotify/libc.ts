// The only ffi-rs caller for inotify: each libc function the back-end needs, typed, returning
// numbers and errno numbers. Meaning (errno names, hints, retries) is given by instance.ts.
//
// How ffi-rs passes memory (verified on ffi-rs 1.3.7, see bench/RESULTS-inotify-decode.md):
// a `DataType.U8Array` parameter given a Buffer passes a pointer to the Buffer's own memory, so
// the kernel reads and writes it in place (pipe/read/poll fill it; no copy-back is needed).
// `runInNewThread: true` runs the call as N-API async work on libuv's thread pool: while it
// is pending it holds one pool thread and keeps the event loop alive, and process exit joins the
// pool, so a call that never returns hangs exit. Only `pollWait` is ever run that way, and
// instance.ts always wakes it before the process ends.
import { DataType, load } from '../../system/ffi.js';
import { callLibc, toCallResult, type CallResult } from '../../system/ffi-call.js';
import { libc } from '../../system/libc.js';

export type { CallResult } from '../../system/ffi-call.js';

/** A path as the NUL-terminated bytes the kernel reads; Buffers pass arbitrary (non-UTF-8) names. */
export function cPath(path: string | Buffer): Buffer {
  const bytes = typeof path === 'string' ? Buffer.from(path, 'utf8') : path;
  const out = Buffer.alloc(bytes.length + 1);
  bytes.copy(out);
  return out;
}

export function inotifyInit1(flags: number): CallResult {
  return callLibc('inotify_init1', DataType.I32, [DataType.I32], [flags]);
}

/**
 * A string path (no NUL inside: the caller checks) goes as ffi-rs's String, which it makes into a
 * C string itself: half the cost of a Buffer through U8Array (bench/ffi-add-watch.mjs: 11–18 µs
 * against 23–26 µs a call), and arming a tree is one call per folder. A Buffer (a name that is not
 * UTF-8) goes as bytes, NUL-terminated by `cPath`.
 */
export function inotifyAddWatch(fd: number, path: string | Buffer, mask: number): CallResult {
  const isText = typeof path === 'string';
  return callLibc(
    'inotify_add_watch',
    DataType.I32,
    [DataType.I32, isText ? DataType.String : DataType.U8Array, DataType.U32],
    [fd, isText ? path : cPath(path), mask >>> 0],
  );
}

export function inotifyRmWatch(fd: number, wd: number): CallResult {
  return callLibc('inotify_rm_watch', DataType.I32, [DataType.I32, DataType.I32], [fd, wd]);
}

export { close, read, write } from '../../system/fd-io.js';

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
