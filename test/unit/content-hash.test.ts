// content-only's hash on real files: what a user can put in a file's place (a FIFO, a symbolic
// link, a huge sparse file, another inode) gives no hash, at once, instead of blocking or reading it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HASH_MAX_BYTES, hashContent, withContentHash } from '../../src/watch/kernel/content-hash.js';
import { readState } from '../../src/watch/path-state.js';
import { tempDir } from '../helpers/temp.js';

const sha1 = (text: string | Buffer): string => createHash('sha1').update(text).digest('hex');
const ino = (path: string): number => lstatSync(path).ino;

test('a regular file is hashed only while it is the inode looked at', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'f');
  writeFileSync(file, 'hello');
  assert.equal(await hashContent(file, statSync(file).ino), sha1('hello'));
  assert.equal(await hashContent(file, statSync(file).ino + 1), null, 'another inode than the one looked at');
  assert.equal(readState(file)?.hash, null, 'reading the state never reads the content');
});

test('a FIFO in the file place gives no hash and does not block', async (t) => {
  const dir = await tempDir(t);
  const fifo = join(dir, 'p');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) return t.skip('mkfifo is not available here');
  // Without O_NONBLOCK this open would wait for a writer for ever, and the test would time out.
  assert.equal(await hashContent(fifo, ino(fifo)), null);
  assert.equal(readState(fifo)?.type, 'other');
});

test('a symbolic link is not followed, even to a readable file', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(join(dir, 'secret'), 'root only');
  symlinkSync(join(dir, 'secret'), join(dir, 'link'));
  assert.equal(await hashContent(join(dir, 'link'), ino(join(dir, 'link'))), null);
  assert.equal(await hashContent(join(dir, 'link'), ino(join(dir, 'secret'))), null);
});

test('a file over the bound is not read: its change counts on size and times alone', async (t) => {
  const dir = await tempDir(t);
  const big = join(dir, 'big');
  writeFileSync(big, '');
  truncateSync(big, 20 * 1024 ** 3); // 20 GiB, sparse: reading it would take a minute
  assert.equal(await hashContent(big, ino(big)), null);
  const atBound = join(dir, 'at-bound');
  const content = Buffer.alloc(HASH_MAX_BYTES, 7);
  writeFileSync(atBound, content);
  assert.equal(
    await hashContent(atBound, ino(atBound)),
    sha1(content),
    'a file of exactly the bound is hashed',
  );
});

test('a name that is not UTF-8 is opened by its own bytes', async (t) => {
  const dir = await tempDir(t);
  const raw = Buffer.concat([Buffer.from(`${dir}/x`), Buffer.of(0xff)]);
  writeFileSync(raw, 'bytes');
  const name = `${dir}/x\udcff`; // the lossless decoding of x\xff (system/path-bytes.ts)
  assert.equal(await hashContent(name, lstatSync(raw).ino), sha1('bytes'));
});

test('a scan of more files than the flood bound hashes every one; a flood of event hashes is cut', async (t) => {
  const dir = await tempDir(t);
  const files = Array.from({ length: 1500 }, (_, i) => join(dir, `f${i}`));
  files.forEach((f, i) => writeFileSync(f, `content ${i}\n`));
  const states = files.map((f) => readState(f));
  const scanned = await Promise.all(
    files.map((f, i) => {
      const state = states[i];
      assert.ok(state !== null && state !== undefined);
      return withContentHash(f, state, undefined);
    }),
  );
  assert.equal(scanned.filter((s) => s.hash === null).length, 0, 'every scanned file has its hash');
  const expected = createHash('sha1').update('content 7\n').digest('hex');
  assert.equal(scanned[7]?.hash, expected);
  // Events beyond the bound (1,024 waiting) count as changed at once: some come back null.
  const flooded = await Promise.all(files.map((f, i) => hashContent(f, states[i]?.ino ?? 0)));
  assert.ok(
    flooded.some((h) => h === null),
    'event hashes beyond the bound are given up',
  );
  assert.ok(
    flooded.some((h) => h !== null),
    'event hashes within the bound are taken',
  );
});
