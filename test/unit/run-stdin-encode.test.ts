// The stdin encoders: encodeFsBytes gives a name's raw bytes back, and each format writes one path as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFsBytes } from '../../src/system/path-bytes.js';
import { encodePath } from '../../src/run/stdin-feed.js';

test('encodeFsBytes: UTF-8 for ordinary names, lone surrogates U+DC80–U+DCFF back to bytes 0x80–0xFF', () => {
  assert.deepEqual(encodeFsBytes('/w/é a'), Buffer.from('/w/é a', 'utf8'));
  assert.deepEqual(encodeFsBytes('/w/\udcff\udc80x'), Buffer.from([0x2f, 0x77, 0x2f, 0xff, 0x80, 0x78]));
  // A surrogate pair (a real character) is UTF-8, never taken for escaped bytes.
  assert.deepEqual(encodeFsBytes('/\ud83d\ude00'), Buffer.from('/😀', 'utf8'));
  assert.deepEqual(encodeFsBytes('\udc80\udc80'), Buffer.from([0x80, 0x80]));
});

test('paths ends each name with a newline, paths0 with a NUL; json gives old_path only for a rename', () => {
  const plain = { path: '/w/a\nb', events: ['write', 'close_write'] as const, oldPath: null };
  assert.deepEqual(Buffer.concat(encodePath('paths', plain)), Buffer.from('/w/a\nb\n'));
  assert.deepEqual(Buffer.concat(encodePath('paths0', plain)), Buffer.from('/w/a\nb\0'));
  assert.deepEqual(JSON.parse(Buffer.concat(encodePath('json', plain)).toString()), {
    path: '/w/a\nb',
    events: ['write', 'close_write'],
  });
  const renamed = { path: '/w/new', events: ['rename'] as const, oldPath: '/w/old' };
  const line = Buffer.concat(encodePath('json', renamed)).toString();
  assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'));
  assert.deepEqual(JSON.parse(line), { path: '/w/new', events: ['rename'], old_path: '/w/old' });
});
