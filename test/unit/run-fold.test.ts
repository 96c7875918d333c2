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
  assert.deepEqual(fold.summary(), {
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
