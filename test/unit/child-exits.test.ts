// The exit of a posix_spawn child is seen even when the child ended before anyone listened for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { onChildExit } from '../../src/run/child-exits.js';
import { cStringArray, closeFd, pipe, posixSpawn } from '../../src/system/posix-spawn.js';
import { waitFor } from '../helpers/wait.js';

/** The one-letter state of /proc/PID/stat ("Z" for a child that ended and was not reaped yet). */
const procState = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

test('a child that ended before its listener was added is reported at once, not at the next sweep', async () => {
  const fds = pipe();
  assert.ok(!('errno' in fds), 'a pipe for the child');
  const envp = cStringArray([]);
  const started = posixSpawn({
    file: '/bin/sh',
    argv: ['/bin/sh', '-c', 'exit 7'],
    envp,
    cwd: '/',
    stdinFd: null,
    stdoutFd: fds[1],
    stderrFd: fds[1],
  });
  fds.forEach(closeFd);
  assert.ok('pid' in started, 'the child started');
  // The SIGCHLD of this child is gone before any listener exists: no handler was installed yet.
  await waitFor(
    () => procState(started.pid),
    (state) => state === 'Z',
    { what: 'the child to end', withinMs: 10_000 },
  );
  const seen: Array<[number | null, string | null]> = [];
  onChildExit(started.pid, (code, signal) => seen.push([code, signal]));
  // Before this turn of the event loop ends: the sweep timer, a second away, cannot be what saw it.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [[7, null]]);
  assert.equal(
    process.listenerCount('SIGCHLD'),
    0,
    'nothing left listening (or a timer keeping the process up)',
  );
});
