// The slot with real processes: never two processes of one entry, each on-busy policy's exact runs
// and order, and delay folding.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import type { Slot } from '../../src/run/slot.js';
import type { OnBusy } from '../../src/watchtab/entry.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { endings, makeEntry, readLines, slotFor, waitForEndings } from './entry-fixture.js';

// Appends "start PID" and "end PID". Stopped by a restart, it still writes its end line if it
// wrote its start line (a restart may also stop it before either: then it wrote nothing).
const OVERLAP_PROBE =
  'trap \'grep -qx "start $$" "$OUT" && echo "end $$" >> "$OUT"; exit 0\' TERM; ' +
  'echo "start $$" >> "$OUT"; sleep 0.03 & wait; echo "end $$" >> "$OUT"';

function assertNoOverlap(lines: string[]): number {
  let open: string | null = null;
  let runs = 0;
  for (const line of lines) {
    const [what, pid] = line.split(' ');
    if (what === 'start') {
      assert.equal(open, null, `run ${pid} started while ${open} still ran:\n${lines.join('\n')}`);
      open = pid ?? '';
      runs += 1;
    } else {
      assert.equal(pid, open, `end of ${pid} while ${open} ran`);
      open = null;
    }
  }
  assert.equal(open, null, 'the last run ended');
  return runs;
}

async function idle(slot: Slot): Promise<void> {
  await waitFor(
    () => slot.status().state,
    (s) => s === 'idle',
    { withinMs: 15_000, what: 'an idle slot' },
  );
}

for (const onBusy of ['queue', 'ignore', 'restart'] as const) {
  test(`a storm of 300 triggers never runs two processes of one entry (on-busy ${onBusy})`, async (t) => {
    const dir = await tempDir(t);
    const out = join(dir, 'out');
    const { slot } = slotFor(t, makeEntry({ dir, command: OVERLAP_PROBE, onBusy, env: { OUT: out } }));
    // 300 triggers, and more until a second run has started (a run may outlast 300 quick triggers
    // now that a spawn no longer holds the main thread for a fork): no overlap is shown across runs.
    const deadline = Date.now() + 10_000;
    const starts = async (): Promise<number> =>
      (await readLines(out).catch(() => [])).filter((l) => l.startsWith('start ')).length;
    for (let i = 0; i < 300 || ((await starts()) < 2 && Date.now() < deadline); i += 1) {
      slot.trigger({ path: join(dir, `f${i % 17}`), event: 'close_write' });
      if (i % 10 === 0) await pause(i % 3); // spread the storm over the runs' lifetimes
    }
    await idle(slot);
    const runs = assertNoOverlap(await readLines(out));
    // A restart may stop a run before its shell wrote anything; at least the last one is whole.
    assert.ok(runs >= (onBusy === 'restart' ? 1 : 2), `runs happened (${runs})`);
    if (onBusy === 'restart') assert.ok(slot.status().counters.runs >= runs);
    else assert.equal(slot.status().counters.runs, runs);
  });
}

/** A command that records its start and then waits until the test opens the gate. */
async function gated(t: TestContext, onBusy: OnBusy) {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const gate = join(dir, 'gate');
  const command =
    'echo "$WATCHTAB_PATH $WATCHTAB_COUNT" >> "$OUT"; until [ -e "$GATE" ]; do sleep 0.01; done; rm -f "$GATE"';
  const { slot, log } = slotFor(t, makeEntry({ dir, command, onBusy, env: { OUT: out, GATE: gate } }));
  const starts = (n: number) =>
    waitFor(
      () => readLines(out),
      (l) => l.length >= n,
      { withinMs: 10_000, what: `${n} starts` },
    );
  const open = () => writeFile(gate, '');
  const fire = (...names: string[]) =>
    names.forEach((n) => slot.trigger({ path: `/w/${n}`, event: 'write' }));
  return { slot, log, out, starts, open, fire };
}

test('queue: exactly one more run after the current one, folding every trigger that came', async (t) => {
  const g = await gated(t, 'queue');
  g.fire('a');
  await g.starts(1);
  g.fire('b', 'c', 'b', 'c', 'b');
  await g.open();
  await g.starts(2);
  await g.open();
  await waitForEndings(g.log, 2);
  g.fire('marker'); // nothing else was queued: the next run is the marker's
  await g.starts(3);
  await g.open();
  await waitForEndings(g.log, 3);
  // b, c, b, c, b: the run's path is c, the last in first-seen order (watchtab(5)).
  assert.deepEqual(await readLines(g.out), ['/w/a 1', '/w/c 2', '/w/marker 1']);
  assert.deepEqual(g.slot.status().counters, { triggers: 7, runs: 3, failures: 0, dropped: 0 });
});

