// Choosing a back-end per entry: the file system, a forced choice, fanotify when it helps, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fsTypeNear, selectBackend, withoutFfi } from '../../src/watch/select.js';
import { fsTypeInfo } from '../../src/watch/fs-type.js';

const NFS = 0x6969;
const FUSE = 0x65735546;
const EXT4 = 0xef53;

test('auto polls network and user-space file systems, saying why, and watches local ones natively', () => {
  const nfs = selectBackend('auto', '/mnt/share', fsTypeInfo(NFS));
  assert.equal(nfs.backend, 'poll');
  assert.match(nfs.reason, /\/mnt\/share is on nfs/);
  assert.equal(selectBackend('auto', '/mnt/fuse', fsTypeInfo(FUSE)).backend, 'poll');
  const local = selectBackend('auto', '/srv', fsTypeInfo(EXT4));
  assert.equal(local.backend, 'inotify');
  assert.match(local.reason, /local/);
});

test('a forced back-end wins over the file system', () => {
  assert.equal(selectBackend('poll', '/srv', fsTypeInfo(EXT4)).backend, 'poll');
  assert.equal(selectBackend('inotify', '/mnt/share', fsTypeInfo(NFS)).backend, 'inotify');
});

test('an unknown file-system type is watched natively, and the reason says so', () => {
  const s = selectBackend('auto', '/x', new Error('EACCES'));
  assert.equal(s.backend, 'inotify');
  assert.match(s.reason, /unknown \(EACCES\)/);
});

test("the file system of a path that does not exist yet is its nearest existing ancestor's", () => {
  const near = fsTypeNear('/proc/self/no/such/folder');
  assert.ok(!(near instanceof Error), String(near));
  assert.equal(near.name, 'proc');
});

test('auto takes fanotify for a recursive entry or one ignoring its own changes, when available, saying why', () => {
  const recursive = { isRecursive: true, ignoresOwnChanges: false };
  const own = { isRecursive: false, ignoresOwnChanges: true };
  const single = { isRecursive: false, ignoresOwnChanges: false };
  const tree = selectBackend('auto', '/srv', fsTypeInfo(EXT4), recursive, 'available');
  assert.equal(tree.backend, 'fanotify');
  assert.match(tree.reason, /recursive/);
  const loop = selectBackend('auto', '/srv', fsTypeInfo(EXT4), own, 'available');
  assert.equal(loop.backend, 'fanotify');
  assert.match(loop.reason, /ignore-own-changes/);
  assert.equal(selectBackend('auto', '/srv', fsTypeInfo(EXT4), single, 'available').backend, 'inotify');
  const refused = selectBackend(
    'auto',
    '/srv',
    fsTypeInfo(EXT4),
    recursive,
    new Error('fanotify_init: EPERM'),
  );
  assert.equal(refused.backend, 'inotify');
  assert.match(refused.reason, /not available \(fanotify_init: EPERM\): inotify/);
  assert.equal(
    selectBackend('auto', '/mnt', fsTypeInfo(NFS), recursive, 'available').backend,
    'poll',
    'NFS still polls',
  );
  assert.equal(selectBackend('inotify', '/srv', fsTypeInfo(EXT4), recursive, 'available').backend, 'inotify');
});

test("without ffi-rs, chokidar stands in for inotify and for auto's fanotify; polling and a fanotify asked by name stay", () => {
  const noFfi = new Error('ffi-rs cannot be loaded on this system (no binding)');
  const recursive = { isRecursive: true, ignoresOwnChanges: false };
  const local = withoutFfi(selectBackend('auto', '/srv', fsTypeInfo(EXT4)), 'auto', noFfi);
  assert.equal(local.backend, 'chokidar');
  assert.match(local.reason, /ffi-rs cannot be loaded.*chokidar/);
  const tree = selectBackend('auto', '/srv', fsTypeInfo(EXT4), recursive, 'available');
  assert.equal(withoutFfi(tree, 'auto', noFfi).backend, 'chokidar');
  assert.equal(
    withoutFfi(selectBackend('inotify', '/srv', fsTypeInfo(EXT4)), 'inotify', noFfi).backend,
    'chokidar',
  );
  const nfs = selectBackend('auto', '/mnt', fsTypeInfo(NFS), recursive, 'available');
  assert.equal(withoutFfi(nfs, 'auto', noFfi).backend, 'poll', 'NFS is still polled');
  const named = selectBackend('fanotify', '/srv', fsTypeInfo(EXT4));
  assert.equal(withoutFfi(named, 'fanotify', noFfi).backend, 'fanotify', 'refused later, with its reason');
  assert.deepEqual(withoutFfi(tree, 'auto', null), tree, 'with ffi-rs nothing changes');
});
