// Descriptors the daemon inherited (here at 5 and 70, on a root-only file) reach no command: a
// command run as `nobody` sees fds 0, 1, 2 and the one `ls` opens to list them, nothing else;
// without ffi-rs they are closed instead. (Node marks 5 itself, 0-15 being its habit; 70, after
// a gap, is what only the daemon's own marking catches.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, open, readFile, readlink, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { FIXTURES } from '../helpers/paths.js';
import { startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { lookupUser } from '../../src/system/nss.js';

test('a command run as nobody gets fds 0-2 only, not the daemon’s inherited ones', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to run the command as nobody');
  if (lookupUser('nobody').kind !== 'found') return t.skip('needs a user "nobody"');
  const dir = await tempDir(t);
  await chmod(dir, 0o777);
  const secret = join(dir, 'secret');
  await writeFile(secret, 'root only\n', { mode: 0o600 });
  const secretFd = await open(secret, 'r');
  t.after(() => secretFd.close());
  const watched = join(dir, 'watched');
  const out = join(dir, 'out');
  const tab = join(dir, 'watchtab');
  // ls's own listing of /proc/self/fd shows its own open descriptors, one per line: "N -> target".
  await writeFile(tab, `${watched}\tcreate\t0\tnobody\texec ls -l /proc/self/fd > ${out}\n`);
  await mkdir(watched, { mode: 0o755 });
  await chmod(tab, 0o644);
  const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
  for (let fd = 3; fd <= 70; fd += 1) stdio.push(fd === 5 || fd === 70 ? secretFd.fd : 'ignore');
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 's.sock')],
    stdio,
  });
  await daemon.waitForLine(/\bready\b/);
  // The daemon did receive them; it holds them still, now close-on-exec (O_CLOEXEC is 02000000).
  const pid = daemon.child.pid ?? 0;
  for (const fd of [5, 70]) {
    assert.equal(await readFile(`/proc/${pid}/fd/${fd}`, 'utf8'), 'root only\n');
    const flags = /^flags:\s*([0-7]+)$/m.exec(await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
    assert.ok((parseInt(flags ?? '0', 8) & 0o2000000) !== 0, `fd ${fd} is close-on-exec`);
  }
  await writeFile(join(watched, 'new'), '');
  const listing = await waitFor(
    () => readFile(out, 'utf8'),
    (s) => s.includes('->'),
    {
      withinMs: 10_000,
      what: 'the command to list its descriptors',
    },
  );
  const fds = new Map<number, string>();
  for (const m of listing.matchAll(/ (\d+) -> (.*)$/gm)) fds.set(Number(m[1]), m[2] ?? '');
  assert.deepEqual(
    [...fds.keys()].sort((a, b) => a - b),
    [0, 1, 2, 3],
    listing,
  );
  assert.match(fds.get(3) ?? '', /^\/proc\/\d+\/fd$/, 'fd 3 is the listing ls itself opened');
  assert.equal(fds.get(1), out);
  assert.ok(![...fds.values()].includes(secret), listing);
  assert.equal(await daemon.stop(), 0);
});

test('without ffi-rs (no fcntl), an inherited descriptor is closed instead', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'inherited');
  await writeFile(file, 'x');
  const handle = await open(file, 'r');
  t.after(() => handle.close());
  const tab = join(dir, 'watchtab');
  await writeFile(tab, `${dir}\tcreate\ttrue\n`);
  const register = pathToFileURL(join(FIXTURES, 'no-ffi', 'register.mjs')).href;
  const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
  for (let fd = 3; fd <= 70; fd += 1) stdio.push(fd === 70 ? handle.fd : 'ignore');
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 's.sock')],
    env: { ...process.env, NODE_OPTIONS: `--import=${register}` },
    stdio,
  });
  await daemon.waitForLine(/\bready\b/);
  // Closed: the number is gone, or reused by the daemon for something else since.
  const target = await readlink(`/proc/${daemon.child.pid ?? 0}/fd/70`).catch(() => null);
  assert.notEqual(target, file, 'fd 70 was closed');
  assert.equal(await daemon.stop(), 0);
});
