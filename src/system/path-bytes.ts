// File names are bytes; watchtab's paths are strings. This is the one lossless mapping between
// them: valid UTF-8 decodes as usual, each byte that is not part of a valid sequence becomes a
// lone surrogate U+DC80–U+DCFF (Python's surrogateescape), and `toFsPath` gives the bytes back for
// every fs call. Decoding is injective: two different names never become one string.

const ESCAPE_BASE = 0xdc00;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The name (or path) as a string: UTF-8 where valid, U+DC80+byte for each other byte. */
export function decodeFsBytes(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeEscaped(bytes);
  }
}

/**
 * The name in buf[start, end) up to its first NUL, as decodeFsBytes gives it; an ASCII name (the
 * common case) is read without a decoder or a view (kernel event decoders call this per event).
 */
export function decodeNulTerminated(buf: Buffer, start: number, end: number): string {
  let nameEnd = start;
  let isAscii = true;
  for (; nameEnd < end; nameEnd++) {
    const byte = buf[nameEnd]!;
    if (byte === 0) break;
    if (byte >= 0x80) isAscii = false;
  }
  return isAscii ? buf.toString('latin1', start, nameEnd) : decodeFsBytes(buf.subarray(start, nameEnd));
}

function decodeEscaped(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(ESCAPE_BASE + bytes[i]!);
      i += 1;
    } else {
      out += strictUtf8.decode(bytes.subarray(i, i + length));
      i += length;
    }
  }
  return out;
}

// The length of the valid UTF-8 sequence starting at `i` (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the byte there starts none.
function validSequenceLength(b: Uint8Array, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const c = b[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (lead === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (lead >= 0xe1 && lead <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (lead === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (lead >= 0xf1 && lead <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (lead === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Whether `path` holds escaped bytes (then it is not valid UTF-8 on disk). */
export function hasEscapedBytes(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !isPairedLow(path, i)) return true;
  }
  return false;
}

// A low surrogate after a high one is half of a real character (astral plane), not an escape.
function isPairedLow(s: string, i: number): boolean {
  const before = i > 0 ? s.charCodeAt(i - 1) : 0;
  return before >= 0xd800 && before <= 0xdbff;
}

/** What to hand to node:fs (and the kernel) for `path`: the string itself, or its exact bytes. */
export function toFsPath(path: string): string | Buffer {
  return hasEscapedBytes(path) ? encodeFsBytes(path) : path;
}

/** The exact bytes `path` stands for (the inverse of decodeFsBytes). */
export function encodeFsBytes(path: string): Buffer {
  if (!hasEscapedBytes(path)) return Buffer.from(path, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff || isPairedLow(path, i)) continue;
    parts.push(Buffer.from(path.slice(start, i), 'utf8'), Buffer.of(c - ESCAPE_BASE));
    start = i + 1;
  }
  parts.push(Buffer.from(path.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * The path in the escaped form commands receive as WATCHTAB_PATH_ESCAPED: `\\` for a backslash,
 * `\xHH` (two lower-case hex digits) for each byte that is not valid UTF-8, every other character
 * as it is. Unambiguous: a backslash in the result always starts one of those two escapes.
 */
export function escapePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c >= 0xdc80 && c <= 0xdcff && !isPairedLow(path, i))
      out += `\\x${(c - ESCAPE_BASE).toString(16).padStart(2, '0')}`;
    else out += path[i];
  }
  return out;
}
