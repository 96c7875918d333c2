// The fanotify decoder on hand-built, kernel-shaped bytes: metadata, fid records, names, renames,
// overflow, and malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFanotifyEvents,
  FanotifyDecodeError,
  METADATA_BYTES,
} from '../../src/watch/fanotify/decode.js';
import {
  FAN,
  FAN_INFO,
  FAN_NOFD,
  FANOTIFY_METADATA_VERSION,
  fanMaskNames,
} from '../../src/watch/fanotify/mask.js';
import { encodeFsBytes } from '../../src/system/path-bytes.js';

const FSID = Buffer.from('79207a44cfffdfc4', 'hex');

/** A `struct file_handle`: handle_bytes, handle_type, f_handle. */
function handle(bytes: number[], type = 1): Buffer {
  const out = Buffer.alloc(8 + bytes.length);
  out.writeUInt32LE(bytes.length, 0);
  out.writeInt32LE(type, 4);
  Buffer.from(bytes).copy(out, 8);
  return out;
}

/** An info record: header, fsid, handle, then the name with its NUL, padded to 4 as the kernel does. */
function fidRecord(infoType: number, fileHandle: Buffer, name?: Buffer | string): Buffer {
  const nameBytes =
    name === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from(name), Buffer.from([0])]);
  const bare = 4 + 8 + fileHandle.length + nameBytes.length;
  const len = Math.ceil(bare / 4) * 4;
  const out = Buffer.alloc(len);
  out.writeUInt8(infoType, 0);
  out.writeUInt16LE(len, 2);
  FSID.copy(out, 4);
  fileHandle.copy(out, 12);
  nameBytes.copy(out, 12 + fileHandle.length);
  return out;
}

function event(mask: number, pid: number, records: Buffer[] = [], fd = FAN_NOFD): Buffer {
  const body = Buffer.concat(records);
  const out = Buffer.alloc(METADATA_BYTES + body.length);
  out.writeUInt32LE(out.length, 0);
  out.writeUInt8(FANOTIFY_METADATA_VERSION, 4);
  out.writeUInt16LE(METADATA_BYTES, 6);
  out.writeBigUInt64LE(BigInt(mask), 8);
  out.writeInt32LE(fd, 16);
  out.writeInt32LE(pid, 20);
  body.copy(out, METADATA_BYTES);
  return out;
}

const DIR = handle([0x6c, 0xc0, 0x20, 0x00, 0x12, 0x31, 0xae, 0xf7]);
const FILE = handle([0x6d, 0xc0, 0x20, 0x00, 0x9c, 0xa7, 0x46, 0xf6]);

test('a create with DFID_NAME and the child fid: mask, pid, fsid, whole handles, name', () => {
  const buf = event(FAN.CREATE, 4242, [
    fidRecord(FAN_INFO.DFID_NAME, DIR, 'a.txt'),
    fidRecord(FAN_INFO.FID, FILE),
  ]);
  const [e, ...rest] = decodeFanotifyEvents(buf, buf.length);
  assert.equal(rest.length, 0);
  assert.equal(e?.mask, FAN.CREATE);
  assert.equal(e?.pid, 4242);
  assert.equal(e?.fd, FAN_NOFD);
  assert.deepEqual(e?.records, [
    { type: 'dfid_name', fid: { fsid: '79207a44cfffdfc4', handle: DIR }, name: 'a.txt' },
    { type: 'fid', fid: { fsid: '79207a44cfffdfc4', handle: FILE } },
  ]);
});

test('FAN_RENAME carries the old and the new place, then the object', () => {
  const buf = event(FAN.RENAME | FAN.ONDIR, 7, [
    fidRecord(FAN_INFO.OLD_DFID_NAME, DIR, 'from'),
    fidRecord(FAN_INFO.NEW_DFID_NAME, DIR, 'to-a-longer-name'),
    fidRecord(FAN_INFO.FID, FILE),
  ]);
  const [e] = decodeFanotifyEvents(buf, buf.length);
  assert.equal(fanMaskNames(e?.mask ?? 0), 'FAN_RENAME|FAN_ONDIR');
  assert.deepEqual(
    e?.records.map((r) => [r.type, 'name' in r ? r.name : null]),
    [
      ['old_dfid_name', 'from'],
      ['new_dfid_name', 'to-a-longer-name'],
      ['fid', null],
    ],
  );
});

test('an event on a folder itself is named "."; a DFID record has no name', () => {
  const buf = Buffer.concat([
    event(FAN.ATTRIB | FAN.ONDIR, 1, [fidRecord(FAN_INFO.DFID_NAME, DIR, '.')]),
    event(FAN.ATTRIB | FAN.ONDIR, 1, [fidRecord(FAN_INFO.DFID, DIR)]),
  ]);
  const events = decodeFanotifyEvents(buf, buf.length);
  assert.deepEqual(
    events.map((e) => e.records[0]),
    [
      { type: 'dfid_name', fid: { fsid: '79207a44cfffdfc4', handle: DIR }, name: '.' },
      { type: 'dfid', fid: { fsid: '79207a44cfffdfc4', handle: DIR } },
    ],
  );
});

