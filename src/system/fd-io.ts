// read(2), write(2) and close(2) on raw file descriptors through ffi-rs, for the kernel interfaces
// Node has no handle for (inotify, fanotify, the process connector), and the C path they are given.
// Numbers in, CallResult out. A Buffer given as `DataType.U8Array` passes a pointer to its own
// memory, so the kernel fills it in place (ffi-rs 1.3.7, bench/RESULTS-inotify-decode.md).
import { DataType } from './ffi.js';
import { callLibc, type CallResult } from './ffi-call.js';

/** open(2)'s O_CLOEXEC, which Node's fs.constants leaves out (the same bit on x86_64 and arm64). */
export const O_CLOEXEC = 0o2000000;

/** read(2) into `buf` from its start; value is the byte count. */
export function read(fd: number, buf: Buffer, length: number): CallResult {
  return callLibc('read', DataType.I64, [DataType.I32, DataType.U8Array, DataType.U64], [fd, buf, length]);
}

/** write(2) of the first `length` bytes of `buf`. */
export function write(fd: number, buf: Buffer, length: number): CallResult {
  return callLibc('write', DataType.I64, [DataType.I32, DataType.U8Array, DataType.U64], [fd, buf, length]);
}

export function close(fd: number): CallResult {
  return callLibc('close', DataType.I32, [DataType.I32], [fd]);
}

/** A path as the NUL-terminated bytes the kernel reads; Buffers pass arbitrary (non-UTF-8) names. */
export function cPath(path: string | Buffer): Buffer {
  const bytes = typeof path === 'string' ? Buffer.from(path, 'utf8') : path;
  const out = Buffer.alloc(bytes.length + 1);
  bytes.copy(out);
  return out;
}
