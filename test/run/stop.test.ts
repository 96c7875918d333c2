// Stopping commands: timeouts, daemon shutdown and retirement, always the whole process group —
// background grandchildren included, and SIGKILL for what ignores SIGTERM.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import * as msg from '../../src/log/messages/run.js';
import {
  endings,
  isAlive,
  makeEntry,
  outputLines,
  records,
  slotFor,
  waitForEndings,
  type MemoryLogger,
} from './entry-fixture.js';

// Sourced, so that the shell the runner started is the stubborn process itself.
const fixture = (name: string) => `. '${join(FIXTURES, 'run', name)}'`;

/** The pid a fixture printed as "WORD PID"; killed when the test ends in case the runner failed to. */
async function printedPid(t: TestContext, log: MemoryLogger, word: string): Promise<number> {
  const lines = await waitFor(
    () => outputLines(log).filter((l) => l.startsWith(`${word} `)),
    (l) => l.length > 0,
    { withinMs: 5000, what: `a "${word}" line` },
  );
  const pid = Number(lines[0]?.split(' ')[1]);
  t.after(() => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  return pid;
}

test('a timeout stops the whole process group: the backgrounded grandchild is gone too', async (t) => {
  const dir = await tempDir(t);
  const entry = makeEntry({
    dir,
    command: fixture('background-grandchild.sh'),
    timeoutMs: 300,
    graceMs: 2000,
  });
  const { slot, log } = slotFor(t, entry);
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const grandchild = await printedPid(t, log, 'grandchild');
  const [ended] = await waitForEndings(log, 1);
  assert.equal(ended?.message, 'run failed: timed out after 0.3 s, ended by SIGTERM');
  assert.equal(isAlive(grandchild), false, 'the grandchild died with its group');
  assert.equal(records(log, msg.timeoutReached(300, 2000)).length, 1);
});

test('a command that ignores SIGTERM gets SIGKILL after the grace', async (t) => {
  const dir = await tempDir(t);
  const entry = makeEntry({ dir, command: fixture('ignore-term.sh'), timeoutMs: 200, graceMs: 300 });
  const { slot, log } = slotFor(t, entry);
  const before = Date.now();
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const shell = await printedPid(t, log, 'ignoring-term');
  const [ended] = await waitForEndings(log, 1);
  assert.equal(ended?.message, 'run failed: timed out after 0.2 s, ended by SIGKILL');
  assert.ok(Date.now() - before >= 500, 'SIGKILL came after timeout + grace');
  assert.equal(isAlive(shell), false);
});

test("stop(grace) at shutdown: SIGTERM to the group, SIGKILL after the daemon's grace, resolves when gone", async (t) => {
  const dir = await tempDir(t);
  const { slot, log } = slotFor(t, makeEntry({ dir, command: fixture('ignore-term.sh'), graceMs: 60_000 }));
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const shell = await printedPid(t, log, 'ignoring-term');
  assert.equal(slot.status().pid, shell, "status shows the running command's pid");
  assert.equal(slot.status().state, 'running');
  const before = Date.now();
  await slot.stop(250);
  assert.ok(Date.now() - before < 5000, "the daemon's grace, not the entry's 60 s");
  assert.equal(isAlive(shell), false);
  assert.equal(endings(log)[0]?.message, 'run ended: stopped for daemon shutdown, ended by SIGKILL');
  assert.equal(slot.status().state, 'retired');
  slot.trigger({ path: join(dir, 'y'), event: 'write' });
  assert.equal(slot.status().counters.runs, 1, 'no run after stop');
});

test('retire lets the running command finish, drops what was queued, and resolves when idle', async (t) => {
  const dir = await tempDir(t);
  const gate = join(dir, 'gate');
  // The command waits for the test's go-ahead, so "still running" does not depend on timing.
  const command =
    'echo "start $WATCHTAB_PATH"; until [ -e "$GATE" ]; do sleep 0.01; done; echo "end $WATCHTAB_PATH"';
  const { slot, log } = slotFor(t, makeEntry({ dir, command, env: { GATE: gate } }));
  slot.trigger({ path: '/w/a', event: 'write' });
  await waitFor(
    () => outputLines(log),
    (l) => l.length === 1,
    { withinMs: 5000, what: 'the start line' },
  );
  slot.trigger({ path: '/w/b', event: 'write' });
  assert.equal(slot.status().state, 'running-with-pending');
  const retired = slot.retire();
  await writeFile(gate, '');
  await retired;
  assert.deepEqual(outputLines(log), ['start /w/a', 'end /w/a']);
  assert.equal(endings(log)[0]?.message, 'run ended: exited successfully');
  assert.equal(slot.status().state, 'retired');
});

test('processes a command leaves behind in its group are stopped before the next run', async (t) => {
  const dir = await tempDir(t);
  const { slot, log } = slotFor(
    t,
    makeEntry({ dir, command: fixture('leave-background.sh'), graceMs: 1000 }),
  );
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const left = await printedPid(t, log, 'left');
  const [ended] = await waitForEndings(log, 1);
  assert.equal(ended?.message, 'run ended: exited successfully');
  assert.equal(isAlive(left), false);
  assert.equal(records(log, msg.RUN_LEFT_PROCESSES).length, 1);
});

test('a process that left the group on purpose (setsid) cannot hold the run open through its output pipe', async (t) => {
  const dir = await tempDir(t);
  // The escapee marks that it runs (so it has left the group) before the shell goes on and exits.
  const command =
    'setsid sh -c \'touch "$R"; exec sleep 30\' & until [ -e "$R" ]; do sleep 0.01; done; echo "escaped $!"';
  const { slot, log } = slotFor(t, makeEntry({ dir, command, env: { R: join(dir, 'ready') } }));
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const escaped = await printedPid(t, log, 'escaped');
  const [ended] = await waitForEndings(log, 1, 5000);
  assert.equal(ended?.message, 'run ended: exited successfully');
  assert.equal(slot.status().state, 'idle');
  assert.equal(isAlive(escaped), true, 'the runner stops its process group, not processes that left it');
});
