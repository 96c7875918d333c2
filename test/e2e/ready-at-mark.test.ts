// The daemon is ready with fanotify's walk held: status says walking, and changes in unread folders still run the entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { firstStatusEntry, readLines, startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import type { StatusEntry } from '../../src/daemon/status-document.js';
import { table } from '../helpers/watchtab-file.js';

const FOLDERS = 60;
const probe = probeFanotify();
const skip = probe.ok ? false : `fanotify unavailable here: ${probe.reason}`;

const entryOf = (socket: string): Promise<StatusEntry> => firstStatusEntry(socket, 5000);

test(
  'ready while the walk is held: status shows it walking; creates, links and new folders run',
  { skip },
  async (t) => {
    const dir = await tempDir(t);
    const tree = join(dir, 'tree');
    for (let i = 0; i < FOLDERS; i++) {
      await mkdir(join(tree, `d${i}`, 'deep'), { recursive: true });
      await writeFile(join(tree, `d${i}`, 'deep', 'old'), 'old\n');
    }
    const hold = join(dir, 'hold');
    await writeFile(hold, '');
    const out = join(dir, 'out');
    const tab = join(dir, 'watchtab.yaml');
    const socket = join(dir, 'sock');
    await writeFile(
      tab,
      table([
        {
          path: `${tree}/**`,
          events: ['create', 'link', 'close_write'],
          stdin: 'json',
          command: `cat >> ${JSON.stringify(out)}`,
        },
      ]),
      { mode: 0o644 },
    );
    const daemon = startDaemon(t, {
      args: ['--watchtab', tab, '--socket', socket, '--backend', 'fanotify'],
      env: { WATCHTAB_TEST_WALK_HOLD: hold },
    });
    await daemon.waitForLine(/\bready\b/, { withinMs: 30_000 });
    const during = await entryOf(socket);
    assert.equal(during.armed, true);
    assert.equal(during.walking, true, 'the walk is held');
    const watch = during.watching[0];
    // Held after two folders: the tree's own and one d*; no deep/ folder is read.
    assert.ok(watch !== undefined && watch.walking && watch.walkedFolders === 2, JSON.stringify(watch));

    const deep = (i: number) => join(tree, `d${i}`, 'deep');
    const made = join(deep(1), 'new');
    await writeFile(made, 'x');
    await mkdir(join(deep(2), 'grown'));
    await writeFile(join(deep(2), 'grown', 'inside'), 'y');
    await link(join(deep(3), 'old'), join(deep(3), 'second'));
    const expected: [string, string][] = [
      [made, 'create'],
      [made, 'close_write'],
      [join(deep(2), 'grown'), 'create'],
      [join(deep(2), 'grown', 'inside'), 'create'],
      [join(deep(3), 'second'), 'create'],
      [join(deep(3), 'second'), 'link'],
    ];
    const seen = async () =>
      (await readLines(out)).flatMap((l) => {
        const { path, events } = JSON.parse(l) as { path: string; events: string[] };
        return events.map((e) => `${e} ${path}`);
      });
    await waitFor(seen, (lines) => expected.every(([p, e]) => lines.includes(`${e} ${p}`)), {
      withinMs: 10_000,
      what: 'the runs of what was made in unread folders',
    });
    assert.equal((await entryOf(socket)).walking, true, 'all of it ran during the walk');

    await rm(hold);
    const after = await waitFor(
      () => entryOf(socket),
      (e) => !e.walking,
      { withinMs: 20_000, what: 'the walk to end' },
    );
    assert.ok((after.watching[0]?.walkedFolders ?? 0) >= FOLDERS * 2, JSON.stringify(after.watching[0]));
    // The inode's old name, read by the walk after the link was made, gets its run.
    await waitFor(seen, (lines) => lines.includes(`link ${join(deep(3), 'old')}`), {
      withinMs: 10_000,
      what: 'link on the name the walk found later',
    });
    const lines = await seen();
    for (const [p, e] of expected)
      assert.equal(lines.filter((l) => l === `${e} ${p}`).length, 1, `${e} ${p} once`);
    assert.ok(!lines.some((l) => l.endsWith(`${deep(5)}/old`)), 'nothing for what the walk merely found');
    assert.equal(await daemon.stop(), 0);
  },
);
