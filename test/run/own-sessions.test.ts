// Loop prevention's bookkeeping against the real kernel: a slot for an entry with
// ignore-own-changes runs a real command whose processes have exited by the time we ask about
// them, and the process-events connector still places them in the command's session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createOwnSessions } from '../../src/run/own-sessions.js';
import { SystemCallError } from '../../src/errors.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from '../helpers/temp.js';
import { makeEntry, slotFor, waitForEndings } from './entry-fixture.js';
import { createMemoryLogger } from '../../src/log/logger.js';

const isRoot = process.getuid?.() === 0;

async function pidIn(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8')).trim());
}

test("a command's exited children and grandchildren are its own; a process that made its own session, or anyone else's, is not", async (t) => {
  if (!isRoot) return t.skip('the process-events connector needs root (CAP_NET_ADMIN)');
  const dir = await tempDir(t);
  const log = createMemoryLogger('debug');
  const sessions = createOwnSessions(log);
  // Every process here has exited before the run ends: /proc alone could not place them.
  const command = [
    'sh -c \'echo $$ > "$OUT/child"; sh -c "echo \\$\\$ > \\"$OUT/grandchild\\""\'',
    'setsid sh -c \'echo $$ > "$OUT/escaped"\'',
    'echo $$ > "$OUT/leader"',
  ].join('; ');
  const { slot, log: slotLog } = slotFor(
    t,
    makeEntry({ dir, command, env: { OUT: dir }, ignoreOwnChanges: true }),
    {
      sessions,
    },
  );
  assert.equal(slot.isOwnProcess(process.pid), false, 'no run yet: nothing is own');
  slot.trigger({ path: join(dir, 'x'), event: 'close_write' });
  await waitForEndings(slotLog, 1);
  const leader = await pidIn(join(dir, 'leader'));
  const child = await pidIn(join(dir, 'child'));
  const grandchild = await pidIn(join(dir, 'grandchild'));
  const escaped = await pidIn(join(dir, 'escaped'));
  assert.ok(slot.isOwnProcess(leader), 'the command itself');
  assert.ok(slot.isOwnProcess(child), 'its exited child');
  assert.ok(slot.isOwnProcess(grandchild), 'its exited grandchild');
  assert.equal(slot.isOwnProcess(escaped), false, 'a process that called setsid left the session');
  assert.equal(slot.isOwnProcess(process.pid), false, 'the daemon is not its own command');
  const stranger = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  assert.equal(slot.isOwnProcess(Number(stranger.stdout.trim())), false, 'an unrelated exited process');
  assert.deepEqual(
    log.records.filter((r) => r.level === 'warn').map((r) => r.message),
    [],
    'the connector was open and lost nothing',
  );
  // Past the grace after the run, its exited processes are dropped: a pid the system hands out
  // again must not count as the command's.
  await waitFor(
    () => slot.isOwnProcess(grandchild),
    (isOwn) => !isOwn,
    { withinMs: 10_000, what: "the ended run's processes to be forgotten" },
  );
});

test('an entry without ignore-own-changes owns no process, even its own command', async (t) => {
  const dir = await tempDir(t);
  const sessions = createOwnSessions(createMemoryLogger('debug'));
  const { slot, log } = slotFor(
    t,
    makeEntry({ dir, command: 'echo $$ > "$OUT/leader"', env: { OUT: dir } }),
    {
      sessions,
    },
  );
  slot.trigger({ path: join(dir, 'x'), event: 'close_write' });
  await waitForEndings(log, 1);
  assert.equal(slot.isOwnProcess(await pidIn(join(dir, 'leader'))), false);
});

test('without the connector, a live process of the command is still placed through /proc, and the gap is logged', async (t) => {
  const dir = await tempDir(t);
  const log = createMemoryLogger('debug');
  assert.throws(
    () =>
      createOwnSessions(log, () => {
        throw new Error('a bug, not a refusal');
      }).willSpawn(),
    /a bug/,
    'only a system-call refusal is taken as "no connector"',
  );
  const sessions = createOwnSessions(log, () => {
    throw new SystemCallError('socket', 'EPERM', null, 'the process-events connector: socket failed (EPERM)');
  });
  const gate = join(dir, 'gate');
  const command = 'echo $$ > "$OUT/leader"; until [ -e "$GATE" ]; do sleep 0.01; done';
  const entry = makeEntry({ dir, command, env: { OUT: dir, GATE: gate }, ignoreOwnChanges: true });
  const { slot, log: slotLog } = slotFor(t, entry, { sessions });
  slot.trigger({ path: join(dir, 'x'), event: 'close_write' });
  const leader = await waitFor(
    () => pidIn(join(dir, 'leader')),
    (pid) => pid > 0,
    { withinMs: 5000, what: 'the command to start' },
  );
  assert.ok(slot.isOwnProcess(leader), 'the running command, found in /proc');
  assert.match(
    log.records.find((r) => r.level === 'warn')?.message ?? '',
    /ignore-own-changes: cannot follow/,
  );
  await writeFile(gate, '');
  await waitForEndings(slotLog, 1);
});
