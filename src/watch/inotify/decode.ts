// Decodes the bytes of one read(2) of an inotify fd into events, in kernel order. Pure: no I/O,
// no state; what the events mean (paths, renames, overflow) is tree.ts's business.
//
// struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[len]; }
// `len` counts the name, its terminating NUL and the padding NULs that align the next event.
import { truncatedEvent } from '../../log/messages/watch-kernel.js';

export const EVENT_HEADER_BYTES = 16;
/** The largest event: the header plus NAME_MAX (255) bytes and a NUL. */
export const EVENT_MAX_BYTES = EVENT_HEADER_BYTES + 256;

export interface RawInotifyEvent {
  readonly wd: number;
  readonly mask: number;
  readonly cookie: number;
  /**
   * The entry's name inside the watched folder, '' when the event is about the watched path
   * itself. Decoded as UTF-8: a name that is not valid UTF-8 gets U+FFFD in place of the bad
   * bytes, and then `nameBytes` holds the exact bytes (Node's fs accepts Buffer paths).
   */
  readonly name: string;
  /** Present only when `name` is not valid UTF-8: the exact name bytes, without NULs. */
  readonly nameBytes?: Buffer;
}

const REPLACEMENT = '\uFFFD';

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
      throw new Error(truncatedEvent(offset, length, EVENT_HEADER_BYTES));
    }
    const wd = buf.readInt32LE(offset);
    const mask = buf.readUInt32LE(offset + 4);
    const cookie = buf.readUInt32LE(offset + 8);
    const nameLength = buf.readUInt32LE(offset + 12);
    const start = offset + EVENT_HEADER_BYTES;
    const end = start + nameLength;
    if (end > length) throw new Error(truncatedEvent(offset, length, EVENT_HEADER_BYTES + nameLength));
    offset = end;
    if (nameLength === 0) {
      events.push({ wd, mask, cookie, name: '' });
      continue;
    }
    const nul = buf.indexOf(0, start);
    const nameEnd = nul === -1 || nul > end ? end : nul;
    const name = buf.toString('utf8', start, nameEnd);
    if (name.includes(REPLACEMENT) && !isValidUtf8(buf, start, nameEnd)) {
      events.push({ wd, mask, cookie, name, nameBytes: Buffer.from(buf.subarray(start, nameEnd)) });
    } else {
      events.push({ wd, mask, cookie, name });
    }
  }
  return events;
}

// A name may hold a real U+FFFD (bytes EF BF BD); only a lossy decoding needs the bytes kept.
function isValidUtf8(buf: Buffer, start: number, end: number): boolean {
  return Buffer.from(buf.toString('utf8', start, end), 'utf8').equals(buf.subarray(start, end));
}
