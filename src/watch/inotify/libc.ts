// The only ffi-rs caller for inotify: each libc function the back-end needs, typed, returning
// numbers and errno numbers. Meaning (errno names, hints, retries) is given by instance.ts.
//
// How ffi-rs passes memory (verified on ffi-rs 1.3.7, see bench/RESULTS-inotify-decode.md):
// a `DataType.U8Array` parameter given a Buffer passes a pointer to the Buffer's own memory, so
// the kernel reads and writes it in place (read fills it; no copy-back is needed). The generic
// fd calls (read, close) and the off-thread poll are system/'s (fd-io.ts, poll-fd.ts).
import { DataType } from '../../system/ffi.js';
import { callLibc, callLibcNoErrno, type CallResult, type Param } from '../../system/ffi-call.js';
import { cPath } from '../../system/fd-io.js';

export type { CallResult } from '../../system/ffi-call.js';

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
  const params = [DataType.I32, isText ? DataType.String : DataType.U8Array, DataType.U32] as Param[];
  const values = [fd, isText ? path : cPath(path), mask >>> 0];
  // Without errno first: asking ffi-rs for it costs about a third of the call (bench/RESULTS-
  // inoready.md), and arming is one call per folder. A failed call changed nothing, so it is made
  // again with errno to say why (or, if the cause went away meanwhile, to succeed).
  const wd = callLibcNoErrno('inotify_add_watch', DataType.I32, params, values);
  if (wd >= 0) return { value: wd, errno: 0 };
  return callLibc('inotify_add_watch', DataType.I32, params, values);
}

export function inotifyRmWatch(fd: number, wd: number): CallResult {
  return callLibc('inotify_rm_watch', DataType.I32, [DataType.I32, DataType.I32], [fd, wd]);
}

export { close, read, write } from '../../system/fd-io.js';
