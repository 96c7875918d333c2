// Output lines reach the log tagged with the entry, cut at the cap with memory bounded; and the
// runaway guard pauses an entry that keeps triggering, then resumes it after a quiet time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as msg from '../../src/log/messages/run.js';
import { LINE_CAP_BYTES } from '../../src/run/output.js';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { endings, makeEntry, outputLines, records, slotFor, waitForEndings } from './entry-fixture.js';

test('stdout and stderr lines go to the log, each tagged with the entry and its stream', async (t) => {
  const dir = await tempDir(t);
  const command = 'echo one; echo two >&2; printf "no newline at the end"';
  const { slot, log } = slotFor(t, makeEntry({ name: 'talker', dir, command }));
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  await waitForEndings(log, 1);
  assert.deepEqual(outputLines(log, 'stdout'), ['one', 'no newline at the end']);
  assert.deepEqual(outputLines(log, 'stderr'), ['two']);
  assert.ok(records(log, msg.OUTPUT).every((r) => r.fields['entry'] === 'talker' && r.level === 'info'));
});

test('a flood without newlines is cut at the cap, said once, and the next line is intact', async (t) => {
  const dir = await tempDir(t);
  const command = `. '${join(FIXTURES, 'run', 'flood-no-newline.sh')}'`;
  const floodMiB = 256;
  const { slot, log } = slotFor(
    t,
    makeEntry({ dir, command, env: { FLOOD_BYTES: String(floodMiB * 2 ** 20) } }),
  );
  const rssBefore = process.memoryUsage().rss;
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const [ended] = await waitForEndings(log, 1, 30_000);
  assert.equal(ended?.message, 'run ended: exited successfully');
  const lines = outputLines(log);
  assert.deepEqual(
    lines.map((l) => l.length),
    [LINE_CAP_BYTES, 'after-flood'.length],
  );
  assert.equal(lines[0], 'x'.repeat(LINE_CAP_BYTES));
  assert.equal(lines[1], 'after-flood');
  assert.equal(records(log, msg.lineCut(LINE_CAP_BYTES)).length, 1);
  const grownMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  assert.ok(
    grownMiB < floodMiB / 3,
    `${floodMiB} MiB of output did not stay in memory (grew ${grownMiB.toFixed(1)} MiB)`,
  );
});

test('the runaway guard pauses an entry after its burst, says how to change it, and resumes after a quiet time', async (t) => {
  const dir = await tempDir(t);
  const entry = makeEntry({
    dir,
    command: 'echo "$WATCHTAB_PATH"',
    runLimit: { burst: 3, intervalMs: 1500 },
  });
  const { slot, log } = slotFor(t, entry);
  for (let i = 1; i <= 3; i += 1) {
    slot.trigger({ path: `/w/${i}`, event: 'write' });
    await waitForEndings(log, i);
  }
  slot.trigger({ path: '/w/4', event: 'write' }); // the 4th start within 1.5 s: a runaway
  const [paused] = records(log, msg.guardPaused(3, 1500));
  assert.equal(paused?.level, 'warn');
  assert.match(paused?.message ?? '', /trigger-limit-burst \(now 3\).*trigger-limit-interval \(now 1.5\)/);
  assert.equal(slot.status().state, 'paused');
  slot.trigger({ path: '/w/5', event: 'write' }); // dropped, and the quiet time starts again
  assert.deepEqual(slot.status().paused && { ...slot.status().paused, since: 0 }, {
    since: 0,
    droppedTriggers: 2,
    burst: 3,
    intervalMs: 1500,
  });
  await waitFor(
    () => slot.status().state,
    (s) => s === 'idle',
    { withinMs: 10_000, what: 'resumption' },
  );
  assert.equal(records(log, msg.guardResumed(2)).length, 1);
  slot.trigger({ path: '/w/6', event: 'write' });
  await waitForEndings(log, 4);
  assert.deepEqual(outputLines(log), ['/w/1', '/w/2', '/w/3', '/w/6']);
  assert.equal(endings(log).length, 4);
});

test('reloading a paused entry resumes it at once', async (t) => {
  const dir = await tempDir(t);
  const entry = makeEntry({ dir, command: 'true', runLimit: { burst: 1, intervalMs: 60_000 } });
  const { slot, log } = slotFor(t, entry);
  slot.trigger({ path: '/w/1', event: 'write' });
  await waitForEndings(log, 1);
  slot.trigger({ path: '/w/2', event: 'write' });
  assert.equal(slot.status().state, 'paused');
  slot.replaceEntry({ ...entry, name: 'renamed' });
  assert.equal(slot.status().state, 'idle');
  assert.equal(slot.entryName, 'renamed');
  slot.trigger({ path: '/w/3', event: 'write' });
  await waitForEndings(log, 2);
  assert.equal(slot.status().counters.runs, 2);
});
