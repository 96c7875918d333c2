// read(2), write(2) and close(2) on raw file descriptors through ffi-rs, for the kernel interfaces
// Node has no handle for (inotify, fanotify, the process connector). Numbers in, CallResult out.
import { DataType } from './ffi.js';
import { callLibc, type CallResult } from './ffi-call.js';

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
