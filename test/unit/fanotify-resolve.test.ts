// Handle → path resolution without the kernel: the cache, whole-component filtering, folders
// made, renamed and removed, and rename pairing for kernels without FAN_RENAME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HandleCache,
  isAncestorOf,
  isAtOrUnder,
  joinName,
  rootsHolding,
  type HandleOpener,
} from '../../src/watch/fanotify/handles.js';
import { resolveEvent, type FanotifyEvent, type ResolveContext } from '../../src/watch/fanotify/resolve.js';
import { pairMoves } from '../../src/watch/fanotify/instance.js';
import type { FanotifyRecord, RawFanotifyEvent } from '../../src/watch/fanotify/decode.js';
import { FAN } from '../../src/watch/fanotify/mask.js';

const FSID = 'aa';
const h = (n: number) => Buffer.from([n]);

/** A fake kernel: handle byte → path; missing means ESTALE. Counts calls. */
function fakeOpener(paths: Map<number, string>): HandleOpener & { calls: number } {
  const opener = ((_fd: number, handle: Buffer) => {
    opener.calls++;
    const path = paths.get(handle[0] ?? -1);
    return path === undefined ? { ok: false as const, errno: 'ESTALE' } : { ok: true as const, path };
  }) as HandleOpener & { calls: number };
  opener.calls = 0;
  return opener;
}

function context(roots: string[], cache: HandleCache): ResolveContext {
  return { roots: roots.map((path) => ({ path })), cache, mountFds: (fid) => (fid.fsid === FSID ? [3] : []) };
}

const named = (
  type: 'dfid_name' | 'old_dfid_name' | 'new_dfid_name',
  dir: number,
  name: string,
): FanotifyRecord => ({ type, fid: { fsid: FSID, handle: h(dir) }, name }) as FanotifyRecord;
const fid = (n: number): FanotifyRecord => ({ type: 'fid', fid: { fsid: FSID, handle: h(n) } });
const raw = (mask: number, records: FanotifyRecord[], pid = 99): RawFanotifyEvent => ({
  mask,
  fd: -1,
  pid,
  records,
});

test('whole path components: /var/lib_x is not under /var/lib', () => {
  assert.equal(isAtOrUnder('/var/lib/a', '/var/lib'), true);
  assert.equal(isAtOrUnder('/var/lib', '/var/lib'), true);
  assert.equal(isAtOrUnder('/var/lib_x', '/var/lib'), false);
  assert.equal(isAtOrUnder('/var/li', '/var/lib'), false);
  assert.equal(isAtOrUnder('/anything', '/'), true);
  assert.deepEqual(rootsHolding('/var/lib/x', ['/var/lib/', '/var/lib_x', '/var']), ['/var/lib/', '/var']);
  assert.equal(isAncestorOf('/var', '/var/lib'), true);
  assert.equal(isAncestorOf('/var/lib', '/var/lib'), false);
  assert.equal(isAncestorOf('/va', '/var/lib'), false);
  assert.equal(joinName('/d', '.'), '/d');
  assert.equal(joinName('/', 'x'), '/x');
});

test('a folder is asked of the kernel once, then answered from the cache', () => {
  const opener = fakeOpener(new Map([[1, '/w']]));
  const cache = new HandleCache(opener);
  const ctx = context(['/w'], cache);
  const a = resolveEvent(raw(FAN.CREATE, [named('dfid_name', 1, 'a'), fid(10)], 1234), ctx);
  const b = resolveEvent(raw(FAN.MODIFY, [named('dfid_name', 1, 'b'), fid(11)]), ctx);
  assert.deepEqual(a, {
    kind: 'change',
    mask: FAN.CREATE,
    pid: 1234,
    isDir: false,
    isSelf: false,
    path: '/w/a',
    objectKey: 'aa:0a',
  });
  assert.equal((b as { path: string }).path, '/w/b');
  assert.equal(opener.calls, 1);
  assert.equal(cache.hits, 1);
});

test('events outside every root are dropped, on whole components', () => {
  const opener = fakeOpener(
    new Map([
      [1, '/var/lib'],
      [2, '/var/lib_x'],
    ]),
  );
  const ctx = context(['/var/lib'], new HandleCache(opener));
  assert.equal(resolveEvent(raw(FAN.CREATE, [named('dfid_name', 2, 'f')]), ctx), 'outside');
  assert.equal(
    (resolveEvent(raw(FAN.CREATE, [named('dfid_name', 1, 'f')]), ctx) as { path: string }).path,
    '/var/lib/f',
  );
  // The root itself, reported by its parent, is inside.
  const parent = fakeOpener(new Map([[5, '/var']]));
  const ctx2 = context(['/var/lib'], new HandleCache(parent));
  assert.equal(
    (resolveEvent(raw(FAN.DELETE | FAN.ONDIR, [named('dfid_name', 5, 'lib')]), ctx2) as { path: string })
      .path,
    '/var/lib',
  );
  assert.equal(resolveEvent(raw(FAN.DELETE | FAN.ONDIR, [named('dfid_name', 5, 'lib_x')]), ctx2), 'outside');
});

