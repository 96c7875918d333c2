// Decodes the bytes of one read(2) of a fanotify fd into events with their info records, in
// kernel order. Pure: no I/O, no state; handles become paths in handles.ts.
//
// struct fanotify_event_metadata { u32 event_len; u8 vers; u8 reserved; u16 metadata_len;
//   u64 mask; s32 fd; s32 pid; }  (24 bytes), then info records up to event_len, each
// struct fanotify_event_info_header { u8 info_type; u8 pad; u16 len; }, for fid records followed
// by __kernel_fsid_t fsid (2 × s32) and struct file_handle { u32 handle_bytes; s32 handle_type;
// u8 f_handle[handle_bytes]; }, then for *_DFID_NAME a NUL-terminated name, padded to `len`.
import { msgFanotify } from '../../log/messages/watch-fanotify.js';
import { FAN_INFO } from './mask.js';
import { decodeNulTerminated } from '../../system/path-bytes.js';

export const METADATA_BYTES = 24;
const INFO_HEADER_BYTES = 4;
const FSID_BYTES = 8;
const FILE_HANDLE_HEADER_BYTES = 8;

/** A file system object as the kernel names it: the file system's id and an opaque handle. */
export interface FanotifyFid {
  /** `__kernel_fsid_t` as 16 hex digits: the key that picks the mount to resolve `handle` on. */
  readonly fsid: string;
  /** A whole `struct file_handle` (handle_bytes, handle_type, f_handle): open_by_handle_at's argument. */
  readonly handle: Buffer;
}

export type FanotifyRecord =
  /** The object itself (FAN_REPORT_FID; with FAN_REPORT_TARGET_FID the child of a dirent event). */
  | { readonly type: 'fid'; readonly fid: FanotifyFid }
  /** A folder without a name: an event on the folder itself, or a group without FAN_REPORT_NAME. */
  | { readonly type: 'dfid'; readonly fid: FanotifyFid }
  /**
   * A folder and an entry's name in it: the entry an event is about (`dfid_name`), or the old
   * and new place of a FAN_RENAME. The name is "." for an event on the folder itself.
   */
  | NamedRecord<'dfid_name'>
  | NamedRecord<'old_dfid_name'>
  | NamedRecord<'new_dfid_name'>
  /** A record this decoder does not read (pidfd, error, a type newer than it). */
  | { readonly type: 'other'; readonly infoType: number };

/** A name that is not valid UTF-8 keeps each other byte as U+DC80+byte (system/path-bytes.ts). */
export interface NamedRecord<T extends 'dfid_name' | 'old_dfid_name' | 'new_dfid_name'> {
  readonly type: T;
  readonly fid: FanotifyFid;
  readonly name: string;
}

/** One event as the kernel queued it, before any handle is resolved. */
export interface RawFanotifyEvent {
  /** FAN_* bits (kernel masks fit in 32 bits so far; higher bits are kept as far as 2^53). */
  readonly mask: number;
  /** FAN_NOFD (-1) for fid-reporting groups and for FAN_Q_OVERFLOW. */
  readonly fd: number;
  /** The process (thread-group id) that made the change; 0 when unknown (overflow). */
  readonly pid: number;
  readonly records: readonly FanotifyRecord[];
}

/** Bytes that do not make a whole event or record: a bug, or a kernel ABI this code does not know. */
export class FanotifyDecodeError extends Error {}

/**
 * The events in the first `length` bytes of `buf` (a complete read() result; the kernel never
 * splits an event). Handles and names are copied, so `buf` may be reused once this returns.
 */
