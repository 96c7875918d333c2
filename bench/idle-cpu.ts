// Issue 14's "idle CPU stays 0": watchtabd with watchtab.example, then with one entry over 20,000
// folders, on inotify and on fanotify, idle for two windows of 30 s once its start-up work is
// over; the CPU time (utime + stime, /proc/PID/stat) and the main thread's wake-ups (voluntary
// context switches, /proc/PID/status) in each: a timer firing while nothing happens shows in both
// windows, a one-off after start-up (V8's memory reducer) in the first only.
// As root the trees are on a tmpfs of their own, mounted for the run: a fanotify mark covers its
// whole file system, so on a shared one it reads every change other processes make there (that
// cost is measured too, with BENCH_SHARED_FS=1). Run by hand:
//   npm run build && node dist/bench/idle-cpu.js [idle seconds] [--example-only] [--json FILE]
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { probeFanotify } from '../src/watch/fanotify/instance.js';

const WATCHTABD = fileURLToPath(new URL('../src/cli/watchtabd.js', import.meta.url));
const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
const IDLE_MS = Number(process.argv.slice(2).find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 30) * 1000;
const EXAMPLE_ONLY = process.argv.includes('--example-only');
const JSON_AT = process.argv.indexOf('--json');
const JSON_OUT = JSON_AT < 0 ? undefined : process.argv[JSON_AT + 1];

/** One idle measurement: when start-up settled, then CPU ms and wake-ups in each window. */
interface Idle {
  readonly settledS: number;
  readonly cpuMs: [number, number];
  readonly wakeUps: [number, number];
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux
const TOP_FOLDERS = 100;
const FOLDERS_EACH = 200; // 100 × 200 = 20,000 folders below the top ones
/** Start-up is over once the CPU time has not moved for this long (a background walk, JIT, GC). */
const SETTLED_MS = 2000;

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

async function wakeUps(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
}

/** The daemon's idle window: CPU ms and main-thread wake-ups over IDLE_MS, after it settled. */
async function idle(tab: string, dir: string, backend: string): Promise<Idle> {
  const stateDir = join(dir, `state-${backend}`);
  const child = spawn(
    process.execPath,
    [
      WATCHTABD,
      '--watchtab',
      tab,
      '--backend',
      backend,
      '--socket',
      join(dir, `${backend}.sock`),
      '--state-dir',
      stateDir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
    const started = Date.now();
    while (!/\bready\b/.test(log)) {
      if (child.exitCode !== null || Date.now() - started > 120_000) throw new Error(`not ready:\n${log}`);
      await sleep(20);
    }
    const pid = child.pid!;
    let last = await cpuTicks(pid);
    let still = 0;
    while (still < SETTLED_MS) {
      if (Date.now() - started > 180_000) throw new Error('start-up work did not settle in 180 s');
      await sleep(250);
      const now = await cpuTicks(pid);
      still = now === last ? still + 250 : 0;
      last = now;
    }
    const settledS = (Date.now() - started) / 1000;
    const [t0, w0] = [await cpuTicks(pid), await wakeUps(pid)];
    await sleep(IDLE_MS);
    const [t1, w1] = [await cpuTicks(pid), await wakeUps(pid)];
    await sleep(IDLE_MS);
    const [t2, w2] = [await cpuTicks(pid), await wakeUps(pid)];
    const ms = (ticks: number): number => (ticks * 1000) / CLOCK_TICKS;
    return { settledS, cpuMs: [ms(t1 - t0), ms(t2 - t1)], wakeUps: [w1 - w0, w2 - w1] };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-idle-cpu-'));
  const isOwnFs =
    process.getuid?.() === 0 &&
    process.env['BENCH_SHARED_FS'] !== '1' &&
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', dir]).status === 0;
  try {
    // The example, copied with its demo folder (its commands write there, never in the checkout).
    const example = join(dir, 'example');
    await mkdir(example);
    for (const name of ['watchtab.example', 'watchtab.example.d', 'demo'])
      await cp(join(CHECKOUT, name), join(example, name), { recursive: true });
    const tree = join(dir, 'tree');
    for (let i = 0; i < (EXAMPLE_ONLY ? 0 : TOP_FOLDERS); i++)
      for (let j = 0; j < FOLDERS_EACH; j++) await mkdir(join(tree, `d${i}`, `e${j}`), { recursive: true });
    const big = join(dir, 'big.watchtab');
    await writeFile(big, `${tree}/**\tcreate,close_write,delete\ttrue\n`);
    const backends = probeFanotify().ok ? ['inotify', 'fanotify'] : ['inotify'];
    const where = isOwnFs ? 'a tmpfs of its own' : `${tmpdir()}, shared with the machine`;
    console.log(`two idle windows of ${IDLE_MS / 1000} s; the trees on ${where}\n`);
    console.log(
      '| watchtab | back-end | settled after s | CPU ms, window 1 / 2 | main-thread wake-ups, 1 / 2 |',
    );
    console.log('| --- | --- | ---: | ---: | ---: |');
    const rows: { watchtab: string; backend: string; idle: Idle }[] = [];
    const row = (watchtab: string, backend: string, r: Idle): void => {
      rows.push({ watchtab, backend, idle: r });
      console.log(
        `| ${watchtab} | ${backend} | ${r.settledS.toFixed(1)} | ${r.cpuMs[0]} / ${r.cpuMs[1]} | ${r.wakeUps[0]} / ${r.wakeUps[1]} |`,
      );
    };
    for (const backend of backends) {
      const tab = join(example, 'watchtab.example');
      row('watchtab.example', backend, await idle(tab, dir, backend));
      if (!EXAMPLE_ONLY) row('20,000 folders', backend, await idle(big, dir, backend));
    }
    if (JSON_OUT !== undefined)
      writeFileSync(
        JSON_OUT,
        `${JSON.stringify({ date: new Date(), idleMs: IDLE_MS, where, rows }, null, 1)}\n`,
      );
  } finally {
    if (isOwnFs) spawnSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
