// Back-ends chosen by the daemon. On a FUSE mount (bindfs), inotify on the mount never sees writes made to the backing folder;
// `auto` must notice the file system, poll it, say so, and fire the entry within the interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon } from '../helpers/daemon.js';
import { fsTypeOf } from '../../src/watch/fs-type.js';

function cannotRun(): string | null {
  if (process.getuid?.() !== 0) return 'mounting with bindfs needs root here';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  if (spawnSync('bindfs', ['--version']).error !== undefined)
    return 'bindfs is not installed (apt-get install -y bindfs)';
  return null;
}

function unmount(path: string): void {
  const fusermount = spawnSync('fusermount', ['-u', path]);
  if (fusermount.status !== 0) spawnSync('umount', ['-l', path]);
}

test("auto polls a FUSE mount and fires on a change made behind the kernel's back", async (t) => {
  const why = cannotRun();
  if (why !== null) {
    // CI installs bindfs and runs as root with /dev/fuse: there this test must run.
    if (process.env['CI'] !== undefined) assert.fail(`the bindfs test cannot run on CI: ${why}`);
    return t.skip(why);
  }
  const dir = await tempDir(t);
  const backing = join(dir, 'backing');
  const mount = join(dir, 'mnt');
  await mkdir(backing);
  await mkdir(mount);
  const mounted = spawnSync('bindfs', [backing, mount], { encoding: 'utf8' });
  assert.equal(mounted.status, 0, `bindfs failed: ${mounted.stderr}`);
  try {
    assert.equal(fsTypeOf(mount).name, 'fuse');
    const out = join(dir, 'out');
    const tab = join(dir, 'watchtab.yaml');
    await writeFile(
      tab,
      [
        'entries:',
        '  - name: shared',
        `    path: ${mount}/**`,
        '    events: [create, close_write]',
        '    poll-interval: 0.3',
        `    command: 'echo "$WATCHTAB_EVENT $WATCHTAB_PATH" >> ${out}'`,
        '',
      ].join('\n'),
    );
    const daemon = startDaemon(t, {
      args: ['--watchtab', tab, '--socket', join(dir, 's.sock'), '--backend', 'auto'],
    });
    await daemon.waitForLine(/\bready\b/);
    const chosen = daemon.lines.find((l) => /back-end chosen/.test(l) && /"shared"/.test(l)) ?? '';
    assert.match(chosen, /backend="poll"/);
    assert.match(chosen, /is on fuse/);
    // Behind the mount's back: inotify on the mount is never told of this write.
    await writeFile(join(backing, 'report.txt'), 'from another host');
    const lines = await waitFor(
      () => readLines(out),
      (l) => l.some((x) => x.endsWith(join(mount, 'report.txt'))),
      {
        withinMs: 5000,
        what: 'the entry to fire within a few poll intervals',
      },
    );
    assert.match(lines[0] ?? '', /^create/);
    assert.equal(await daemon.stop(), 0);
  } finally {
    unmount(mount);
  }
});

test('--backend fanotify watches a whole tree with one mark, as root', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('fanotify needs root (CAP_SYS_ADMIN)');
  const dir = await tempDir(t);
  const deep = join(dir, 'tree', 'a', 'b', 'c');
  await mkdir(deep, { recursive: true });
  const out = join(dir, 'out');
  const tab = join(dir, 'watchtab');
  await writeFile(tab, `${join(dir, 'tree')}/**\tclose_write\techo "$WATCHTAB_PATH" >> ${out}\n`);
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 's.sock'), '--backend', 'fanotify'],
  });
  await daemon.waitForLine(/\bready\b.*entries=1/);
  await writeFile(join(deep, 'f.txt'), 'x');
  await waitFor(
    () => readLines(out),
    (l) => l.includes(join(deep, 'f.txt')),
    {
      withinMs: 5000,
      what: 'the fanotify entry to fire',
    },
  );
  assert.ok(!daemon.lines.some((l) => /could not be armed/.test(l)), daemon.lines.join('\n'));
  assert.equal(await daemon.stop(), 0);
});

test('auto: a recursive entry on a file system fanotify refuses (sysfs) falls back to inotify, saying why', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('auto considers fanotify only as root');
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  // Two levels below /sys/kernel/mm: recursive, so auto asks for fanotify; sysfs has no file handles.
  await writeFile(tab, `/sys/kernel/mm/*/*\tcreate\ttrue\n`);
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', join(dir, 's.sock')] });
  await daemon.waitForLine(/\bready\b.*entries=1/);
  const log = daemon.lines.join('\n');
  assert.match(log, /back-end chosen .*backend="fanotify" reason=".*recursive/);
  assert.match(
    log,
    /back-end chosen .*backend="inotify" reason="fanotify could not watch this entry \(.*ENOTSUP/,
  );
  assert.doesNotMatch(log, /could not be armed/);
  assert.equal(await daemon.stop(), 0);
});

test('named fanotify on a file system it refuses (sysfs) says it does not fall back, and retries', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('fanotify needs root');
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, `/sys/kernel/mm/*/*\tcreate\ttrue\n`);
  const args = ['--watchtab', tab, '--socket', join(dir, 's.sock'), '--backend', 'fanotify'];
  const daemon = startDaemon(t, { args });
  await daemon.waitForLine(/ENOTSUP.*does not fall back to inotify.*retrying in/);
  const log = daemon.lines.join('\n');
  assert.doesNotMatch(log, /inotify instead|backend="inotify"/);
  assert.equal(await daemon.stop(), 0);
});
