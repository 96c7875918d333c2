// Status round trips while a flood overflows a fanotify entry's queue (issue 11 / 14): the real
// daemon, one recursive entry over a tree of N folders (3 levels, as bench/ready.ts makes them)
// on a tmpfs of its own (the flood must not reach other fanotify users of /tmp), its walk over;
// then nobody creates, renames and removes files as fast as it can in a folder of its own on that
// file system (the mark hears it), for FLOOD_MS; status is asked back to back meanwhile. Each
// overflow makes the daemon rescan the whole tree. By hand, as root:
//   npm run build && node dist/bench/overflow-status.js [--daemon DIST/bin/watchtabd.js] [--folders N]
// Results go to bench/RESULTS-ready.md.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStatus } from '../src/daemon/status-server.js';
import { NOBODY, RENAME_FLOOD, attackAsNobody } from '../test/helpers/attacks.js';
import { makeCubeTree, recursiveDaemonArgs } from './trees.js';

const FLOOD_MS = 20_000;
const OVERFLOW = /event queue overflowed/;

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const bin = option('--daemon') ?? fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));
const folders = Number(option('--folders') ?? 100_000);
const backend = option('--backend') ?? 'fanotify';
const dir = mkdtempSync(join(tmpdir(), 'watchtab-bench-ovf-'));
const fs = join(dir, 'fs');
mkdirSync(fs);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,nr_inodes=400k,mode=0755', 'tmpfs', fs]);
if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs: ${mounted.stderr.toString()}`);
const root = join(fs, 'tree');
makeCubeTree(root, folders);

const socket = join(dir, 'sock');
const args = recursiveDaemonArgs(bin, dir, root, backend);
const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
const lines: string[] = [];
let buffered = '';
child.stderr.on('data', (chunk: Buffer) => {
  buffered += chunk.toString('utf8');
  const parts = buffered.split('\n');
  buffered = parts.pop() ?? '';
  lines.push(...parts);
});

async function status(): Promise<{ walking: boolean } | null> {
  const doc = (await readStatus(socket, 120_000).catch(() => null)) as { walking?: boolean } | null;
  return doc === null ? null : { walking: doc.walking === true };
}

try {
  // The flood folder is nobody's, in the tree's file system but outside the tree.
  const floodDir = mkdtempSync(join(fs, 'flood-'));
  chownSync(floodDir, NOBODY, NOBODY);
  for (;;) {
    const s = await status();
    if (s !== null && !s.walking) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const loops = [
    attackAsNobody(floodDir, ['perl', '-e', RENAME_FLOOD, '1']),
    attackAsNobody(floodDir, ['perl', '-e', RENAME_FLOOD, '2']),
  ];
  const trips: number[] = [];
  const end = performance.now() + FLOOD_MS;
  while (performance.now() < end) {
    const asked = performance.now();
    await status();
    trips.push(performance.now() - asked);
  }
  await Promise.all(loops.map((l) => l.stop()));
  rmSync(floodDir, { recursive: true, force: true });
  const sorted = [...trips].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(1);
  const overflows = lines.filter((l) => OVERFLOW.test(l)).length;
  console.log(
    `| ${folders.toLocaleString('en')} | ${backend} | ${bin} | ${trips.length} | ${at(0.5)} / ${at(0.99)} / ${Math.max(...trips).toFixed(1)} | ${overflows} |`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  spawnSync('umount', ['-l', fs]);
  rmSync(dir, { recursive: true, force: true });
}
