// Ready time of the real daemon for one recursive entry over trees of 20,000 and 100,000 folders:
// `watchtabd` with fanotify and with inotify (this build, and optionally another build such as
// main's, for before/after), beside `inotifywait -r -m` in the same run; spawn to the `ready` line
// (inotifywait: to "Watches established."). For fanotify, the status round trip while the
// background walk goes on (status requests one after the other until `walking` is false), and
// when the walk ended. By hand, as root, not in npm test (and from bench/aims.ts):
//   npm run build && node dist/bench/ready.js [--other DIST/bin/watchtabd.js] [--rounds N]
//     [--sizes 20000,100000] [--backends fanotify,inotify] [--json FILE]
// Results go to bench/RESULTS-ready.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStatus } from '../src/daemon/status-server.js';
import { recursiveDaemonArgs, sharedCubeTree } from './trees.js';

const THIS_DAEMON = fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));

/** Spawns `argv`, resolves with ms from spawn to the first stderr line matching `ready`. */
function untilLine(child: ChildProcess, ready: RegExp, startedAt: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('not ready within 120 s')), 120_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (!ready.test(buffered)) return;
      clearTimeout(timer);
      resolve(performance.now() - startedAt);
      buffered = '';
    });
    child.once('exit', (code) => reject(new Error(`exited with ${String(code)} before ready`)));
  });
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

async function inotifywait(root: string): Promise<number> {
  const startedAt = performance.now();
  const child = spawn('inotifywait', ['-r', '-m', root], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    return await untilLine(child, /Watches established/, startedAt);
  } finally {
    await stopped(child);
  }
}

interface DaemonSample {
  readyMs: number;
  /** Status round trips during the walk (fanotify of this build). */
  roundTripsMs: number[];
  /** Spawn to the first status answer saying the walk is over; null when never walking. */
  walkedMs: number | null;
}

async function daemon(bin: string, backend: string, root: string, isThis: boolean): Promise<DaemonSample> {
  const dir = mkdtempSync(join(tmpdir(), 'watchtab-bench-rdy-'));
  const socket = join(dir, 'sock');
  const args = recursiveDaemonArgs(bin, dir, root, backend);
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const readyMs = await untilLine(child, / info: ready /, startedAt);
    const roundTripsMs: number[] = [];
    let walkedMs: number | null = null;
    if (isThis) {
      for (;;) {
        const asked = performance.now();
        // The socket is bound just after the ready line: a refused first try is asked again.
        const doc = (await readStatus(socket, 60_000).catch(() => null)) as {
          entries: { walking?: boolean }[];
        } | null;
        if (doc === null) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          continue;
        }
        roundTripsMs.push(performance.now() - asked);
        if (doc.entries.every((e) => e.walking !== true)) {
          walkedMs = roundTripsMs.length > 1 ? performance.now() - startedAt : null;
          break;
        }
      }
    }
    return { readyMs, roundTripsMs, walkedMs };
  } finally {
    await stopped(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads every folder of `root` once, untimed, so no tool pays for a cold dentry cache. */
function warm(root: string): void {
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop())
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) stack.push(`${dir}/${e.name}`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};
const ms = (x: number | null): string => (x === null || Number.isNaN(x) ? '—' : x.toFixed(0));

async function main(): Promise<void> {
  const option = (name: string): string | undefined => {
    const at = process.argv.indexOf(name);
    return at < 0 ? undefined : process.argv[at + 1];
  };
  const other = option('--other');
  const rounds = Number(option('--rounds') ?? 3);
  const sizes = (option('--sizes') ?? '20000,100000').split(',').map(Number);
  const backends = (option('--backends') ?? 'fanotify,inotify').split(',');
  const jsonOut = option('--json');
  const raw: { folders: number; what: string; samples: DaemonSample[] }[] = [];
  console.log(
    '| folders | what | ready (ms), median | each round | status round trip during the walk, median / max (ms) | walk over (ms from spawn) |',
  );
  console.log('| ---: | --- | ---: | --- | --- | ---: |');
  for (const size of sizes) {
    const root = sharedCubeTree(size);
    warm(root);
    const rows = new Map<string, DaemonSample[]>();
    const add = (name: string, s: DaemonSample) => rows.set(name, [...(rows.get(name) ?? []), s]);
    for (let round = 0; round < rounds; round++) {
      add('inotifywait -r -m', { readyMs: await inotifywait(root), roundTripsMs: [], walkedMs: null });
      for (const backend of backends)
        add(
          `watchtabd ${backend} (this build)`,
          await daemon(THIS_DAEMON, backend, root, backend === 'fanotify'),
        );
      if (other !== undefined)
        for (const backend of backends)
          add(`watchtabd ${backend} (other build)`, await daemon(other, backend, root, false));
    }
    for (const [name, samples] of rows) {
      raw.push({ folders: size, what: name, samples });
      const trips = samples.flatMap((s) => s.roundTripsMs);
      const walked = samples.flatMap((s) => (s.walkedMs === null ? [] : [s.walkedMs]));
      const tripText =
        trips.length === 0
          ? '—'
          : `${median(trips).toFixed(1)} / ${Math.max(...trips).toFixed(1)} (${trips.length})`;
      console.log(
        `| ${size.toLocaleString('en')} | ${name} | ${ms(median(samples.map((s) => s.readyMs)))} | ${samples.map((s) => ms(s.readyMs)).join(', ')} | ${tripText} | ${walked.length === 0 ? '—' : ms(median(walked))} |`,
      );
    }
  }
  if (jsonOut !== undefined)
    writeFileSync(jsonOut, `${JSON.stringify({ date: new Date(), rows: raw }, null, 1)}\n`);
}

await main();
