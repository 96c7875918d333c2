// ignore-own-changes end to end: the real daemon as root, fanotify naming the process behind each
// change, the process-events connector placing the command's exited `cp` in its session. A twin
// entry without the key, running the same command, sees its own writes: the check can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon } from '../helpers/daemon.js';

// Logs the path, then writes beside it twice — through a child process (cp, gone by the time its
// event is read) and through the shell itself — but never for a path it made itself, so a twin
// without the key loops once and stops.
const COMMAND =
  'echo "$WATCHTAB_PATH" >> "$LOG"; case "$WATCHTAB_PATH" in *.copy|*.shell) ;; ' +
  '*) cp /etc/hostname "$WATCHTAB_PATH.copy"; echo x > "$WATCHTAB_PATH.shell" ;; esac';

function entry(name: string, tree: string, log: string, ignoreOwn: boolean): string {
  return (
    `  - name: ${name}\n    path: ${tree}/**\n    events: [close_write]\n` +
    `    command: '${COMMAND}'\n    env: { LOG: ${log} }\n` +
    (ignoreOwn ? '    ignore-own-changes: true\n' : '')
  );
}

test("ignore-own-changes: the command's own writes do not trigger its entry; everyone else's do", async (t) => {
  if (process.getuid?.() !== 0) return t.skip('fanotify and the process-events connector need root');
  const dir = await tempDir(t);
  const own = join(dir, 'own');
  const twin = join(dir, 'twin');
  await mkdir(join(own, 'sub'), { recursive: true });
  await mkdir(twin);
  const ownLog = join(dir, 'own.log');
  const twinLog = join(dir, 'twin.log');
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(tab, `entries:\n${entry('own', own, ownLog, true)}${entry('twin', twin, twinLog, false)}`);
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 's.sock'), '--log-level', 'debug'],
  });
  await daemon.waitForLine(/\bready\b.*entries=2/);
  assert.ok(
    daemon.lines.some(
      (l) =>
        /back-end chosen/.test(l) &&
        /entry="own"/.test(l) &&
        /ignore-own-changes/.test(l) &&
        /fanotify/.test(l),
    ),
    `the log says why the entry got fanotify:\n${daemon.lines.join('\n')}`,
  );

  const expected: string[] = [];
  // Each write below waits for its run: fanotify reports changes in order, so by then every change
  // the previous run made has been read, and would have triggered a run before this one.
  for (const name of ['a', join('sub', 'b'), 'c']) {
    const path = join(own, name);
    await writeFile(path, 'x');
    expected.push(path);
    await waitFor(
      () => readLines(ownLog),
      (l) => l.length >= expected.length,
      { withinMs: 10_000, what: `the run for ${name}` },
    );
  }
  assert.deepEqual(await readLines(ownLog), expected, 'one run per outside write, none for its own');

  await writeFile(join(twin, 'a'), 'x');
  await waitFor(
    () => readLines(twinLog),
    // Both writes may fold into one queued run, named after the last of them.
    (l) => l.includes(join(twin, 'a.copy')) || l.includes(join(twin, 'a.shell')),
    { withinMs: 10_000, what: 'the twin to see its own writes' },
  );
  assert.ok(
    daemon.lines.some((l) => /ignore-own-changes\)/.test(l) && /entry="own"/.test(l)),
    'ignored changes are logged at debug',
  );
  assert.equal(await daemon.stop(), 0);
});