test('a folder removed before its event is read: lost unless made while watched', () => {
  const opener = fakeOpener(new Map([[1, '/w']]));
  const ctx = context(['/w'], new HandleCache(opener));
  // mkdir /w/d (handle 2), touch /w/d/f, rm -rf /w/d, all before the read: d is never resolvable,
  // but its creation told its handle's path.
  const made = resolveEvent(raw(FAN.CREATE | FAN.ONDIR, [named('dfid_name', 1, 'd'), fid(2)]), ctx);
  const inside = resolveEvent(raw(FAN.CREATE, [named('dfid_name', 2, 'f'), fid(3)]), ctx);
  const unknown = resolveEvent(raw(FAN.CREATE, [named('dfid_name', 7, 'g')]), ctx);
  assert.deepEqual(
    [made, inside].map((e) => (e as { path: string }).path),
    ['/w/d', '/w/d/f'],
  );
  assert.equal(unknown, 'lost');
  // The kernel merges mkdir and rmdir into one event queued before what was made inside.
  const merged = resolveEvent(
    raw(FAN.CREATE | FAN.DELETE | FAN.ONDIR, [named('dfid_name', 1, 'e'), fid(4)]),
    ctx,
  );
  const inMerged = resolveEvent(raw(FAN.CREATE, [named('dfid_name', 4, 'f'), fid(5)]), ctx);
  assert.deepEqual(
    [merged, inMerged].map((e) => (e as { path: string }).path),
    ['/w/e', '/w/e/f'],
  );
});

test('a folder rename gives both paths and moves what the cache knows under it', () => {
  const paths = new Map([
    [1, '/w'],
    [2, '/w/old'],
    [3, '/w/old/sub'],
  ]);
  const cache = new HandleCache(fakeOpener(paths));
  const ctx = context(['/w'], cache);
  resolveEvent(raw(FAN.CREATE, [named('dfid_name', 3, 'f')]), ctx); // caches /w/old/sub
  paths.set(2, '/w/new');
  paths.set(3, '/w/new/sub');
  const renamed = resolveEvent(
    raw(FAN.RENAME | FAN.ONDIR, [named('old_dfid_name', 1, 'old'), named('new_dfid_name', 1, 'new'), fid(2)]),
    ctx,
  );
  assert.deepEqual(renamed, {
    kind: 'change',
    mask: FAN.RENAME | FAN.ONDIR,
    pid: 99,
    isDir: true,
    isSelf: false,
    path: '/w/new',
    oldPath: '/w/old',
    objectKey: 'aa:02',
  });
  assert.equal(
    (resolveEvent(raw(FAN.CREATE, [named('dfid_name', 3, 'g')]), ctx) as { path: string }).path,
    '/w/new/sub/g',
  );
});

test('a rename into or out of the roots keeps the side that is inside', () => {
  const opener = fakeOpener(
    new Map([
      [1, '/w'],
      [2, '/elsewhere'],
    ]),
  );
  const ctx = context(['/w'], new HandleCache(opener));
  const rename = (from: number, to: number) =>
    resolveEvent(
      raw(FAN.RENAME, [named('old_dfid_name', from, 'a'), named('new_dfid_name', to, 'b')]),
      ctx,
    ) as FanotifyEvent & { path: string; oldPath?: string };
  assert.deepEqual([rename(2, 1).path, rename(2, 1).oldPath], ['/w/b', '/elsewhere/a']);
  assert.deepEqual([rename(1, 2).path, rename(1, 2).oldPath], ['/elsewhere/b', '/w/a']);
  assert.equal(
    resolveEvent(raw(FAN.RENAME, [named('old_dfid_name', 2, 'a'), named('new_dfid_name', 2, 'b')]), ctx),
    'outside',
  );
  // The old folder gone: a move into sight.
  const into = resolveEvent(
    raw(FAN.RENAME, [named('old_dfid_name', 9, 'a'), named('new_dfid_name', 1, 'b')]),
    ctx,
  );
  assert.deepEqual(into, {
    kind: 'change',
    mask: FAN.MOVED_TO,
    pid: 99,
    isDir: false,
    isSelf: false,
    path: '/w/b',
  });
});

test('moving a folder above a root away is reported: the root goes with it', () => {
  const ctx = context(['/a/b/root'], new HandleCache(fakeOpener(new Map([[1, '/a']]))));
  const e = resolveEvent(
    raw(FAN.RENAME | FAN.ONDIR, [named('old_dfid_name', 1, 'b'), named('new_dfid_name', 1, 'c')]),
    ctx,
  );
  assert.deepEqual([(e as { path: string }).path, (e as { oldPath: string }).oldPath], ['/a/c', '/a/b']);
  const file = resolveEvent(
    raw(FAN.RENAME, [named('old_dfid_name', 1, 'b'), named('new_dfid_name', 1, 'c')]),
    ctx,
  );
  assert.equal(file, 'outside');
  // A folder above a root made again: the root may be back.
  const made = resolveEvent(raw(FAN.CREATE | FAN.ONDIR, [named('dfid_name', 1, 'b')]), ctx);
  assert.equal((made as { path: string }).path, '/a/b');
  // An event on a folder itself is flagged.
  const self = resolveEvent(
    raw(FAN.ATTRIB | FAN.ONDIR, [named('dfid_name', 1, '.')]),
    context(['/a'], new HandleCache(fakeOpener(new Map([[1, '/a']])))),
  );
  assert.deepEqual([(self as { path: string }).path, (self as { isSelf: boolean }).isSelf], ['/a', true]);
});

