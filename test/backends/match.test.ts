// The pure parts every back-end shares: scope matching on whole components, state diffs, move pairing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScope, depthBelow, parentOf, recursiveSpec } from '../../src/watch/match.js';
import { isWithin } from '../../src/watchtab/path-pattern.js';
import { diffStates } from '../../src/watch/kernel/scan.js';
import type { PathState } from '../../src/watch/path-state.js';
import { MovePairer } from '../../src/watch/inotify/rename.js';

test('containment is on whole path components', () => {
  assert.equal(isWithin('/var/lib/x', '/var/lib'), true);
  assert.equal(isWithin('/var/lib', '/var/lib'), true);
  assert.equal(isWithin('/var/lib_x', '/var/lib'), false);
  assert.equal(isWithin('/var/lib_x/y', '/var/lib'), false);
  assert.equal(isWithin('/etc', '/'), true);
  assert.equal(depthBelow('/a/b/c', '/a'), 2);
  assert.equal(depthBelow('/ab/c', '/a'), -1);
  assert.equal(parentOf('/a'), '/');
});

test('a glob reports matching paths and watches folders only as deep as it can match', () => {
  const scope = compileScope({ kind: 'glob', base: '/srv/site', pattern: '/srv/site/*/*.md', maxDepth: 2 }, [
    '/srv/site/**/.git/**',
  ]);
  assert.equal(scope.anchor, '/srv/site');
  assert.equal(scope.isReported('/srv/site/docs/a.md'), true);
  assert.equal(scope.isReported('/srv/site/docs/a.txt'), false);
  assert.equal(scope.isReported('/srv/site_x/docs/a.md'), false);
  assert.equal(scope.isWatchedDir('/srv/site'), true);
  assert.equal(scope.isWatchedDir('/srv/site/docs'), true);
  assert.equal(scope.isWatchedDir('/srv/site/docs/deeper'), false);
  assert.equal(scope.isWatchedDir('/srv/site/.git'), false);
  assert.equal(scope.isWatchedDir('/srv/site_x'), false);
});

test('dot files match; excluded folders are not watched; a recursive spec covers everything below', () => {
  const scope = compileScope(recursiveSpec('/w/'), ['/w/**/node_modules/**', '/w/**/*.tmp']);
  assert.equal(scope.isReported('/w/.hidden'), true);
  assert.equal(scope.isReported('/w/a/x.tmp'), false);
  assert.equal(scope.isWatchedDir('/w/a/node_modules'), false);
  assert.equal(scope.isWatchedDir('/w/a/b/c/d'), true);
  const odd = compileScope(recursiveSpec('/w/[x]'), []);
  assert.equal(odd.isReported('/w/[x]/f'), true, 'glob characters of the folder are literal');
});

test('an exact path reports itself and its direct children, watched through its parent', () => {
  const scope = compileScope({ kind: 'exact', path: '/etc/nginx' }, []);
  assert.equal(scope.anchor, '/etc');
  assert.equal(scope.isReported('/etc/nginx'), true);
  assert.equal(scope.isReported('/etc/nginx/nginx.conf'), true);
  assert.equal(scope.isReported('/etc/nginx/sites/x'), false);
  assert.equal(scope.isReported('/etc/nginx2'), false);
  assert.equal(scope.isWatchedDir('/etc'), true);
  assert.equal(scope.isWatchedDir('/etc/nginx'), true);
  assert.equal(scope.isWatchedDir('/etc/nginx/sites'), false);
});

const st = (over: Partial<PathState>): PathState => ({
  type: 'file',
  ino: 1,
  size: 1,
  mtimeMs: 1,
  ctimeMs: 1,
  nlink: 1,
  hash: null,
  ...over,
});

test('a state diff gives create, delete, write, extend, link and attrib', () => {
  const before = new Map([
    ['/a', st({})],
    ['/b', st({ ino: 2 })],
    ['/c', st({ ino: 3 })],
    ['/d', st({ ino: 4 })],
    ['/e', st({ ino: 5 })],
  ]);
  const now = new Map([
    ['/a', st({ size: 5, mtimeMs: 2 })],
    ['/c', st({ ino: 3, nlink: 2 })],
    ['/d', st({ ino: 9 })],
    ['/e', st({ ino: 5, mtimeMs: 7 })],
    ['/f', st({ ino: 6, type: 'dir' })],
  ]);
  assert.deepEqual(
    diffStates(before, now).map((c) => `${c.event} ${c.path}`),
    [
      'delete /b',
      'extend /a',
      'write /a',
      'close_write /a',
      'link /c',
      'write /d', // replaced under its name (a save by rename): its content changed
      'close_write /d',
      'write /e', // without a hash, another mtime may be another content
      'close_write /e',
      'create /f',
    ],
  );
  const same = new Map([['/a', st({ hash: 'h', mtimeMs: 2 })]]);
  assert.deepEqual(
    diffStates(new Map([['/a', st({ hash: 'h' })]]), same).map((c) => c.event),
    [],
    'content-only: a file rewritten with the same content is nothing',
  );
  const chmodded = new Map([['/a', st({ ctimeMs: 5 })]]);
  assert.deepEqual(
    diffStates(new Map([['/a', st({})]]), chmodded).map((c) => c.event),
    ['attrib'],
    'a change of metadata alone (mode, owner) is attrib',
  );
  const touched = new Map([['/a', st({ mtimeMs: 9, ctimeMs: 9 })]]);
  assert.deepEqual(
    diffStates(new Map([['/a', st({})]]), touched).map((c) => c.event),
    ['write', 'close_write'],
    'without a hash, new times may be new content',
  );
});

test('moves pair by cookie; a half followed by another event, or left alone, is unpaired', async () => {
  const unpaired: string[] = [];
  const pairer = new MovePairer<string>(5, (v) => unpaired.push(v));
  pairer.from(7, 'a');
  assert.equal(pairer.to(7), 'a');
  pairer.from(8, 'b');
  pairer.other();
  assert.deepEqual(unpaired, ['b']);
  assert.equal(pairer.to(9), null, 'a move in');
  pairer.from(10, 'c');
  pairer.endOfBatch();
  assert.equal(pairer.to(10), 'c', 'paired across reads');
  pairer.from(11, 'd');
  pairer.endOfBatch();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(unpaired, ['b', 'd']);
});
