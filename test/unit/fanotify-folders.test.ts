// FolderBook's exact inode keys: one handle per (dev, ino), never one for two folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBook } from '../../src/watch/fanotify/folders.js';

const how = (identity: string) => ({ isAdded: true, identity });

test('one handle per dev:ino; another device or inode is another handle', () => {
  const book = new FolderBook();
  const a = book.watch('/x', 0, how('2049:1234'));
  assert.equal(book.watch('/y', 0, how('2049:1234')), a);
  const handles = [a, book.watch('/z', 0, how('2050:1234')), book.watch('/w', 0, how('2049:1235'))];
  assert.equal(new Set(handles).size, 3);
  assert.deepEqual(book.handles().sort(), [...handles].sort());
});

test('inodes past 2^47 and a 65th device still get exact, distinct handles', () => {
  const book = new FolderBook();
  const seen = new Map<number, string>();
  const take = (identity: string): void => {
    const handle = book.watch('/x', 0, how(identity));
    const before = seen.get(handle);
    assert.ok(before === undefined || before === identity, `${identity} got ${before}'s handle`);
    seen.set(handle, identity);
    assert.equal(book.watch('/x', 0, how(identity)), handle, `${identity}: the same handle again`);
  };
  for (let dev = 1; dev <= 70; dev++) take(`${dev}:5`); // past 64 devices: the dev:ino form
  take(`1:${2 ** 47}`); // would be device 1's ino 0 as a number
  take('1:0');
  take(`2:${2 ** 47 + 5}`);
  take(`1:${2 ** 48}`);
  assert.equal(seen.size, 74);
  assert.equal(book.handles().length, 74);
});

test('unwatch forgets the folder: a folder booked again is booked afresh', () => {
  const book = new FolderBook();
  const big = book.watch('/x', 0, how(`7:${2 ** 50}`));
  const small = book.watch('/y', 0, how('7:9'));
  book.unwatch(big);
  book.unwatch(small);
  book.unwatch(small); // gone already: not an error
  assert.deepEqual(book.handles(), []);
  assert.notEqual(book.watch('/x', 0, how(`7:${2 ** 50}`)), undefined);
  assert.equal(book.handles().length, 1);
});

test('a path is booked by its own dev:ino, the same as the identity the scan gives', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'watchtab-folders-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'f'), '');
  const book = new FolderBook();
  const stats = statSync(join(dir, 'a'));
  const handle = book.watch(join(dir, 'a'), 0, { isAdded: true });
  assert.equal(book.watch('/elsewhere', 0, how(`${stats.dev}:${stats.ino}`)), handle);
  assert.throws(() => book.watch(join(dir, 'f'), 0, { isAdded: true }), /ENOTDIR|not a folder/);
});
