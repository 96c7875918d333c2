// The runaway guard against the real daemon: an honest burst of outside writes is never paused;
// a command that rewrites its own trigger file is, as a loop (fanotify names the writer) or, on any
// back-end, by the burst limit.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { startDaemon, type RunningDaemon } from '../helpers/daemon.js';

async function daemonWith(
  t: TestContext,
  entry: (dir: string) => string,
): Promise<{ dir: string; daemon: RunningDaemon }> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'inbox'));
  await mkdir(join(dir, 'done'));
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(tab, `entries:\n${entry(dir)}`);
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 's.sock'), '--log-level', 'debug'],
  });
  await daemon.waitForLine(/\bready\b/);
  return { dir, daemon };
}

test('34 outside writes in 2 s to a delay-0 entry are all run, none paused', async (t) => {
  // Each run moves every file it finds out of the inbox: a write no run saw stays there.
  const { dir, daemon } = await daemonWith(
    t,
    (d) =>
      `  - name: inbox\n    path: ${d}/inbox/*\n    events: [close_write]\n    delay: 0\n` +
      `    command: 'for f in ${d}/inbox/*; do [ -e "$f" ] && mv "$f" ${d}/done/ && echo run >> ${d}/runs; done'\n`,
  );
  for (let i = 0; i < 34; i += 1) {
    await writeFile(join(dir, 'inbox', `file-${i}`), `${i}`);
    await sleep(2000 / 34); // the pace of the burst, not a wait for a result
  }
  await waitFor(
    () => readdir(join(dir, 'done')),
    (names) => names.length === 34,
    {
      withinMs: 20_000,
      what: 'every written file moved by some run',
    },
  );
  // How many runs the writes made depends on the machine's speed (folding takes up what comes
  // during a run): on an idle one each write gets its own run, past the old limit of 20.
  t.diagnostic(`${daemon.lines.filter((l) => /run started/.test(l)).length} runs for 34 writes`);
  assert.ok(
    !daemon.lines.some((l) => /paused/.test(l)),
    daemon.lines.filter((l) => /paused/.test(l)).join('\n'),
  );
  assert.equal(await daemon.stop(), 0);
});

const LOOP = `command: 'echo "$$" > "$WATCHTAB_PATH"'\n`;

test('a command that rewrites its own trigger file is paused as a loop (fanotify, default limits)', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('fanotify and the process-events connector need root');
  const { dir, daemon } = await daemonWith(
    t,
    (d) =>
      `  - name: loop\n    path: ${d}/inbox/*\n    events: [close_write]\n    backend: fanotify\n    ${LOOP}`,
  );
  await writeFile(join(dir, 'inbox', 'trigger'), 'go');
  const paused = await daemon.waitForLine(/paused as a loop: 200 runs in a row/, { withinMs: 150_000 });
  assert.match(paused, /entry="loop"/);
  // The loop goes on after the pause at most once per pause.
  await daemon.waitForLine(/resumed after the runaway pause/, { withinMs: 10_000 });
  await daemon.waitForLine(/paused again/, { withinMs: 10_000 });
  assert.equal(await daemon.stop(), 0);
});

test('without a back-end that names the writer, a loop is paused by the burst limit (set low here)', async (t) => {
  // What this covers: the burst rule, on inotify, pausing a loop. The default (200 runs in 2 s) is
  // reached only by a loop faster than 100 runs a second, which this machine may not run; so the
  // entry sets 20 in 10 s, and the default's value is checked in the unit tests.
  const { dir, daemon } = await daemonWith(
    t,
    (d) =>
      `  - name: loop\n    path: ${d}/inbox/*\n    events: [close_write]\n    backend: inotify\n` +
      `    trigger-limit-burst: 20\n    trigger-limit-interval: 10\n    ${LOOP}`,
  );
  await writeFile(join(dir, 'inbox', 'trigger'), 'go');
  const paused = await daemon.waitForLine(/paused as a runaway: 20 runs started within 10 s/, {
    withinMs: 30_000,
  });
  assert.match(paused, /entry="loop"/);
  assert.ok(!daemon.lines.some((l) => /paused as a loop/.test(l)), 'inotify cannot tell whose change it was');
  assert.equal(await daemon.stop(), 0);
});
