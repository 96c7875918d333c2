// Pure steps of the fanotify back-end: merged masks split back into inotify's order, and the
// session of the process that made a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unmerge } from '../../src/watch/fanotify/backend.js';
import { parseSessionId, sessionOf } from '../../src/system/proc-session.js';
import { FAN, fanMaskNames } from '../../src/watch/fanotify/mask.js';
import { tempDir } from '../helpers/temp.js';

const names = (masks: number[]) => masks.map(fanMaskNames);

test('a merged creation comes first, then what followed it', () => {
  assert.deepEqual(names(unmerge(FAN.CREATE | FAN.MODIFY | FAN.CLOSE_WRITE, '/nonexistent/x')), [
    'FAN_CREATE',
    'FAN_MODIFY|FAN_CLOSE_WRITE',
  ]);
  assert.deepEqual(names(unmerge(FAN.MODIFY | FAN.CLOSE_WRITE, '/nonexistent/x')), [
    'FAN_MODIFY|FAN_CLOSE_WRITE',
  ]);
  assert.deepEqual(names(unmerge(FAN.CREATE | FAN.ONDIR, '/nonexistent/x')), ['FAN_CREATE|FAN_ONDIR']);
});

test('created and removed: the order is told by whether the path exists now', async (t) => {
  const dir = await tempDir(t);
  const gone = join(dir, 'gone');
  const back = join(dir, 'back');
  await writeFile(back, 'x');
  assert.deepEqual(names(unmerge(FAN.CREATE | FAN.DELETE | FAN.CLOSE_WRITE, gone)), [
    'FAN_CREATE',
    'FAN_CLOSE_WRITE',
    'FAN_DELETE',
  ]);
  assert.deepEqual(names(unmerge(FAN.CREATE | FAN.DELETE | FAN.CLOSE_WRITE, back)), [
    'FAN_DELETE',
    'FAN_CREATE',
    'FAN_CLOSE_WRITE',
  ]);
  assert.deepEqual(names(unmerge(FAN.CREATE | FAN.DELETE | FAN.ONDIR, gone)), [
    'FAN_CREATE|FAN_ONDIR',
    'FAN_DELETE|FAN_ONDIR',
  ]);
});

test('the session id is field 6 of /proc/PID/stat, whatever the command name holds', () => {
  assert.equal(parseSessionId('1234 (node) S 1 1234 777 0 -1 4194560 1000'), 777);
  assert.equal(parseSessionId('1234 (a) b (c) d) R 1 2 3 4'), 3);
  assert.equal(parseSessionId('garbage'), null);
  assert.equal(sessionOf(0), null);
  assert.equal(sessionOf(2 ** 22 + 1), null, 'no such process');
});

test('sessionOf agrees with ps for this process and for a child in a new session', () => {
  const ps = spawnSync('ps', ['-o', 'sid=', '-p', String(process.pid)], { encoding: 'utf8' });
  if (ps.status === 0) assert.equal(sessionOf(process.pid), Number(ps.stdout.trim()));
  const child = spawnSync('setsid', ['sh', '-c', 'echo $$; cat /proc/$$/stat'], { encoding: 'utf8' });
  if (child.status !== 0) return;
  const [pid, stat] = child.stdout.split('\n');
  assert.equal(parseSessionId(stat ?? ''), Number(pid), 'setsid: the session is the shell itself');
});
