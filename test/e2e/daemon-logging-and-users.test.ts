// How watchtabd logs (--log-file; the journal is in daemon-operator.test.ts) and that it runs unprivileged, as an
// ordinary user with a watchtab of their own (no ownership rule, commands as that user).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon } from '../helpers/daemon.js';
import { lookupUser } from '../../src/system/nss.js';

test('--log-file logs there, flushed by the time the daemon has exited', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  const logFile = join(dir, 'watchtabd.log');
  await writeFile(tab, `${dir}\tcreate\ttrue\n`);
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 's.sock'), '--log-file', logFile],
  });
  await waitFor(
    () => readFile(logFile, 'utf8'),
    (text) => /\bready\b/.test(text),
    { withinMs: 10_000, what: 'ready in the log file' },
  );
  assert.equal(await daemon.stop(), 0);
  const text = await readFile(logFile, 'utf8');
  assert.match(text.trimEnd().split('\n').at(-1) ?? '', /\bstopped\b/);
  assert.ok(!daemon.lines.some((l) => /\bready\b/.test(l)), 'logged to stderr too');
});

test('an ordinary user runs watchtabd on their own watchtab; commands run as that user', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to become another user for the test');
  const setpriv = spawnSync('setpriv', ['--version']);
  const nobody = lookupUser('nobody');
  if (setpriv.status !== 0 || nobody.kind !== 'found') return t.skip('needs setpriv and a user "nobody"');
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const home = join(dir, 'home');
  await mkdir(join(home, 'watched'), { recursive: true });
  const tab = join(home, 'watchtab');
  // Group- and world-writable, and not root's: refused as root, fine for its own user.
  await writeFile(tab, `${join(home, 'watched')}\tcreate\tid -u >> ${join(home, 'out')}\n`);
  await chmod(tab, 0o666);
  const { uid, gid } = nobody.value;
  for (const path of [home, join(home, 'watched'), tab]) await chown(path, uid, gid);
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(home, 's.sock')],
    wrap: ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'],
  });
  await daemon.waitForLine(/\bready\b.*entries=1/);
  await writeFile(join(home, 'watched', 'f'), '');
  const out = await waitFor(
    () => readLines(join(home, 'out')),
    (l) => l.length === 1,
    {
      withinMs: 10_000,
      what: 'the command to run',
    },
  );
  assert.deepEqual(out, [String(uid)]);
  assert.equal(await daemon.stop(), 0);
});
