// Decodes the bytes of one read(2) of an inotify fd into events, in kernel order. Pure: no I/O,
// no state; what the events mean (paths, renames, overflow) is backend.ts's and the core's (kernel/).
//
// struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[len]; }
// `len` counts the name, its terminating NUL and the padding NULs that align the next event.
import { msgKernel } from '../../log/messages/watch-kernel.js';
import { decodeNulTerminated } from '../../system/path-bytes.js';

export const EVENT_HEADER_BYTES = 16;
/** The largest event: the header plus NAME_MAX (255) bytes and a NUL. */
export const EVENT_MAX_BYTES = EVENT_HEADER_BYTES + 256;

export interface RawInotifyEvent {
  readonly wd: number;
  readonly mask: number;
  readonly cookie: number;
  /**
   * The entry's name inside the watched folder, '' when the event is about the watched path
   * itself. Lossless (system/path-bytes.ts): UTF-8 where valid, each other byte as a lone
   * surrogate U+DC80+byte, so two different names never become one and `toFsPath` gives the
   * kernel's bytes back for every fs call.
   */
  readonly name: string;
}

/**
 * The events in the first `length` bytes of `buf` (a complete read() result). The kernel never
 * splits an event across reads, so bytes that do not make a whole event are a bug: it throws.
 * Names are copied out, so `buf` may be reused as soon as this returns.
 */
export function decodeEvents(buf: Buffer, length: number): RawInotifyEvent[] {
  if (length > buf.length) throw new RangeError(`length ${length} exceeds the buffer (${buf.length} bytes)`);
  const events: RawInotifyEvent[] = [];
  let offset = 0;
  while (offset < length) {
    if (length - offset < EVENT_HEADER_BYTES) {
      throw new Error(msgKernel.truncatedEvent(offset, length, EVENT_HEADER_BYTES));
    }
    const wd = buf.readInt32LE(offset);
    const mask = buf.readUInt32LE(offset + 4);
    const cookie = buf.readUInt32LE(offset + 8);
    const nameLength = buf.readUInt32LE(offset + 12);
    const start = offset + EVENT_HEADER_BYTES;
    const end = start + nameLength;
    if (end > length)
      throw new Error(msgKernel.truncatedEvent(offset, length, EVENT_HEADER_BYTES + nameLength));
    offset = end;
    if (nameLength === 0) {
      events.push({ wd, mask, cookie, name: '' });
      continue;
    }
    events.push({ wd, mask, cookie, name: decodeNulTerminated(buf, start, end) });
  }
  return events;
}
