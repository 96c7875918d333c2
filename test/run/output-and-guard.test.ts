// Output lines reach the log tagged with the entry, cut at the cap and within a line budget, with
// memory bounded; and the runaway guard pauses an entry that keeps triggering, then runs it once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as msg from '../../src/log/messages/run.js';
import { LINE_CAP_BYTES } from '../../src/run/output.js';
import { OUTPUT_LINES_PER_SECOND } from '../../src/run/output-budget.js';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { makeEntry, outputLines, records, slotFor, waitForEndings } from './entry-fixture.js';

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('stdout and stderr lines go to the log, tagged with the entry and stream; stderr at warn', async (t) => {
  const dir = await tempDir(t);
  const command = 'echo one; echo two >&2; printf "no newline at the end"';
  const { slot, log } = slotFor(t, makeEntry({ name: 'talker', dir, command }));
  slot.trigger({ path: join(dir, 'x'), event: 'close_write' });
  await waitForEndings(log, 1);
  assert.deepEqual(outputLines(log, 'stdout'), ['one', 'no newline at the end']);
  assert.deepEqual(outputLines(log, 'stderr'), ['two']);
  const output = records(log, msg.OUTPUT);
  assert.ok(output.every((r) => r.fields['entry'] === 'talker'));
  assert.deepEqual(output.map((r) => [r.fields['stream'], r.level]).sort(), [
    ['stderr', 'warn'],
    ['stdout', 'info'],
    ['stdout', 'info'],
  ]);
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
  slot.trigger({ path: join(dir, 'x'), event: 'close_write' });
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

test('the runaway guard pauses an entry after its burst, says how to change it, and resumes after a fixed time', async (t) => {
  const dir = await tempDir(t);
  const entry = makeEntry({
    dir,
    command: 'echo "$WATCHTAB_PATH $WATCHTAB_COUNT"',
    runLimit: { burst: 3, intervalMs: 300 },
  });
  // A frozen clock: every start falls inside the interval however slow the machine is.
  const { slot, log } = slotFor(t, entry, { now: () => 0 });
  for (let i = 1; i <= 3; i += 1) {
    slot.trigger({ path: `/w/${i}`, event: 'close_write' });
    await waitForEndings(log, i);
  }
  slot.trigger({ path: '/w/4', event: 'close_write' }); // the 4th start within the interval: a runaway
  await endOfTurn(); // a fold settles at the end of the turn that brought it
  const [paused] = records(log, msg.guardPaused(3, 300));
  assert.equal(paused?.level, 'warn');
  assert.match(paused?.message ?? '', /trigger-limit-burst \(now 3\).*trigger-limit-interval \(now 0.3\)/);
  assert.equal(slot.status().state, 'paused');
  slot.trigger({ path: '/w/5', event: 'close_write' }); // held for the run after the pause
  assert.deepEqual(slot.status().paused && { ...slot.status().paused, since: 0 }, {
    since: 0,
    heldTriggers: 2,
    burst: 3,
    intervalMs: 300,
  });
  // A file written steadily cannot keep the entry paused: the pause is a fixed time.
  const steady = setInterval(() => {
    if (slot.status().state === 'paused') slot.trigger({ path: '/w/5', event: 'close_write' });
  }, 20);
  try {
    await waitForEndings(log, 4, 5000);
  } finally {
    clearInterval(steady);
  }
  const [resumed] = records(log, (m) => m.startsWith('resumed after the runaway pause'));
  assert.ok(resumed !== undefined, 'no resumption was logged');
  // The held triggers ran once, the last path and the count of distinct paths folded in.
  assert.deepEqual(outputLines(log), ['/w/1 1', '/w/2 1', '/w/3 1', '/w/5 2']);
  assert.equal(slot.status().counters.dropped, 0);
});

test('reloading a paused entry resumes it at once and runs what was held', async (t) => {
  const dir = await tempDir(t);
  const entry = makeEntry({ dir, command: 'true', runLimit: { burst: 1, intervalMs: 60_000 } });
  const { slot, log } = slotFor(t, entry);
  slot.trigger({ path: '/w/1', event: 'close_write' });
  await waitForEndings(log, 1);
  slot.trigger({ path: '/w/2', event: 'close_write' });
  await endOfTurn();
  assert.equal(slot.status().state, 'paused');
  slot.replaceEntry({ ...entry, name: 'renamed' });
  assert.notEqual(slot.status().state, 'paused');
  assert.equal(slot.entryName, 'renamed');
  // The trigger held during the pause runs once, at once.
  await waitForEndings(log, 2);
  assert.equal(slot.status().counters.runs, 2);
  assert.equal(slot.status().counters.dropped, 0);
});

test('a command printing lines faster than the log takes has them counted and dropped, not queued', async (t) => {
  const dir = await tempDir(t);
  const total = 200_000;
  const { slot, log } = slotFor(t, makeEntry({ dir, command: `yes line | head -n ${total}` }));
  slot.trigger({ path: '/w/flood', event: 'close_write' });
  await waitForEndings(log, 1, 30_000);
  const [summary] = records(log, (m) => m.endsWith('of output dropped (printed faster than the log takes)'));
  const dropped = Number(summary?.fields['dropped']);
  const logged = outputLines(log).length;
  assert.ok(dropped > 0, 'nothing was dropped');
  assert.equal(logged + dropped, total, 'every line is either logged or counted');
  assert.equal(
    records(log, msg.outputThrottled(OUTPUT_LINES_PER_SECOND)).length,
    1,
    'the throttle is said once',
  );
});
