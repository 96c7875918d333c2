// A path's bytes as the kernel gave them. Names that are not UTF-8 travel in strings with each
// undecodable byte 0x80–0xFF held as a lone surrogate U+DC80–U+DCFF (Python's surrogateescape);
// this maps those back to their bytes and everything else to UTF-8, so a name written out for a
// command (stdin `paths`, `paths0`) is byte-exact.

/** A low surrogate standing for a raw byte, not the second half of a pair. */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;
/** The same, without the global flag's `lastIndex` (which `matchAll` would start from). */
const HAS_ESCAPED_BYTE = new RegExp(ESCAPED_BYTE.source);

export function pathBytes(path: string): Buffer {
  if (!HAS_ESCAPED_BYTE.test(path)) return Buffer.from(path, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (const match of path.matchAll(ESCAPED_BYTE)) {
    parts.push(Buffer.from(path.slice(from, match.index), 'utf8'));
    parts.push(Buffer.of(match[0].charCodeAt(0) - 0xdc00));
    from = match.index + 1;
  }
  parts.push(Buffer.from(path.slice(from), 'utf8'));
  return Buffer.concat(parts);
}
