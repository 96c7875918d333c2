// The only ffi-rs caller for fanotify: fanotify_init, fanotify_mark, open_by_handle_at and
// fstatfs, typed, returning numbers and errno numbers; plus the two Node calls that turn an fd
// into a path (open of a mount fd, readlink of /proc/self/fd/N). Meaning is given by instance.ts.
//
// ffi-rs passes a Buffer given as `DataType.U8Array` by pointer to its own memory (see
// system/fd-io.ts), so a file handle or a statfs buffer is read or filled in place. read, close
// and the C path are system/'s generic fd calls (fd-io.ts), re-exported for this back-end.
import { constants, openSync, readlinkSync } from 'node:fs';
import { DataType } from '../../system/ffi.js';
import { callLibc, type CallResult, type Param } from '../../system/ffi-call.js';

export { close, cPath, read } from '../../system/fd-io.js';
export type { CallResult } from '../../system/ffi-call.js';

function call(funcName: string, params: Param[], values: unknown[]): CallResult {
  return callLibc(funcName, DataType.I32, params, values);
}

/** O_LARGEFILE as the kernel spells it (glibc defines it as 0 on 64-bit; the kernel does not). */
export const O_LARGEFILE = process.arch === 'arm64' ? 0o400000 : 0o100000;
/** O_PATH: an fd that names a place without opening the file (same value on x86_64 and arm64). */
export const O_PATH = 0o10000000;
export const O_CLOEXEC = 0o2000000;
/** fanotify_mark's dirfd meaning "relative to the working folder" (the path is absolute anyway). */
export const AT_FDCWD = -100;

export function fanotifyInit(flags: number, eventFFlags: number): CallResult {
  return call('fanotify_init', [DataType.U32, DataType.U32], [flags >>> 0, eventFFlags >>> 0]);
}

/** `path` must come from `cPath` (NUL-terminated). */
export function fanotifyMark(fd: number, flags: number, mask: number, path: Buffer): CallResult {
  return call(
    'fanotify_mark',
    [DataType.I32, DataType.U32, DataType.U64, DataType.I32, DataType.U8Array],
    [fd, flags >>> 0, mask, AT_FDCWD, path],
  );
}

/**
 * open_by_handle_at(mountFd, handle, O_PATH | O_CLOEXEC): an fd for the object `handle` names,
 * on the mount `mountFd` belongs to. `handle` is a whole `struct file_handle`. Needs
 * CAP_DAC_READ_SEARCH; ESTALE when the object no longer exists.
 */
export function openByHandleAt(mountFd: number, handle: Buffer): CallResult {
  return call(
    'open_by_handle_at',
    [DataType.I32, DataType.U8Array, DataType.I32],
    [mountFd, handle, O_PATH | O_CLOEXEC],
  );
}

// struct statfs (x86_64, arm64): f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree
// (7 longs), then f_fsid (2 × int) at byte 56: the same 8 bytes fanotify reports as `fsid`.
const STATFS_BYTES = 256;
const FSID_OFFSET = 56;

/** fstatfs(2): the fsid of `fd`'s file system as 16 hex digits (decode.ts's `FanotifyFid.fsid`). */
export function fstatfsFsid(fd: number): { value: string | null; errno: number } {
  const buf = Buffer.alloc(STATFS_BYTES);
  const result = call('fstatfs', [DataType.I32, DataType.U8Array], [fd, buf]);
  if (result.value < 0) return { value: null, errno: result.errno };
  return { value: buf.toString('hex', FSID_OFFSET, FSID_OFFSET + 8), errno: 0 };
}

/**
 * A read-only fd on a folder, to resolve handles on its mount; throws a Node error with `code`.
 * Not O_PATH: open_by_handle_at refuses an O_PATH mount fd (EBADF, seen on 6.18).
 */
export function openMountFd(path: string): number {
  return openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | O_CLOEXEC);
}

/** Where an fd points now, as bytes: readlink of /proc/self/fd/N (" (deleted)" when unlinked). */
export function fdPath(fd: number): Buffer {
  return readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' });
}
