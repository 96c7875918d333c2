// As root: commands run as the entry's user with uid, gid and the full supplementary group list
// (through setpriv), inside a chroot with a working folder in the jail (through chroot(1)); a
// failed switch never runs the command as root. Skipped, with the reason, when not root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunAs } from '../../src/watchtab/entry.js';
import { tempDir } from '../helpers/temp.js';
import { endings, makeEntry, outputLines, slotFor, waitForEndings } from './entry-fixture.js';

const isRoot = process.getuid?.() === 0;
const hasTools = ['setpriv', 'chroot', 'useradd', 'groupadd'].every((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const skip = !isRoot
  ? 'needs root (to make a test user and switch to it)'
  : !hasTools
    ? 'needs setpriv, chroot, useradd and groupadd'
    : false;
if (skip !== false) console.log(`# identity tests skipped: ${skip}`);

const id = (...args: string[]) => execFileSync('id', args, { encoding: 'utf8' }).trim();

describe('users, groups and chroot', { skip }, () => {
  const tag = `wtr${process.pid}`;
  const user = `${tag}u`;
  const groups = [`${tag}a`, `${tag}b`];
  let runAs: RunAs;

  before(() => {
    for (const g of groups) execFileSync('groupadd', [g]);
    execFileSync('useradd', [
      '--no-create-home',
      '--user-group',
      '--home-dir',
      `/nonexistent/${user}`,
      '--shell',
      '/usr/sbin/nologin',
      '--groups',
      groups.join(','),
      user,
    ]);
    runAs = {
      user,
      uid: Number(id('-u', user)),
      group: user,
      gid: Number(id('-g', user)),
      groups: id('-G', user).split(' ').map(Number),
      home: `/nonexistent/${user}`,
    };
  });
  after(() => {
    execFileSync('userdel', [user], { stdio: 'ignore' });
    for (const g of groups) execFileSync('groupdel', [g], { stdio: 'ignore' });
  });

  test("the command gets the user's uid, gid, full group list, HOME, USER and LOGNAME", async (t) => {
    const dir = await tempDir(t);
    const command = 'id -u; id -g; id -G; echo "$HOME $USER $LOGNAME"';
    const { slot, log } = slotFor(t, makeEntry({ dir, command, runAs }), { isRoot: true });
    slot.trigger({ path: join(dir, 'x'), event: 'write' });
    const [ended] = await waitForEndings(log, 1);
    assert.equal(ended?.message, 'run ended: exited successfully');
    assert.equal(runAs.groups.length, 3, 'the test user has a primary and two supplementary groups');
    assert.deepEqual(outputLines(log), [
      String(runAs.uid),
      String(runAs.gid),
      id('-G', user),
      `/nonexistent/${user} ${user} ${user}`,
    ]);
  });

  test('a switch that fails does not run the command at all, and never as root', async (t) => {
    const dir = await tempDir(t);
    const marker = join(dir, 'ran');
    const broken = { ...runAs, groups: [4294967295] }; // setgroups(2) refuses it: EINVAL
    const { slot, log } = slotFor(
      t,
      makeEntry({ dir, command: 'id -u > "$M"', runAs: broken, env: { M: marker } }),
      {
        isRoot: true,
      },
    );
    slot.trigger({ path: join(dir, 'x'), event: 'write' });
    const [ended] = await waitForEndings(log, 1);
    assert.match(
      ended?.message ?? '',
      /^run failed: command not found, or setpriv could not switch to the user/,
    );
    assert.match(outputLines(log, 'stderr').join('\n'), /setpriv: setgroups failed/);
    await assert.rejects(stat(marker), { code: 'ENOENT' });
  });

  test('a daemon that is not root refuses an entry with a user instead of running it as itself', async (t) => {
    const dir = await tempDir(t);
    const marker = join(dir, 'ran');
    const entry = makeEntry({ dir, command: 'touch "$M"', runAs, env: { M: marker } });
    const { slot, log } = slotFor(t, entry, { isRoot: false });
    slot.trigger({ path: join(dir, 'x'), event: 'write' });
    const [ended] = await waitForEndings(log, 1);
    assert.match(
      ended?.message ?? '',
      /cannot start: the entry runs as user .*, but the daemon does not run as root/,
    );
    await assert.rejects(stat(marker), { code: 'ENOENT' });
  });

  describe('chroot', () => {
    let jail = '';
    before(async () => {
      jail = await mkdtemp(join(tmpdir(), 'watchtab-jail-'));
      await chmod(jail, 0o755);
      const programs = ['/bin/sh', '/usr/bin/id'];
      const libs = programs.flatMap((p) =>
        [...execFileSync('ldd', [p], { encoding: 'utf8' }).matchAll(/(\/\S+) \(0x/g)].map((m) => m[1] ?? ''),
      );
      for (const file of [...programs, ...libs]) {
        const inside = join(jail, file);
        await mkdir(dirname(inside), { recursive: true });
        await copyFile(await realpath(file), inside);
        await chmod(inside, 0o755);
      }
      await mkdir(join(jail, 'data dir'), { mode: 0o755 });
      await writeFile(join(jail, 'marker-in-jail'), '');
    });
    after(() => rm(jail, { recursive: true, force: true }));

    test('the command runs inside the jail, as the user, in / by default', async (t) => {
      const dir = await tempDir(t);
      const command = 'pwd; [ -e /marker-in-jail ] && echo jailed; id -u; id -G; echo "$WATCHTAB_PATH"';
      const entry = makeEntry({ dir, command, runAs, chroot: jail });
      const { slot, log } = slotFor(t, entry, { isRoot: true });
      slot.trigger({ path: '/outside/the jail', event: 'write' });
      const [ended] = await waitForEndings(log, 1);
      assert.equal(ended?.message, 'run ended: exited successfully', outputLines(log, 'stderr').join('\n'));
      assert.deepEqual(outputLines(log), [
        '/',
        'jailed',
        String(runAs.uid),
        id('-G', user),
        '/outside/the jail',
      ]);
    });

    test('cwd is taken inside the jail; one missing there cannot start', async (t) => {
      const dir = await tempDir(t);
      const entry = makeEntry({ dir, command: 'pwd', chroot: jail, cwd: '/data dir' });
      const { slot, log } = slotFor(t, entry, { isRoot: true });
      slot.trigger({ path: '/x', event: 'write' });
      await waitForEndings(log, 1);
      assert.deepEqual(outputLines(log), ['/data dir']);
      slot.replaceEntry({ ...entry, cwd: '/not here' });
      slot.trigger({ path: '/x', event: 'write' });
      await waitForEndings(log, 2);
      assert.equal(
        endings(log)[1]?.message,
        `run failed: cannot start: the working folder ${join(jail, 'not here')} does not exist or is not a folder`,
      );
    });
  });
});