test('ignore: triggers that arrive while the command runs are dropped', async (t) => {
  const g = await gated(t, 'ignore');
  g.fire('a');
  await g.starts(1);
  g.fire('b', 'c');
  await g.open();
  await waitForEndings(g.log, 1);
  g.fire('marker');
  await g.starts(2);
  await g.open();
  await waitForEndings(g.log, 2);
  assert.deepEqual(await readLines(g.out), ['/w/a 1', '/w/marker 1']);
  assert.deepEqual(g.slot.status().counters, { triggers: 4, runs: 2, failures: 0, dropped: 2 });
});

test('restart: the running command is stopped and started again with the folded triggers', async (t) => {
  const g = await gated(t, 'restart');
  g.fire('a');
  await g.starts(1);
  g.fire('b');
  await g.starts(2);
  g.fire('c', 'd');
  await g.starts(3);
  await g.open();
  await waitForEndings(g.log, 3);
  assert.deepEqual(await readLines(g.out), ['/w/a 1', '/w/b 1', '/w/d 2']);
  assert.deepEqual(
    endings(g.log).map((r) => r.message),
    [
      'run ended: stopped for a restart, ended by SIGTERM',
      'run ended: stopped for a restart, ended by SIGTERM',
      'run ended: exited successfully',
    ],
  );
});

test('delay: one run, the delay after the first trigger, with every trigger in between folded', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const command =
    'printf "%s|%s|%s|%s|%s\\n" "$WATCHTAB_COUNT" "$WATCHTAB_PATH" "$TRIGGER" "$WATCHTAB_EVENT" "$WATCHTAB_OLD_PATH" >> "$OUT"';
  const { slot, log } = slotFor(t, makeEntry({ dir, command, delayMs: 300, env: { OUT: out } }));
  const firstAt = Date.now();
  slot.trigger({ path: '/w/b', event: 'create' });
  slot.trigger({ path: '/w/a', event: 'write' });
  slot.trigger({ path: '/w/a', event: 'close_write' });
  slot.trigger({ path: '/w/a', event: 'rename', oldPath: '/w/.a.swp' });
  assert.equal(slot.status().state, 'delaying');
  await waitForEndings(log, 1);
  // libuv measures timers from the loop's cached clock, taken when this turn of the loop began, so
  // the run may start a little less than 300 ms after Date.now() read above; without the delay it
  // would start within a few ms.
  assert.ok((slot.status().lastRun?.startedAt ?? 0) >= firstAt + 250, 'started after the delay');
  slot.trigger({ path: '/w/marker', event: 'delete' });
  await waitForEndings(log, 2);
  assert.deepEqual(await readLines(out), [
    '2|/w/a|/w/a|write,close_write,rename|/w/.a.swp',
    '1|/w/marker|/w/marker|delete|',
  ]);
});

test('queue with a delay: the pending run waits for its own delay from its first trigger', async (t) => {
  const dir = await tempDir(t);
  const gate = join(dir, 'gate');
  const command = 'until [ -e "$GATE" ]; do sleep 0.01; done; rm -f "$GATE"';
  const { slot, log } = slotFor(t, makeEntry({ dir, command, delayMs: 250, env: { GATE: gate } }));
  slot.trigger({ path: '/w/a', event: 'write' });
  await waitFor(
    () => slot.status().state,
    (s) => s === 'running',
    { withinMs: 5000, what: 'the first run' },
  );
  const pendingAt = Date.now();
  slot.trigger({ path: '/w/b', event: 'write' });
  await writeFile(gate, '');
  await waitFor(
    () => slot.status().counters.runs,
    (n) => n === 2,
    { withinMs: 5000, what: 'the queued run' },
  );
  assert.equal(slot.status().state, 'running', 'the queued run started once the first one ended');
  await writeFile(gate, '');
  await waitForEndings(log, 2);
  assert.ok((slot.status().lastRun?.startedAt ?? 0) >= pendingAt + 200, 'the queued run honoured its delay');
});
