// The journal's native protocol as the daemon writes it: field names, the binary-safe form, order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeJournalRecord, journalFieldName } from '../../src/log/journal-record.js';
import { decodeJournalRecord } from '../helpers/journal-record.js';

test('logger fields become WATCHTAB_ fields in upper snake case, within journald limits', () => {
  assert.equal(journalFieldName('entry'), 'WATCHTAB_ENTRY');
  assert.equal(journalFieldName('exitStatus'), 'WATCHTAB_EXIT_STATUS');
  assert.equal(journalFieldName('durationMs'), 'WATCHTAB_DURATION_MS');
  assert.equal(journalFieldName('some-key.x'), 'WATCHTAB_SOME_KEY_X');
  assert.equal(journalFieldName('a'.repeat(100))?.length, 64);
  assert.equal(journalFieldName(''), null);
});

test('a record: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, then fields; newlines in the binary-safe form', () => {
  const path = '/srv/in\nbox/x=1';
  const record = encodeJournalRecord('run failed: exit status 3', 3, {
    entry: 'site',
    path,
    exitStatus: 3,
    events: ['write', 'close_write'],
    gone: undefined,
  });
  const text = record.toString('latin1');
  assert.ok(text.startsWith('MESSAGE=run failed: exit status 3\nPRIORITY=3\nSYSLOG_IDENTIFIER=watchtabd\n'));
  // KEY, newline, the length as 64-bit little-endian, the bytes, newline.
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(path)));
  assert.ok(
    record.includes(Buffer.concat([Buffer.from('WATCHTAB_PATH\n'), length, Buffer.from(`${path}\n`)])),
  );
  assert.deepEqual(Object.fromEntries(decodeJournalRecord(record)), {
    MESSAGE: 'run failed: exit status 3',
    PRIORITY: '3',
    SYSLOG_IDENTIFIER: 'watchtabd',
    WATCHTAB_ENTRY: 'site',
    WATCHTAB_PATH: path,
    WATCHTAB_EXIT_STATUS: '3',
    WATCHTAB_EVENTS: 'write,close_write',
  });
});
