// The catch-up state file and the catch-up diff: hostile names round-trip byte-exact, a torn or
// foreign file is refused, and each kind of change gets the contract's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeKnown, encodeKnown, StateFileError } from '../../src/daemon/catch-up/state-file.js';
import { catchUpChanges } from '../../src/watch/catch-up-diff.js';
import type { PathState } from '../../src/watch/path-state.js';

const file = (over: Partial<PathState> = {}): PathState => ({
  type: 'file',
  ino: 1234567,
  size: 10,
  mtimeMs: 1764541557123.4568,
  ctimeMs: 1764541557123.4568,
  nlink: 1,
  hash: null,
  ...over,
});

test('a state file round-trips every field and hostile names exactly', async () => {
  const states = new Map<string, PathState>([
    ['/w/a', file()],
    ['/w/a\tb\nc\r%0a%', file({ ino: 2, size: 0, ctimeMs: 1764541557999.25, nlink: 3 })],
    ['/w/\u{1F600}', file({ ino: 3, hash: 'a'.repeat(40) })],
    ['/w/\u{1F601}', file({ ino: 4, type: 'symlink' })],
    ['/w/dir', file({ ino: 5, type: 'dir', size: 4096 })],
    ['/w/fifo', file({ ino: Number.MAX_SAFE_INTEGER, type: 'other' })],
  ]);
  const key = JSON.stringify({ name: 'site\tx', paths: [{ kind: 'exact', path: '/w' }] });
  const decoded = await decodeKnown(await encodeKnown({ key, states }));
  assert.equal(decoded.key, key);
  assert.deepEqual(new Map([...decoded.states].sort()), new Map([...states].sort()));
});

test('a torn, foreign or tampered file is refused, never half-read', async () => {
  const bytes = await encodeKnown({
    key: 'k',
    states: new Map([
      ['/w/a', file()],
      ['/w/b', file()],
    ]),
  });
  const text = (await import('node:zlib')).gunzipSync(bytes).toString('utf8');
  const torn = text.split('\n').slice(0, -2).join('\n') + '\n';
  const cases: Buffer[] = [
    Buffer.from('not gzip'),
    bytes.subarray(0, bytes.length - 6),
    gzipSync(torn),
    gzipSync('something else\t1\nk\n/w/a\n'),
    gzipSync(text.replace('\tf\t', '\tq\t')),
    gzipSync(text.replace('\t2\n', '\t9\n')),
    gzipSync(text.replace('3\tb', '9\tb')),
  ];
  for (const bad of cases) await assert.rejects(decodeKnown(bad), StateFileError);
});

test('the catch-up diff gives new, rewritten, gone and metadata-only paths their events', () => {
  const before = new Map<string, PathState>([
    ['/w/same', file()],
    ['/w/written', file()],
    ['/w/gone', file()],
    ['/w/chmod', file()],
    ['/w/replaced', file()],
    ['/w/dir', file({ type: 'dir' })],
  ]);
  const now = new Map<string, PathState>([
    ['/w/same', file()],
    ['/w/written', file({ size: 11, mtimeMs: 1, ctimeMs: 1 })],
    ['/w/chmod', file({ ctimeMs: 2 })],
    ['/w/replaced', file({ ino: 99 })],
    ['/w/dir', file({ type: 'dir', mtimeMs: 5, ctimeMs: 5 })],
    ['/w/new', file()],
    ['/w/newdir', file({ type: 'dir' })],
  ]);
  assert.deepEqual(catchUpChanges(before, now), [
    { path: '/w/gone', events: ['delete'] },
    { path: '/w/written', events: ['write', 'close_write'] },
    { path: '/w/chmod', events: ['attrib'] },
    { path: '/w/replaced', events: ['write', 'close_write'] },
    { path: '/w/new', events: ['create', 'write', 'close_write'] },
    { path: '/w/newdir', events: ['create'] },
  ]);
});

test('with hashes on both sides, content decides: a same-content rewrite is nothing, a new hash is a write', () => {
  const h = (c: string) => c.repeat(40);
  const before = new Map([
    ['/w/touched', file({ hash: h('a') })],
    ['/w/changed', file({ hash: h('a') })],
  ]);
  const now = new Map([
    ['/w/touched', file({ hash: h('a'), ino: 7, mtimeMs: 9, ctimeMs: 9 })],
    ['/w/changed', file({ hash: h('b') })],
  ]);
  assert.deepEqual(catchUpChanges(before, now), [{ path: '/w/changed', events: ['write', 'close_write'] }]);
});
