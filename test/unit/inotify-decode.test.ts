// Decoding inotify's read(2) buffer into events: names, padding, cookies and truncated input (byte fixtures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFsBytes } from '../../src/system/path-bytes.js';
import { decodeEvents, EVENT_HEADER_BYTES } from '../../src/watch/inotify/decode.js';
import { IN, IN_ALL_EVENTS, hasBits, maskNames } from '../../src/watch/inotify/mask.js';

interface Spec {
  wd: number;
  mask: number;
  cookie?: number;
  name?: Buffer | string;
  /** The `len` field: name bytes plus NULs; default rounds name + NUL up to 16 as the kernel does. */
  len?: number;
}

// Builds kernel-shaped bytes: a 16-byte header, then `len` bytes of name and NUL padding.
function event(spec: Spec): Buffer {
  const name = typeof spec.name === 'string' ? Buffer.from(spec.name) : (spec.name ?? Buffer.alloc(0));
  const len = spec.len ?? (name.length === 0 ? 0 : Math.ceil((name.length + 1) / 16) * 16);
  const out = Buffer.alloc(EVENT_HEADER_BYTES + len);
  out.writeInt32LE(spec.wd, 0);
  out.writeUInt32LE(spec.mask >>> 0, 4);
  out.writeUInt32LE(spec.cookie ?? 0, 8);
  out.writeUInt32LE(len, 12);
  name.copy(out, EVENT_HEADER_BYTES);
  return out;
}

test('one event with a name: padding NULs are stripped', () => {
  const buf = event({ wd: 1, mask: IN.CREATE, name: 'hello.txt' });
  assert.equal(buf.length, 32);
  assert.deepEqual(decodeEvents(buf, buf.length), [{ wd: 1, mask: IN.CREATE, cookie: 0, name: 'hello.txt' }]);
});

test('an event without a name (about the watched path itself) has name ""', () => {
  const buf = event({ wd: 7, mask: IN.DELETE_SELF });
  assert.equal(buf.length, EVENT_HEADER_BYTES);
  assert.deepEqual(decodeEvents(buf, buf.length), [{ wd: 7, mask: IN.DELETE_SELF, cookie: 0, name: '' }]);
});

test('many events, in order, with cookies, folder bit and high bits intact', () => {
  const specs: Spec[] = [
    { wd: 1, mask: IN.MOVED_FROM, cookie: 4242, name: 'a' },
    { wd: 2, mask: IN.MOVED_TO, cookie: 4242, name: 'b'.repeat(15) }, // name + NUL = exactly 16
    { wd: 3, mask: IN.CREATE | IN.ISDIR, name: 'sub' },
    { wd: 3, mask: IN.IGNORED },
    { wd: -1, mask: IN.Q_OVERFLOW },
    { wd: 4, mask: IN.UNMOUNT | IN.ONESHOT },
    { wd: 5, mask: IN.CLOSE_WRITE, name: 'n'.repeat(255) }, // NAME_MAX
  ];
  const buf = Buffer.concat(specs.map(event));
  const events = decodeEvents(buf, buf.length);
  assert.deepEqual(
    events.map((e) => [e.wd, e.mask, e.cookie, e.name]),
    specs.map((s) => [s.wd, s.mask >>> 0, s.cookie ?? 0, s.name ?? '']),
  );
  assert.ok(hasBits(events[5]!.mask, IN.ONESHOT));
  assert.ok(events[5]!.mask > 0);
});

test('a name whose len has extra NUL padding (kernels pad to different boundaries)', () => {
  const buf = event({ wd: 1, mask: IN.MODIFY, name: 'x', len: 64 });
  assert.deepEqual(decodeEvents(buf, buf.length), [{ wd: 1, mask: IN.MODIFY, cookie: 0, name: 'x' }]);
});

test('only the first `length` bytes are decoded (a reused read buffer)', () => {
  const one = event({ wd: 1, mask: IN.CREATE, name: 'kept' });
  const buf = Buffer.alloc(4096, 0xab);
  one.copy(buf);
  assert.deepEqual(
    decodeEvents(buf, one.length).map((e) => e.name),
    ['kept'],
  );
  assert.deepEqual(decodeEvents(buf, 0), []);
});

test('UTF-8 names decode; a non-UTF-8 name is escaped and gives its exact bytes back', () => {
  const utf8 = event({ wd: 1, mask: IN.CREATE, name: 'café-日本-\uFFFD' });
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
  const raw = event({ wd: 1, mask: IN.CREATE, name: latin1 });
  const buf = Buffer.concat([utf8, raw]);
  const [a, b] = decodeEvents(buf, buf.length);
  assert.equal(a?.name, 'café-日本-\uFFFD');
  assert.equal(b?.name, 'caf\uDCE9'); // the byte 0xe9 kept as U+DCE9, losslessly
  buf.fill(0); // the name does not depend on the read buffer, which is reused
  assert.deepEqual(encodeFsBytes(b?.name ?? ''), latin1);
  assert.deepEqual(Object.keys(b ?? {}).sort(), ['cookie', 'mask', 'name', 'wd']);
});

test('x\\xff, x\\xfe and x + U+FFFD are three names, each giving its own bytes back', () => {
  const names = [Buffer.from('x\xff', 'latin1'), Buffer.from('x\xfe', 'latin1'), Buffer.from('x\uFFFD')];
  const buf = Buffer.concat(names.map((name) => event({ wd: 1, mask: IN.CREATE, name })));
  const decoded = decodeEvents(buf, buf.length).map((e) => e.name);
  assert.deepEqual(decoded, ['x\uDCFF', 'x\uDCFE', 'x\uFFFD']);
  assert.equal(new Set(decoded).size, 3);
  decoded.forEach((name, i) => assert.deepEqual(encodeFsBytes(name), names[i]));
});

test('a truncated tail throws a clear error', () => {
  const whole = Buffer.concat([
    event({ wd: 1, mask: IN.CREATE, name: 'a' }),
    event({ wd: 1, mask: IN.DELETE, name: 'b' }),
  ]);
  // Cut inside the second header, then inside the second name.
  assert.throws(() => decodeEvents(whole, 40), /truncated event at byte 32 of 40: it needs 16 bytes/);
  assert.throws(() => decodeEvents(whole, 56), /truncated event at byte 32 of 56: it needs 32 bytes/);
  assert.throws(() => decodeEvents(whole, whole.length + 1), RangeError);
});

test('mask names render for traces', () => {
  assert.equal(maskNames(IN.CREATE | IN.ISDIR), 'IN_CREATE|IN_ISDIR');
  assert.equal(maskNames(IN.ONESHOT | 0x1000), 'IN_ONESHOT|0x1000');
  assert.equal(maskNames(0), '0');
  assert.equal(IN_ALL_EVENTS, 0xfff);
});