test('overflow passes through; a file system that is not marked is outside', () => {
  const ctx = context(['/w'], new HandleCache(fakeOpener(new Map())));
  assert.deepEqual(resolveEvent(raw(FAN.Q_OVERFLOW, [], 0), ctx), { kind: 'overflow' });
  const other: FanotifyRecord = { type: 'dfid_name', fid: { fsid: 'bb', handle: h(1) }, name: 'x' };
  assert.equal(resolveEvent(raw(FAN.CREATE, [other]), ctx), 'outside');
});

test('the cache keeps at most its bound, dropping the least recently used', () => {
  const opener = fakeOpener(
    new Map([
      [1, '/1'],
      [2, '/2'],
      [3, '/3'],
    ]),
  );
  const cache = new HandleCache(opener, 2);
  cache.resolve(3, FSID, h(1));
  cache.resolve(3, FSID, h(2));
  cache.resolve(3, FSID, h(1)); // 1 is now the most recent
  cache.resolve(3, FSID, h(3)); // drops 2
  assert.equal(cache.size, 2);
  const before = opener.calls;
  cache.resolve(3, FSID, h(1));
  assert.equal(opener.calls, before);
  cache.resolve(3, FSID, h(2));
  assert.equal(opener.calls, before + 1);
});

test('moves mode: an adjacent MOVED_FROM/MOVED_TO of one process and object become one rename', () => {
  const change = (mask: number, path: string, objectKey?: string, pid = 1): FanotifyEvent => ({
    kind: 'change',
    mask,
    pid,
    isDir: false,
    isSelf: false,
    path,
    ...(objectKey === undefined ? {} : { objectKey }),
  });
  const events = pairMoves([
    change(FAN.MOVED_FROM, '/w/a', 'k1'),
    change(FAN.MOVED_TO, '/w/b', 'k1'),
    change(FAN.MOVED_FROM, '/w/c', 'k2'),
    change(FAN.MOVED_TO, '/w/d', 'k3'),
    change(FAN.MOVED_FROM, '/w/e'),
    change(FAN.MOVED_TO, '/w/f'),
    change(FAN.MOVED_FROM, '/w/g'),
    change(FAN.MOVED_TO, '/w/h', undefined, 2),
  ]);
  assert.deepEqual(
    events.map((e) => (e.kind === 'change' ? [e.mask, e.path, e.oldPath ?? null] : null)),
    [
      [FAN.RENAME, '/w/b', '/w/a'],
      [FAN.MOVED_FROM, '/w/c', null],
      [FAN.MOVED_TO, '/w/d', null],
      [FAN.RENAME, '/w/f', '/w/e'],
      [FAN.MOVED_FROM, '/w/g', null],
      [FAN.MOVED_TO, '/w/h', null],
    ],
  );
});

test('the cache keys a handle by its exact bytes per mount; another fsid on a mount is apart', () => {
  const opener = fakeOpener(new Map([[1, '/r/one']]));
  const cache = new HandleCache(opener);
  assert.deepEqual(cache.resolve(3, FSID, h(1)), { ok: true, path: '/r/one' });
  cache.resolve(3, FSID, h(1));
  assert.equal(opener.calls, 1); // a hit
  cache.resolve(3, FSID, Buffer.from([1, 0])); // other bytes (a longer handle): not a hit
  assert.equal(opener.calls, 2);
  assert.deepEqual(cache.resolve(3, 'bb', h(1)), { ok: true, path: '/r/one' }); // asked afresh
  assert.equal(opener.calls, 3);
  cache.remember(4, FSID, h(2), '/m/two');
  assert.equal(cache.pathOf(4, FSID, h(2)), '/m/two');
  assert.equal(cache.size, 4);
  cache.forgetMount(3);
  assert.equal(cache.size, 1);
  assert.equal(cache.pathOf(3, FSID, h(9)), null);
});

test('the bound is on all mounts together; a small mount keeps its newest entry', () => {
  const cache = new HandleCache(fakeOpener(new Map()), 3);
  cache.remember(3, FSID, h(1), '/a/1');
  cache.remember(3, FSID, h(2), '/a/2');
  cache.remember(3, FSID, h(3), '/a/3');
  cache.remember(4, FSID, h(1), '/b/1'); // over the bound: the largest mount's oldest goes
  assert.equal(cache.size, 3);
  assert.equal(cache.pathOf(4, FSID, h(1)), '/b/1');
  assert.equal(cache.pathOf(3, FSID, h(1)), null);
  assert.equal(cache.pathOf(3, FSID, h(3)), '/a/3');
});
