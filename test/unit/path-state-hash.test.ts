// content-only's hash on real files: what a user can put in a file's place (a FIFO, a symbolic
// link, a huge sparse file, another inode) gives no hash, at once, instead of blocking or reading it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HASH_MAX_BYTES, hashFile, readState } from '../../src/watch/path-state.js';
import { tempDir } from '../helpers/temp.js';

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

test('a regular file is hashed; the same inode is checked when asked', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'f');
  writeFileSync(file, 'hello');
  assert.equal(hashFile(file), sha1('hello'));
  assert.equal(hashFile(file, statSync(file).ino), sha1('hello'));
  assert.equal(hashFile(file, statSync(file).ino + 1), null, 'another inode than the one looked at');
  assert.equal(readState(file, true)?.hash, sha1('hello'));
});

test('a FIFO in the file place gives no hash and does not block', async (t) => {
  const dir = await tempDir(t);
  const fifo = join(dir, 'p');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) return t.skip('mkfifo is not available here');
  // Without O_NONBLOCK this open would wait for a writer for ever, and the test would time out.
  assert.equal(hashFile(fifo), null);
  assert.equal(readState(fifo, true)?.type, 'other');
});

test('a symbolic link is not followed, even to a readable file', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(join(dir, 'secret'), 'root only');
  symlinkSync(join(dir, 'secret'), join(dir, 'link'));
  assert.equal(hashFile(join(dir, 'link')), null);
  assert.equal(readState(join(dir, 'link'), true)?.hash, null);
});

test('a file over the bound is not read: its change counts on size and times alone', async (t) => {
  const dir = await tempDir(t);
  const big = join(dir, 'big');
  writeFileSync(big, '');
  truncateSync(big, 20 * 1024 ** 3); // 20 GiB, sparse: reading it would take a minute
  assert.equal(hashFile(big), null);
  const atBound = join(dir, 'at-bound');
  writeFileSync(atBound, Buffer.alloc(HASH_MAX_BYTES));
  assert.notEqual(hashFile(atBound), null, 'a file of exactly the bound is hashed');
});
