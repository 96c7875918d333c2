// The background walk's fresh books: what an entry found by the walk with a ctime near the mark
// means when its event comes (the kernel's ctime lags the real time by up to a clock tick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackgroundWalk } from '../../src/watch/kernel/background-walk.js';
import type { PathState } from '../../src/watch/path-state.js';

const MARK_MS = 1_700_000_000_000.4;

function walk(): BackgroundWalk {
  const hooks = { watchDir: () => false, isReported: () => true, isWatchedDir: () => true };
  return new BackgroundWalk('/w', hooks, () => undefined, null, MARK_MS);
}

const file = (ctimeMs: number): PathState => ({
  type: 'file',
  ino: 7,
  size: 1,
  mtimeMs: ctimeMs,
  ctimeMs,
  nlink: 1,
  hash: null,
});

test('a file stamped a few ms before the mark still gets its create (coarse ctime)', () => {
  const w = walk();
  // Made just after the mark, stamped 2.8 ms before it by the coarse clock (seen on this kernel).
  assert.equal(w.markFresh('/w/a', file(MARK_MS - 2.8)), false, 'not surely after: hashed, kept');
  assert.deepEqual(w.takeFresh('/w/a', true, false), ['/w/a'], 'its create forgets what the walk read');
  assert.deepEqual(w.takeFresh('/w/a', true, false), [], 'once');
});

test('a file stamped just before the mark keeps the walk look for a write (no extra change)', () => {
  const w = walk();
  assert.equal(w.markFresh('/w/b', file(MARK_MS - 2.8)), false);
  assert.deepEqual(w.takeFresh('/w/b', false, false), [], 'a write is judged against the walk look');
  assert.deepEqual(w.takeFresh('/w/b', true, false), [], 'and the mark is gone after the first event');
});

test('a file changed surely after the mark is forgotten at any event; one long before never', () => {
  const w = walk();
  assert.equal(w.markFresh('/w/c', file(MARK_MS + 5)), true);
  assert.equal(w.markFresh('/w/old', file(MARK_MS - 60_000)), false);
  assert.deepEqual(w.takeFresh('/w/c', false, false), ['/w/c']);
  assert.deepEqual(w.takeFresh('/w/old', true, false), [], 'not near the mark: nothing to forget');
});

test("a folder's create forgets every entry below it found near the mark", () => {
  const w = walk();
  w.markFresh('/w/d/x', file(MARK_MS - 1));
  w.markFresh('/w/d/y', file(MARK_MS + 1));
  w.markFresh('/w/e', file(MARK_MS - 1));
  assert.deepEqual(w.takeFresh('/w/d', true, true).sort(), ['/w/d/x', '/w/d/y']);
  assert.deepEqual(w.takeFresh('/w/e', false, false), []);
});

test('only a folder create looks below the path; a file event looks at its own mark only', () => {
  const w = walk();
  w.markFresh('/w/f/x', file(MARK_MS + 1));
  assert.deepEqual(w.takeFresh('/w/f', false, true), [], 'a write to the folder takes nothing below');
  assert.deepEqual(w.takeFresh('/w/f', true, false), [], 'a file create named like it neither');
  assert.deepEqual(w.takeFresh('/w/f', true, true), ['/w/f/x']);
});
