// A watchtab's PATH must not choose what runs as root: with an empty PATH component (the working
// folder), a `setpriv` planted in the watched folder must not be what switches users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { makeEntry, slotFor, waitForEndings } from './entry-fixture.js';
import { groupList, lookupUser } from '../../src/system/nss.js';

test('a setpriv planted in the watched folder is never run, whatever PATH the watchtab sets', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('switching users needs root');
  const nobody = lookupUser('nobody');
  if (nobody.kind !== 'found') return t.skip('no user "nobody" here');
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const planted = join(dir, 'setpriv');
  const marker = join(dir, 'planted-ran');
  await writeFile(planted, `#!/bin/sh\nid -u > ${marker}\n`);
  await chmod(planted, 0o755);
  const out = join(dir, 'out');
  await mkdir(out);
  await chmod(out, 0o777); // the real command runs as nobody
  const { uid, gid, home, name } = nobody.value;
  const entry = makeEntry({
    dir,
    command: `id -u > ${join(out, 'real-ran')}`,
    env: { PATH: `:/usr/bin:/bin` },
    runAs: { user: name, uid, group: 'nogroup', gid, groups: groupList(name, gid), home },
  });
  const { slot, log } = slotFor(t, entry);
  slot.trigger({ path: join(dir, 'x'), event: 'close_write' });
  await waitForEndings(log, 1);
  await assert.rejects(readFile(marker), 'the planted setpriv ran');
  assert.equal((await readFile(join(out, 'real-ran'), 'utf8')).trim(), String(uid));
});