export function decodeFanotifyEvents(buf: Buffer, length: number): RawFanotifyEvent[] {
  if (length > buf.length) throw new RangeError(`length ${length} exceeds the buffer (${buf.length} bytes)`);
  const events: RawFanotifyEvent[] = [];
  let offset = 0;
  while (offset < length) {
    if (length - offset < METADATA_BYTES) fail(offset, length, 'event metadata');
    const eventLength = buf.readUInt32LE(offset);
    const metadataLength = buf.readUInt16LE(offset + 6);
    if (eventLength < METADATA_BYTES || metadataLength < METADATA_BYTES || metadataLength > eventLength) {
      fail(offset, length, `event_len ${eventLength} / metadata_len ${metadataLength}`);
    }
    const end = offset + eventLength;
    if (end > length) fail(offset, length, `an event of ${eventLength} bytes`);
    events.push({
      // Two 32-bit halves, not readBigUInt64LE: no BigInt per event (exact up to 2^53, as before).
      mask: buf.readUInt32LE(offset + 12) * 0x1_0000_0000 + buf.readUInt32LE(offset + 8),
      fd: buf.readInt32LE(offset + 16),
      pid: buf.readInt32LE(offset + 20),
      records: decodeRecords(buf, offset + metadataLength, end),
    });
    offset = end;
  }
  return events;
}

function decodeRecords(buf: Buffer, start: number, end: number): FanotifyRecord[] {
  const records: FanotifyRecord[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < INFO_HEADER_BYTES) fail(offset, end, 'an info record header');
    const infoType = buf.readUInt8(offset);
    const recordLength = buf.readUInt16LE(offset + 2);
    if (recordLength < INFO_HEADER_BYTES || offset + recordLength > end) {
      fail(offset, end, `an info record of ${recordLength} bytes`);
    }
    records.push(decodeRecord(buf, infoType, offset, offset + recordLength));
    offset += recordLength;
  }
  return records;
}

function decodeRecord(buf: Buffer, infoType: number, start: number, end: number): FanotifyRecord {
  switch (infoType) {
    case FAN_INFO.FID:
      return { type: 'fid', fid: decodeFid(buf, start, end) };
    case FAN_INFO.DFID:
      return { type: 'dfid', fid: decodeFid(buf, start, end) };
    case FAN_INFO.DFID_NAME:
    case FAN_INFO.OLD_DFID_NAME:
    case FAN_INFO.NEW_DFID_NAME: {
      const type = NAMED_TYPES[infoType];
      const fid = decodeFid(buf, start, end);
      // Lossless (system/path-bytes.ts): bytes that are not UTF-8 become lone surrogates in
      // `name`, which `encodeFsBytes` turns back into the kernel's exact bytes.
      return { type, fid, name: decodeNulTerminated(buf, fidEnd, end) };
    }
    default:
      return { type: 'other', infoType };
  }
}

/** Where the last decoded fid's handle ends (a name follows there): no result object per record. */
let fidEnd = 0;

function decodeFid(buf: Buffer, start: number, end: number): FanotifyFid {
  const handleStart = start + INFO_HEADER_BYTES + FSID_BYTES;
  if (handleStart + FILE_HANDLE_HEADER_BYTES > end) fail(start, end, 'a fid record');
  const handleBytes = buf.readUInt32LE(handleStart);
  const handleEnd = handleStart + FILE_HANDLE_HEADER_BYTES + handleBytes;
  if (handleEnd > end) fail(start, end, `a file handle of ${handleBytes} bytes`);
  fidEnd = handleEnd;
  return {
    fsid: fsidAt(buf, start + INFO_HEADER_BYTES),
    handle: Buffer.from(buf.subarray(handleStart, handleEnd)),
  };
}

/** The last fsid decoded, as its two 32-bit halves and its hex: a mark's events share one. */
let lastFsidLow = 0;
let lastFsidHigh = 0;
let lastFsid: string | null = null;

// The fsid's hex, made once and reused while its 8 bytes are the same (an exact comparison).
function fsidAt(buf: Buffer, start: number): string {
  const low = buf.readUInt32LE(start);
  const high = buf.readUInt32LE(start + 4);
  if (lastFsid !== null && low === lastFsidLow && high === lastFsidHigh) return lastFsid;
  lastFsidLow = low;
  lastFsidHigh = high;
  lastFsid = buf.toString('hex', start, start + FSID_BYTES);
  return lastFsid;
}

const NAMED_TYPES = {
  [FAN_INFO.DFID_NAME]: 'dfid_name',
  [FAN_INFO.OLD_DFID_NAME]: 'old_dfid_name',
  [FAN_INFO.NEW_DFID_NAME]: 'new_dfid_name',
} as const;

function fail(offset: number, length: number, what: string): never {
  throw new FanotifyDecodeError(msgFanotify.truncated(what, offset, length));
}
