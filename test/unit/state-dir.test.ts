// The state folder on a real file system: made 0700, refused when others could write it, written atomically, links refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openStateDir, StateDirError } from '../../src/system/state-dir.js';
import { identityOf, isSameProcess, parseStartTime } from '../../src/system/proc-start.js';
import { parseRecords } from '../../src/run/run-records.js';
import { tempDir } from '../helpers/temp.js';

test('a missing state folder is made 0700, with its parents; writes replace whole files and leave no temp file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a', 'b', 'state');
  const state = await openStateDir(path);
  assert.equal((await stat(path)).mode & 0o777, 0o700);
  assert.equal(await state.read('runs.json'), null);
  await state.write('runs.json', 'one');
  await state.write('runs.json', 'two');
  assert.equal(await state.read('runs.json'), 'two');
  assert.deepEqual(await readdir(path), ['runs.json']);
  assert.equal((await stat(join(path, 'runs.json'))).mode & 0o777, 0o600);
  await assert.rejects(state.write('../escape', 'x'), /bad state file name/);
});

test('a folder others can write, or a path that is a file, is refused with the reason', async (t) => {
  const dir = await tempDir(t);
  const open = join(dir, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  await assert.rejects(
    openStateDir(open),
    (e: unknown) => e instanceof StateDirError && /writable by group or others/.test(e.message),
  );
  await writeFile(join(dir, 'file'), '');
  await assert.rejects(openStateDir(join(dir, 'file')), /is not a folder/);
  await assert.rejects(openStateDir(join(dir, 'file', 'under')), /cannot be made \(ENOTDIR\)/);
});

test('a state file that is a symbolic link is not followed', async (t) => {
  const dir = await tempDir(t);
  const state = await openStateDir(join(dir, 'state'));
  await writeFile(join(dir, 'secret'), 'secret');
  await symlink(join(dir, 'secret'), join(dir, 'state', 'runs.json'));
  await assert.rejects(state.read('runs.json'), /cannot be read \(ELOOP\)/);
  await state.write('runs.json', 'mine');
  assert.equal(await state.read('runs.json'), 'mine', 'the link is replaced, not written through');
});

test('a process is known by its start time: this one matches, a changed start time does not', () => {
  const me = identityOf(process.pid);
  assert.ok(me !== null && /^\d+$/.test(me.startTime));
  assert.ok(isSameProcess(me));
  assert.equal(isSameProcess({ ...me, startTime: `${me.startTime}1` }), false);
  assert.equal(isSameProcess({ ...me, bootId: 'another boot' }), false);
  // A command name with spaces and parentheses does not shift the fields.
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  assert.equal(parseStartTime(`12 (a) b (c) ${fields.join(' ')}`), '22');
});

test('records that are not well formed are left out', () => {
  const good = { entry: 'e', pid: 5, pgid: 5, startTime: '9', bootId: 'b', startedAt: 1 };
  assert.deepEqual(parseRecords(JSON.stringify({ runs: [good, { ...good, pid: -1 }, { entry: 3 }, null] })), [
    good,
  ]);
  assert.deepEqual(parseRecords('{"runs": 3}'), []);
  assert.throws(() => parseRecords('not json'));
});