test('FAN_Q_OVERFLOW: fd FAN_NOFD, no info records, between other events', () => {
  const buf = Buffer.concat([
    event(FAN.MODIFY, 10, [fidRecord(FAN_INFO.DFID_NAME, DIR, 'x')]),
    event(FAN.Q_OVERFLOW, 0),
    event(FAN.DELETE, 11, [fidRecord(FAN_INFO.DFID_NAME, DIR, 'y')]),
  ]);
  const events = decodeFanotifyEvents(buf, buf.length);
  assert.deepEqual(
    events.map((e) => [fanMaskNames(e.mask), e.fd, e.pid, e.records.length]),
    [
      ['FAN_MODIFY', -1, 10, 1],
      ['FAN_Q_OVERFLOW', -1, 0, 0],
      ['FAN_DELETE', -1, 11, 1],
    ],
  );
});

test('handles of any length and type are kept whole; names after them decode', () => {
  const long = handle(
    Array.from({ length: 20 }, (_, i) => i),
    0x81,
  );
  const buf = event(FAN.CLOSE_WRITE, 3, [fidRecord(FAN_INFO.DFID_NAME, long, 'n')]);
  const [e] = decodeFanotifyEvents(buf, buf.length);
  const record = e?.records[0];
  assert.ok(record?.type === 'dfid_name');
  assert.deepEqual(record.fid.handle, long);
  assert.equal(record.fid.handle.readInt32LE(4), 0x81);
  assert.equal(record.name, 'n');
});

test('a name that is not UTF-8 keeps its bytes; a real U+FFFD does not', () => {
  const bad = Buffer.from([0x66, 0xff, 0x66]);
  const buf = Buffer.concat([
    event(FAN.CREATE, 1, [fidRecord(FAN_INFO.DFID_NAME, DIR, bad)]),
    event(FAN.CREATE, 1, [fidRecord(FAN_INFO.DFID_NAME, DIR, 'a\uFFFDb')]),
  ]);
  const [first, second] = decodeFanotifyEvents(buf, buf.length);
  assert.ok(first?.records[0]?.type === 'dfid_name' && second?.records[0]?.type === 'dfid_name');
  assert.deepEqual(encodeFsBytes(first.records[0].name), bad); // the kernel's bytes, back
  assert.equal(first.records[0].name, 'f\uDCFFf'); // lossless: 0xff kept as U+DCFF
  assert.equal(second.records[0].name, 'a\uFFFDb');
  assert.deepEqual(encodeFsBytes(second.records[0].name), Buffer.from('a\uFFFDb'));
});

test('unknown record types are skipped by their length; a longer metadata is honoured', () => {
  const pidfd = Buffer.alloc(8);
  pidfd.writeUInt8(FAN_INFO.PIDFD, 0);
  pidfd.writeUInt16LE(8, 2);
  const unknown = Buffer.alloc(12);
  unknown.writeUInt8(99, 0);
  unknown.writeUInt16LE(12, 2);
  const buf = event(FAN.CREATE, 5, [pidfd, unknown, fidRecord(FAN_INFO.DFID_NAME, DIR, 'z')]);
  const [e] = decodeFanotifyEvents(buf, buf.length);
  assert.deepEqual(
    e?.records.map((r) => r.type),
    ['other', 'other', 'dfid_name'],
  );
  // A future kernel with 8 more bytes of metadata: metadata_len says where records start.
  const longer = Buffer.concat([
    buf.subarray(0, METADATA_BYTES),
    Buffer.alloc(8),
    buf.subarray(METADATA_BYTES),
  ]);
  longer.writeUInt32LE(longer.length, 0);
  longer.writeUInt16LE(METADATA_BYTES + 8, 6);
  assert.deepEqual(decodeFanotifyEvents(longer, longer.length)[0]?.records.length, 3);
});

test('mask bits above 32 survive', () => {
  const buf = event(2 ** 40 + FAN.MODIFY, 1);
  assert.equal(decodeFanotifyEvents(buf, buf.length)[0]?.mask, 2 ** 40 + FAN.MODIFY);
});

test('truncated or malformed bytes throw FanotifyDecodeError, never read past `length`', () => {
  const good = event(FAN.CREATE, 1, [fidRecord(FAN_INFO.DFID_NAME, DIR, 'a')]);
  assert.throws(() => decodeFanotifyEvents(good, 10), FanotifyDecodeError);
  assert.throws(() => decodeFanotifyEvents(good, good.length - 1), FanotifyDecodeError);
  const badRecord = Buffer.from(good);
  badRecord.writeUInt16LE(200, METADATA_BYTES + 2); // record longer than the event
  assert.throws(() => decodeFanotifyEvents(badRecord, badRecord.length), /info record of 200 bytes/);
  const badHandle = Buffer.from(good);
  badHandle.writeUInt32LE(500, METADATA_BYTES + 12); // handle_bytes past the record
  assert.throws(() => decodeFanotifyEvents(badHandle, badHandle.length), /file handle of 500 bytes/);
  const badLength = Buffer.from(good);
  badLength.writeUInt32LE(8, 0);
  assert.throws(() => decodeFanotifyEvents(badLength, badLength.length), /event_len 8/);
  assert.throws(() => decodeFanotifyEvents(good, good.length + 1), RangeError);
  assert.deepEqual(decodeFanotifyEvents(good, 0), []);
});

test('handles and names are copies: the read buffer can be reused', () => {
  const buf = event(FAN.CREATE, 1, [fidRecord(FAN_INFO.DFID_NAME, DIR, 'keep')]);
  const [e] = decodeFanotifyEvents(buf, buf.length);
  buf.fill(0);
  assert.ok(e?.records[0]?.type === 'dfid_name');
  assert.deepEqual(e.records[0].fid.handle, DIR);
  assert.equal(e.records[0].name, 'keep');
});
