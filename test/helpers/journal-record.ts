// Reads journal native-protocol datagrams as journald does (KEY=value lines, and the binary-safe
// KEY, newline, 64-bit length, bytes form), so tests check what the daemon sent, byte for byte.

export type JournalFields = ReadonlyMap<string, string>;

export function decodeJournalRecord(data: Buffer): JournalFields {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const newline = data.indexOf(0x0a, at);
    if (newline === -1) throw new Error(`a field without its newline at byte ${at}`);
    const head = data.toString('utf8', at, newline);
    const equals = head.indexOf('=');
    if (equals !== -1) {
      fields.set(head.slice(0, equals), head.slice(equals + 1));
      at = newline + 1;
      continue;
    }
    const length = Number(data.readBigUInt64LE(newline + 1));
    const start = newline + 9;
    if (data[start + length] !== 0x0a) throw new Error(`binary field ${head} does not end with a newline`);
    fields.set(head, data.toString('utf8', start, start + length));
    at = start + length + 1;
  }
  return fields;
}
