// As root: stdin reaches a command that runs as another user (setpriv) and inside a jail (chroot):
// the daemon makes the pipe before switching, so the command reads it whoever it runs as.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunAs } from '../../src/watchtab/entry.js';
import { tempDir } from '../helpers/temp.js';
import { makeEntry, outputLines, slotFor, waitForEndings } from './entry-fixture.js';

const skip = process.getuid?.() !== 0 ? 'needs root (to run commands as nobody and in a chroot)' : false;
if (skip !== false) console.log(`# stdin identity tests skipped: ${skip}`);

const NOBODY: RunAs = {
  user: 'nobody',
  uid: 65534,
  group: 'nogroup',
  gid: 65534,
  groups: [65534],
  home: '/',
};
const PATHS = ['/w/first', '/w/with space', '/w/-dash'];

describe('stdin with user and chroot', { skip }, () => {
  let jail = '';
  before(async () => {
    jail = await mkdtemp(join(tmpdir(), 'watchtab-jail-'));
    await chmod(jail, 0o755);
    const programs = ['/bin/sh', '/bin/cat', '/usr/bin/id'];
    const libs = programs.flatMap((p) =>
      [...execFileSync('ldd', [p], { encoding: 'utf8' }).matchAll(/(\/\S+) \(0x/g)].map((m) => m[1] ?? ''),
    );
    for (const file of [...programs, ...libs]) {
      const inside = join(jail, file);
      await mkdir(dirname(inside), { recursive: true });
      await copyFile(await realpath(file), inside);
      await chmod(inside, 0o755);
    }
  });
  after(() => rm(jail, { recursive: true, force: true }));

  for (const inJail of [false, true]) {
    test(`a command run as nobody${inJail ? ' in a chroot' : ''} reads every path on stdin`, async (t) => {
      const dir = await tempDir(t);
      await chmod(dir, 0o755);
      const command = 'id -u; cat';
      const entry = makeEntry({
        dir,
        command,
        runAs: NOBODY,
        stdin: 'paths',
        settleMs: 300, // the four triggers below fold into one run
        ...(inJail ? { chroot: jail } : {}),
      });
      const { slot, log } = slotFor(t, entry, { isRoot: true });
      slot.trigger({ path: '/w/first', event: 'create' });
      slot.trigger({ path: '/w/with space', event: 'write' });
      slot.trigger({ path: '/w/first', event: 'write' });
      slot.trigger({ path: '/w/-dash', event: 'write' });
      await waitForEndings(log, 1);
      assert.deepEqual(outputLines(log), ['65534', ...PATHS], outputLines(log, 'stderr').join('\n'));
    });
  }
});
