// Listing a folder already open (a checked descriptor) with getdents64(2) through ffi-rs: no second
// open and no path lookup (readdir of /proc/self/fd/N does both), and each entry's inode and type
// come with its name, so a caller can skip the lstat of what it does not need to look at.
// Names keep their bytes (path-bytes.ts). Null when ffi-rs cannot load: callers then readdir.
import type { JsExternal } from 'ffi-rs';
import { DataType, externalBuffer, ffiLoadError, isNullPointer, load } from './ffi.js';
import { toCallResult } from './ffi-call.js';
import { libc } from './libc.js';
import { decodeNulTerminated } from './path-bytes.js';

/** d_type values (dirent.h): DT_UNKNOWN means the file system does not say (lstat to know). */
export const DT = { UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12 } as const;

/** One entry of a listing ("." and ".." left out). */
export interface DirEntry {
  readonly name: string;
  /** The inode number the folder's entry holds (for a mount point, the folder under the mount). */
  readonly ino: number;
  readonly type: number;
}

/** Bytes per getdents64 call: a folder of ~1,000 short names is read in one call (plus the 0). */
const BUFFER_BYTES = 32 * 1024;
/**
 * One buffer for every listing, in native memory allocated once (never freed) and passed as a
 * pointer: ffi-rs then converts no Buffer per call (a quarter of a call's cost, RESULTS-inoready.md).
 */
let shared: { readonly pointer: JsExternal; readonly bytes: Buffer } | 'unavailable' | null = null;

/** The shared buffer, or null when ffi-rs cannot give one (then callers readdir, as without ffi-rs). */
function sharedBuffer(): { readonly pointer: JsExternal; readonly bytes: Buffer } | null {
  if (shared === null) {
    shared = 'unavailable';
    if (ffiLoadError() !== null) return null;
    const pointer = load({
      library: libc(),
      funcName: 'malloc',
      retType: DataType.External,
      paramsType: [DataType.U64],
      paramsValue: [BUFFER_BYTES],
    });
    if (isNullPointer(pointer)) return null;
    try {
      shared = { pointer, bytes: externalBuffer(pointer, BUFFER_BYTES) };
    } catch {
      return null; // an ffi-rs without createExternalBuffer
    }
  }
  return shared === 'unavailable' ? null : shared;
}

// struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
const RECLEN_AT = 16;
const TYPE_AT = 18;
const NAME_AT = 19;

/**
 * Decodes `length` bytes of getdents64 records from `buf` into `out` ("." and ".." skipped).
 * Throws on a record that does not fit (a kernel that wrote something else).
 */
export function decodeDirents(buf: Buffer, length: number, out: DirEntry[]): void {
  let at = 0;
  while (at < length) {
    const reclen = buf.readUInt16LE(at + RECLEN_AT);
    if (reclen < NAME_AT + 1 || at + reclen > length)
      throw new Error(`getdents64 record of ${reclen} bytes at ${at} of ${length}`);
    const name = decodeNulTerminated(buf, at + NAME_AT, at + reclen);
    if (name !== '.' && name !== '..') {
      // Inode numbers above 2^53 lose precision, as Node's own Stats.ino does.
      const ino = buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
      out.push({ name, ino, type: buf[at + TYPE_AT]! });
    }
    at += reclen;
  }
}

export type ListResult = { readonly entries: DirEntry[] } | { readonly errno: number };

/**
 * The entries of the folder open as `fd` by name, read from its current offset to the end, or the errno
 * of a failed getdents64 (ENOENT: removed since it was opened). Null when ffi-rs is unavailable.
 */
export function listOpenFolder(fd: number): ListResult | null {
  const memory = sharedBuffer();
  if (memory === null) return null;
  const { pointer, bytes: buf } = memory;
  const entries: DirEntry[] = [];
  for (;;) {
    // No errno from ffi-rs on the common path (it costs a third of the call): a failure is read
    // again with errno, which gives the same answer on a descriptor the kernel keeps open.
    const length = getdents(fd, pointer, false);
    if (typeof length !== 'number') throw new Error(`ffi-rs returned ${typeof length} for getdents64`);
    if (length === 0) return { entries: inNameOrder(entries) };
    if (length < 0) {
      const again = toCallResult(getdents(fd, pointer, true));
      if (again.value === 0) return { entries: inNameOrder(entries) };
      if (again.value < 0) return { errno: again.errno };
      decodeDirents(buf, again.value, entries);
      continue;
    }
    // Read until 0 even when this call left room: the kernel ends a call early when a signal is
    // pending (filldir64), so a short read is not the end of the folder.
    decodeDirents(buf, length, entries);
  }
}

/**
 * The entries by name, as readdirSync gives them (libuv sorts its scandir): the order in which a
 * scan finds, and a poll reports, the changes of one folder stays the same from one run to the
 * next, not the file system's hash order (a folded run's WATCHTAB_PATH is the last path reported).
 */
function inNameOrder(entries: DirEntry[]): DirEntry[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function getdents(fd: number, pointer: JsExternal, errno: boolean): unknown {
  return load({
    library: libc(),
    funcName: 'getdents64',
    retType: DataType.I64,
    paramsType: [DataType.I32, DataType.External, DataType.U64],
    paramsValue: [fd, pointer, BUFFER_BYTES],
    errno,
  });
}
