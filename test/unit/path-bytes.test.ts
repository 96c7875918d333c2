// The lossless mapping between file-name bytes and strings (system/path-bytes.ts), byte by byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFsBytes,
  encodeFsBytes,
  escapePath,
  hasEscapedBytes,
  toFsPath,
} from '../../src/system/path-bytes.js';

const bytes = (...b: number[]) => Buffer.from(b);

test('valid UTF-8 decodes as itself and goes to fs as a string', () => {
  for (const name of ['plain', 'café-日本', 'a\uFFFDb', '😀 emoji', 'back\\slash']) {
    const decoded = decodeFsBytes(Buffer.from(name, 'utf8'));
    assert.equal(decoded, name);
    assert.equal(hasEscapedBytes(decoded), false);
    assert.equal(toFsPath(decoded), name);
  }
});

test('each byte outside a valid sequence becomes U+DC80+byte; the rest decodes', () => {
  assert.equal(decodeFsBytes(bytes(0x78, 0xff)), 'x\uDCFF');
  assert.equal(decodeFsBytes(bytes(0xc3, 0xa9, 0xe9)), 'é\uDCE9'); // valid é, then Latin-1 é
  assert.equal(decodeFsBytes(bytes(0xc0, 0x80)), '\uDCC0\uDC80'); // overlong NUL
  assert.equal(decodeFsBytes(bytes(0xed, 0xa0, 0x80)), '\uDCED\uDCA0\uDC80'); // an encoded surrogate
  assert.equal(decodeFsBytes(bytes(0xf4, 0x90, 0x80, 0x80)), '\uDCF4\uDC90\uDC80\uDC80'); // > U+10FFFF
  assert.equal(decodeFsBytes(bytes(0xe6, 0x97)), '\uDCE6\uDC97'); // a truncated sequence
  assert.equal(decodeFsBytes(bytes(0xf0, 0x9f, 0x98, 0x80, 0xfe)), '😀\uDCFE');
});

test('the mapping round-trips every byte string, so two names never fold into one', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const seen = new Map<string, string>();
  for (let i = 0; i < 20_000; i++) {
    const raw = Buffer.from(
      Array.from({ length: 1 + (next() % 6) }, () => (next() % 2 ? next() : 0x80 + (next() % 64))),
    );
    const decoded = decodeFsBytes(raw);
    assert.deepEqual(encodeFsBytes(decoded), raw, raw.toString('hex'));
    const other = seen.get(decoded);
    assert.ok(
      other === undefined || other === raw.toString('hex'),
      `${other} and ${raw.toString('hex')} fold`,
    );
    seen.set(decoded, raw.toString('hex'));
  }
});

test('toFsPath gives the exact bytes of a path holding escaped bytes', () => {
  const path = `/w/${decodeFsBytes(bytes(0x64, 0xff))}/f`;
  assert.deepEqual(toFsPath(path), Buffer.concat([Buffer.from('/w/d'), bytes(0xff), Buffer.from('/f')]));
});

test('the escaped form: \\\\ for a backslash, \\xHH for each byte that is not UTF-8', () => {
  assert.equal(escapePath('/w/plain'), '/w/plain');
  assert.equal(escapePath('/w/a\\b'), '/w/a\\\\b');
  assert.equal(escapePath(`/w/${decodeFsBytes(bytes(0x78, 0xff, 0x5c, 0x0a))}`), '/w/x\\xff\\\\\n');
  assert.equal(escapePath('/w/😀\uFFFD'), '/w/😀\uFFFD');
  // Distinct names give distinct escaped forms, and a literal "\xff" is not the byte 0xff.
  assert.notEqual(escapePath('/w/x\\xff'), escapePath('/w/x\uDCFF'));
});
