// A file entry, end to end on inotify: a hard link made and removed in another folder, and a
// write through that other name, each run the entry with the entry's own path and event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon } from '../helpers/daemon.js';

test('a file entry runs on links and writes made through another name of its file', async (t) => {
  const dir = await tempDir(t);
  const watched = join(dir, 'watched');
  const elsewhere = join(dir, 'elsewhere');
  await mkdir(watched);
  await mkdir(elsewhere);
  const file = join(watched, 'f');
  const other = join(elsewhere, 'g');
  await writeFile(file, 'a');
  const log = join(dir, 'runs.log');
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(
    tab,
    `entries:\n  - name: f\n    path: ${file}\n    events: [link, write]\n    backend: inotify\n` +
      `    command: 'echo "$WATCHTAB_EVENT $WATCHTAB_PATH" >> "$LOG"'\n    env: { LOG: ${log} }\n`,
  );
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', join(dir, 's.sock')] });
  await daemon.waitForLine(/\bready\b.*entries=1/);
  const runs = (n: number, what: string): Promise<string[]> =>
    waitFor(
      () => readLines(log).catch(() => []),
      (lines) => lines.length >= n,
      { withinMs: 10_000, what },
    );

  // Each step waits for its run, so each run holds that step's event alone.
  await link(file, other);
  assert.deepEqual((await runs(1, 'a run for the link made'))[0], `link ${file}`);
  await appendFile(other, 'b');
  assert.deepEqual((await runs(2, 'a run for the write through the other name'))[1], `write ${file}`);
  await rm(other);
  assert.deepEqual((await runs(3, 'a run for the link removed'))[2], `link ${file}`);
  assert.equal(await daemon.stop('SIGTERM'), 0);
});
