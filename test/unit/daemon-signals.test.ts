// SIGUSR1 in-process: it runs the reopen hook while the daemon's handlers are installed, does
// nothing (and does not end the process) after they are removed, and reopenLogs reopens the logger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleSignals, reopenLogs } from '../../src/daemon/signals.js';
import { waitFor } from '../helpers/wait.js';
import type { Logger } from '../../src/log/logger.js';

const quiet: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  reopen: () => undefined,
};

test('SIGUSR1 runs onReopenLogs; once removed, the listener stays and does nothing', async () => {
  let reopened = 0;
  let reloads = 0;
  const remove = handleSignals({
    onReload: () => (reloads += 1),
    onStop: () => undefined,
    onStopNow: () => undefined,
    onReopenLogs: () => (reopened += 1),
  });
  process.kill(process.pid, 'SIGUSR1');
  await waitFor(
    () => reopened,
    (n) => n === 1,
    { withinMs: 5000, what: 'the reopen hook' },
  );
  remove();
  assert.ok(process.listenerCount('SIGUSR1') >= 1, 'the SIGUSR1 listener outlives the handlers');
  process.kill(process.pid, 'SIGUSR1');
  // A later signal with a live handler is the marker that the SIGUSR1 before it was handled.
  const again = handleSignals({
    onReload: () => (reloads += 1),
    onStop: () => undefined,
    onStopNow: () => undefined,
  });
  process.kill(process.pid, 'SIGHUP');
  await waitFor(
    () => reloads,
    (n) => n === 1,
    { withinMs: 5000, what: 'the marker SIGHUP' },
  );
  again();
  assert.equal(reopened, 1);
});

test("reopenLogs reopens the logger's file", () => {
  let calls = 0;
  reopenLogs({ ...quiet, reopen: () => (calls += 1) });
  assert.equal(calls, 1);
});
