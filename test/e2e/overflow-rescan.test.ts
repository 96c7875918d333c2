// A real kernel queue overflow on a tree of 2,000 folders: the rescan, held mid-way, lets status answer and loses no change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ownTmpfs, tempDir } from '../helpers/temp.js';
import { firstStatusEntry, readLines, startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { AS_NOBODY, NOBODY } from '../helpers/attacks.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import type { StatusEntry } from '../../src/daemon/status-document.js';
import { table } from '../helpers/watchtab-file.js';

const TOP = 40;
const BELOW = 50; // 40 × 50 = 2,000 folders: a rescan of many slices
const OVERFLOWED = /event queue overflowed .*rescanned/;
/** Generous: status must answer during the rescan, not within a set time (the diagnostic prints it). */
const STATUS_DEADLINE_MS = 10_000;

/** For perl -e, in a folder: makes and removes N files (each a create, a close and a delete event). */
const MAKE_AND_REMOVE = 'for my $i (1..shift) { open(my $f, ">", "x$i") or die; close $f; unlink "x$i"; }';

const entryOf = (socket: string): Promise<StatusEntry> => firstStatusEntry(socket, STATUS_DEADLINE_MS);

function queueLimit(backend: 'inotify' | 'fanotify'): number {
  const text = readFileSync(`/proc/sys/fs/${backend}/max_queued_events`, 'utf8');
  return Number.parseInt(text, 10);
}

for (const backend of ['inotify', 'fanotify'] as const) {
  test(`${backend}: an overflow rescan in slices: status answers, a change made before it runs once, changes during it run`, async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root (a tmpfs mount, the flood as nobody)');
    if (backend === 'fanotify') {
      const probe = probeFanotify();
      if (!probe.ok) return t.skip(`fanotify unavailable here: ${probe.reason}`);
    }
    const dir = await tempDir(t);
    // A file system of the test's own: the flood must not reach other fanotify users of /tmp.
    const own = await ownTmpfs(t, '32m', 'watchtab-ovf-');
    if ('skip' in own) return t.skip(own.skip);
    const fs = own.path;
    const tree = join(fs, 'tree');
    for (let i = 0; i < TOP; i++)
      for (let j = 0; j < BELOW; j++) await mkdir(join(tree, `d${i}`, `e${j}`), { recursive: true });
    const flood = join(tree, 'flood');
    await mkdir(flood);
    await chown(flood, NOBODY, NOBODY);
    const hold = join(dir, 'hold');
    const out = join(dir, 'out');
    const tab = join(dir, 'watchtab.yaml');
    const socket = join(dir, 'sock');
    await writeFile(
      tab,
      table([
        {
          path: `${tree}/**`,
          exclude: ['**/flood/x*'],
          events: ['create', 'delete'],
          stdin: 'json',
          command: `cat >> ${JSON.stringify(out)}`,
        },
      ]),
      { mode: 0o644 },
    );
    const daemon = startDaemon(t, {
      args: ['--watchtab', tab, '--socket', socket, '--backend', backend],
      env: { ...process.env, WATCHTAB_TEST_RESCAN_HOLD: hold },
    });
    await daemon.waitForLine(/\bready\b/, { withinMs: 30_000 });
    await waitFor(
      () => entryOf(socket),
      (e) => !e.walking,
      { withinMs: 30_000, what: 'the walk to end' },
    );
    const pid = daemon.child.pid;
    assert.ok(pid !== undefined);

    // The daemon stopped, nobody fills its queue past the kernel's limit: the kernel queues an
    // overflow and drops what follows, such as the file made before the rescan.
    const before = join(tree, 'd1', 'e1', 'before');
    const removed = join(tree, 'd2', 'e3');
    await writeFile(hold, '');
    process.kill(pid, 'SIGSTOP');
    try {
      const files = String(queueLimit(backend) + 1000);
      const made = spawnSync(AS_NOBODY[0], [...AS_NOBODY.slice(1), 'perl', '-e', MAKE_AND_REMOVE, files], {
        cwd: flood,
        timeout: 60_000,
      });
      assert.equal(made.status, 0, made.stderr?.toString());
      await writeFile(before, 'made while events were dropped');
      await rm(removed, { recursive: true });
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    // The rescan is held after its first folders: status answers and says it reads the tree.
    const asked = performance.now();
    const during = await waitFor(
      () => entryOf(socket),
      (e) => e.walking && (e.watching[0]?.walkedFolders ?? 0) >= 2,
      { withinMs: 30_000, what: 'the rescan to be under way (held)' },
    );
    const statusMs = performance.now() - asked;
    assert.equal(during.armed, true);
    const atRoot = join(tree, 'during-at-root'); // the rescan's first folder: read already
    const deep = join(tree, `d${TOP - 1}`, `e${BELOW - 1}`, 'during-deep');
    const elsewhere = join(tree, 'd0', 'e0', 'during-elsewhere');
    for (const p of [atRoot, deep, elsewhere]) await writeFile(p, 'x');
    assert.equal((await entryOf(socket)).walking, true, 'still held');
    await rm(hold);
    await daemon.waitForLine(OVERFLOWED, { withinMs: 60_000 });
    const marker = join(tree, 'marker');
    await writeFile(marker, '');
    const seen = async () =>
      (await readLines(out).catch(() => [])).flatMap((l) => {
        const { path, events } = JSON.parse(l) as { path: string; events: string[] };
        return events.map((e) => `${e} ${path}`);
      });
    const lines = await waitFor(seen, (l) => l.includes(`create ${marker}`), {
      withinMs: 20_000,
      what: 'the marker made after the rescan',
    });
    t.diagnostic(
      `${backend}: status answered in ${statusMs.toFixed(0)} ms while the rescan was held; ` +
        `${daemon.lines.filter((l) => OVERFLOWED.test(l)).length} rescan(s) logged`,
    );
    assert.equal(lines.filter((l) => l === `create ${before}`).length, 1, 'the change made before: once');
    for (const p of [atRoot, deep, elsewhere])
      assert.ok(lines.includes(`create ${p}`), `the change made during the rescan: ${p}`);
    assert.ok(!lines.some((l) => l.includes('/flood/')), 'nothing of the excluded flood');
    assert.equal(lines.filter((l) => l === `delete ${removed}`).length, 1, 'the folder removed before: once');
    assert.deepEqual(
      lines.filter((l) => l.startsWith('delete ')),
      [`delete ${removed}`],
      'no delete invented by the rescan',
    );
    assert.equal(await daemon.stop(), 0);
  });
}
