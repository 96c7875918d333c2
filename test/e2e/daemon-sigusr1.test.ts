// SIGUSR1 never opens Node's inspector in the real daemon (it would be a root debugger on a local
// TCP port): after three of them the daemon listens on no TCP socket, answers status, stops with 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { readStatus } from '../../src/daemon/status-server.js';

/** The TCP sockets `pid` is listening on (state 0A in /proc/net/tcp*), matched by inode. */
async function listeningTcpSockets(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  const listening: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] === '0A' && inodes.has(cols[9] ?? '')) listening.push(cols[1] ?? '');
    }
  }
  return listening;
}

// `--inspect-port=0`: were the inspector opened, it would take a free port, not a shared 9229.
const INSPECT_ANY_PORT = { ...process.env, NODE_OPTIONS: '--inspect-port=0' };

test('the probe sees the inspector a plain node process opens on SIGUSR1', async (t) => {
  const child = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], {
    env: INSPECT_ANY_PORT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const pid = child.pid ?? 0;
  // Once it runs JavaScript, Node's own SIGUSR1 handler is in place.
  await waitFor(
    () => stdout,
    (s) => s.includes('up'),
    { withinMs: 10_000, what: 'node to start' },
  );
  child.kill('SIGUSR1');
  await waitFor(
    () => listeningTcpSockets(pid),
    (l) => l.length === 1,
    {
      withinMs: 10_000,
      what: 'the inspector to listen',
    },
  );
  await waitFor(
    () => stderr,
    (s) => /Debugger listening/.test(s),
    { withinMs: 5000 },
  );
});

test('SIGUSR1 three times: no inspector, status answers, the daemon stops with 0', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  const socket = join(dir, 's.sock');
  await writeFile(tab, `${dir}\tcreate\ttrue\n`);
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', socket], env: INSPECT_ANY_PORT });
  await daemon.waitForLine(/\bready\b/);
  const pid = daemon.child.pid ?? 0;
  for (let i = 0; i < 3; i += 1) {
    daemon.child.kill('SIGUSR1');
    // Each signal has been handled once a status request made after it is answered.
    await readStatus(socket, 2000);
  }
  assert.deepEqual(await listeningTcpSockets(pid), []);
  assert.ok(!daemon.lines.some((l) => /Debugger|inspector/i.test(l)), daemon.lines.join('\n'));
  assert.equal(await daemon.stop(), 0);
});
