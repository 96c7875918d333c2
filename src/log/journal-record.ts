// One log record in the journal's native protocol: `KEY=value` lines, and for a value holding a
// newline the binary-safe form (KEY, newline, 64-bit little-endian length, the bytes, newline).
// The logger's fields become `WATCHTAB_…` fields an administrator can filter on with journalctl.

export const SYSLOG_IDENTIFIER = 'watchtabd';
/** Prefix for the logger's own fields: `entry` becomes `WATCHTAB_ENTRY`, `exitStatus` `WATCHTAB_EXIT_STATUS`. */
const FIELD_PREFIX = 'WATCHTAB_';
/** journald refuses longer field names. */
const MAX_FIELD_NAME = 64;

/** `exitStatus` → `WATCHTAB_EXIT_STATUS`; null when nothing of the name is usable. */
export function journalFieldName(key: string): string | null {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_');
  const name = `${FIELD_PREFIX}${snake}`.slice(0, MAX_FIELD_NAME);
  return snake === '' ? null : name;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  return JSON.stringify(value) ?? String(value);
}

function field(name: string, value: string): Buffer {
  if (!value.includes('\n')) return Buffer.from(`${name}=${value}\n`);
  const bytes = Buffer.from(value);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([Buffer.from(`${name}\n`), length, bytes, Buffer.from('\n')]);
}

/** The datagram for one record: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, then the fields. */
export function encodeJournalRecord(
  message: string,
  priority: number,
  fields: Readonly<Record<string, unknown>>,
): Buffer {
  const parts = [
    field('MESSAGE', message),
    field('PRIORITY', String(priority)),
    field('SYSLOG_IDENTIFIER', SYSLOG_IDENTIFIER),
  ];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    const name = journalFieldName(key);
    if (name !== null) parts.push(field(name, valueText(value)));
  }
  return Buffer.concat(parts);
}
