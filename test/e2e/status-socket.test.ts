// The status socket against hostile clients: under umask 000 it is never connectable by another
// user, not even while the daemon starts; clients that never read are dropped; status still answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, lstat, readdir, readlink, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { table } from '../helpers/watchtab-file.js';
import { startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { readStatus } from '../../src/daemon/status-server.js';
import { lookupUser } from '../../src/system/nss.js';

// A client that connects as fast as it can until killed, and says what each try gave.
const RACER = `
const net = require('node:net');
const [path] = process.argv.slice(1);
const seen = {};
const note = (what) => { seen[what] = (seen[what] ?? 0) + 1; };
process.on('SIGTERM', () => { process.stdout.write(JSON.stringify(seen)); process.exit(0); });
const once = () => {
  const s = net.createConnection(path);
  s.on('data', () => note('answer'));
  s.on('error', (e) => { note(e.code); setImmediate(once); });
  s.on('close', (hadError) => { if (!hadError) { note('closed'); setImmediate(once); } });
};
once();
`;

test('under umask 000 a racing nobody client never gets in, and the socket is never wider than 0600', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to play the other user');
  const nobody = lookupUser('nobody');
  if (nobody.kind !== 'found' || spawnSync('setpriv', ['--version']).status !== 0)
    return t.skip('needs setpriv and a user "nobody"');
  const dir = await tempDir(t);
  await chmod(dir, 0o777); // the folder lets everyone in: only the socket's own mode protects it
  const tab = join(dir, 'watchtab');
  const socket = join(dir, 's.sock');
  await writeFile(tab, `${dir}\tcreate\ttrue\n`, { mode: 0o644 });
  for (let start = 0; start < 3; start += 1) {
    const racer = spawn(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', RACER, socket],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(() => racer.kill('SIGKILL'));
    let report = '';
    racer.stdout.on('data', (c: Buffer) => (report += c.toString('utf8')));
    const racerExited = new Promise((resolve) => racer.once('exit', resolve));
    const daemon = startDaemon(t, {
      args: ['--watchtab', tab, '--socket', socket],
      wrap: ['sh', '-c', 'umask 000 && exec "$@"', 'sh'],
    });
    // Root watches the socket's mode from the moment it exists until the daemon is ready.
    const modes = new Set<number>();
    let isSettled = false;
    const ready = daemon.waitForLine(/\bready\b/, { withinMs: 30_000 }).finally(() => (isSettled = true));
    while (!isSettled) {
      const mode = await lstat(socket).then(
        (s) => s.mode & 0o777,
        () => null,
      );
      if (mode !== null) modes.add(mode);
    }
    await ready;
    assert.deepEqual([...modes], [0o600], `socket modes seen: ${[...modes].map((m) => m.toString(8))}`);
    assert.equal(typeof (await readStatus(socket, 2000)), 'object');
    // Once the racer was refused on the live socket itself (EACCES), it has raced the start.
    racer.kill('SIGTERM');
    await racerExited;
    const seen = JSON.parse(report) as Record<string, number>;
    assert.equal(seen['answer'], undefined, report);
    assert.ok((seen['EACCES'] ?? 0) > 0, `the racer reached the socket: ${report}`);
    assert.equal(await daemon.stop(), 0);
  }
});

/** How many unix sockets the process holds (its listening socket and its clients). */
async function socketCount(pid: number): Promise<number> {
  let count = 0;
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')).startsWith('socket:')) count += 1;
  }
  return count;
}

test('clients that connect and never read nor send are dropped, at most 16 held at once; status answers after', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab.yaml');
  const socket = join(dir, 's.sock');
  // 200 names of 4,000 characters: a status document (about 800 KB) larger than a socket's buffer,
  // so the daemon cannot hand it all to the kernel and be done; only the deadline ends it.
  const entries = Array.from({ length: 200 }, (_, i) => ({
    name: `${String(i).padStart(4, '0')}${'n'.repeat(3996)}`,
    path: dir,
    events: ['create'],
    command: 'true',
  }));
  await writeFile(tab, table(entries), { mode: 0o644 });
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', socket] });
  await daemon.waitForLine(/\bready\b/, { withinMs: 30_000 });
  const pid = daemon.child.pid ?? 0;
  const baseline = await socketCount(pid);
  const silent: Socket[] = [];
  t.after(() => silent.forEach((s) => s.destroy()));
  for (let i = 0; i < 40; i += 1) {
    const client = createConnection(socket);
    client.pause(); // never reads
    client.on('error', () => undefined);
    silent.push(client);
  }
  await waitFor(
    () => socketCount(pid),
    (n) => n > baseline,
    { withinMs: 5000, what: 'the clients held' },
  );
  // No more than the cap is held at once, however many connect.
  assert.ok((await socketCount(pid)) <= baseline + 16);
  // Every silent client is let go within the deadline, though none of them ever read or closed.
  await waitFor(
    () => socketCount(pid),
    (n) => n === baseline,
    {
      withinMs: 15_000,
      what: 'the daemon to drop its silent clients',
    },
  );
  const doc = (await readStatus(socket, 5000)) as { entries: unknown[] };
  assert.equal(doc.entries.length, 200);
  assert.equal(await daemon.stop(), 0);
});
