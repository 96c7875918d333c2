// Folding triggers into one run: distinct paths, their events, renames and when they came.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fold } from '../../src/run/fold.js';

test('a fold counts distinct paths and reports the last path with all its events in EVENT_NAMES order', () => {
  const fold = new Fold({ path: '/w/a', event: 'close_write' }, 100);
  fold.add({ path: '/w/b', event: 'create' });
  fold.add({ path: '/w/a', event: 'write' });
  fold.add({ path: '/w/b', event: 'delete' });
  fold.add({ path: '/w/a', event: 'create' });
  fold.add({ path: '/w/a', event: 'write' });
  assert.equal(fold.firstAt, 100);
  const { folded, ...summary } = fold.summary();
  assert.deepEqual(
    [...folded].map((p) => p.path),
    ['/w/a', '/w/b'],
  );
  assert.deepEqual(summary, {
    path: '/w/a',
    events: ['create', 'write', 'close_write'],
    oldPath: null,
    count: 2,
    triggers: 6,
  });
});

test('a rename hands over the old name of the last path, and only for that path', () => {
  const fold = new Fold({ path: '/w/new', event: 'rename', oldPath: '/w/old' }, 0);
  assert.equal(fold.summary().oldPath, '/w/old');
  fold.add({ path: '/w/other', event: 'write' });
  assert.equal(fold.summary().oldPath, null);
  fold.add({ path: '/w/new', event: 'close_write' });
  assert.deepEqual(fold.summary().events, ['close_write', 'rename']);
  assert.equal(fold.summary().oldPath, '/w/old');
});

test('every distinct path is listed once, in the order first seen, with all its events and its old name', () => {
  const fold = new Fold({ path: '/w/c', event: 'create' }, 0);
  fold.add({ path: '/w/a', event: 'write' }, 5);
  fold.add({ path: '/w/c', event: 'close_write' }, 6);
  fold.add({ path: '/w/new', event: 'rename', oldPath: '/w/old' }, 7);
  fold.add({ path: '/w/a', event: 'close_write' }, 8);
  fold.add({ path: '/w/b', event: 'delete' }, 9);
  assert.deepEqual(
    [...fold.summary().folded],
    [
      { path: '/w/c', events: ['create', 'close_write'], oldPath: null },
      { path: '/w/a', events: ['write', 'close_write'], oldPath: null },
      { path: '/w/new', events: ['rename'], oldPath: '/w/old' },
      { path: '/w/b', events: ['delete'], oldPath: null },
    ],
  );
  assert.equal(fold.summary().path, '/w/b');
});

test('the fold remembers when its first and its latest trigger came; a late-stamped add never moves it back', () => {
  const fold = new Fold({ path: '/w/a', event: 'write' }, 100);
  assert.equal(fold.lastAt, 100);
  fold.add({ path: '/w/b', event: 'write' }, 250);
  assert.equal(fold.lastAt, 250);
  fold.add({ path: '/w/c', event: 'write' }, 200);
  assert.equal(fold.lastAt, 250);
  assert.equal(fold.firstAt, 100);
});

test('a listing read twice gives the same paths: the summary reads the fold, it does not consume it', () => {
  const fold = new Fold({ path: '/w/a', event: 'write' }, 0);
  fold.add({ path: '/w/b', event: 'write' });
  const { folded } = fold.summary();
  assert.deepEqual(
    [...folded].map((p) => p.path),
    ['/w/a', '/w/b'],
  );
  assert.deepEqual(
    [...folded].map((p) => p.path),
    ['/w/a', '/w/b'],
  );
});
