// Time to armed and peak RSS for a recursive watch on trees of 20,000 and 100,000 folders:
// watchtab's inotify back-end, `inotifywait -r -m` and chokidar 5, on the same trees in the same
// run, each in its own process measured from outside (spawn to ready; VmHWM from /proc/PID/status),
// then idle CPU over 10 s (utime+stime from /proc/PID/stat). By hand, not in npm test:
//   npx tsc -p . && node dist/bench/watch-arm.js [--no-chokidar-100k]
// Results go to bench/RESULTS-watch.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { sharedCubeTree } from './trees.js';

const SELF = fileURLToPath(import.meta.url);
const SIZES = [20_000, 100_000];
const IDLE_MS = 10_000;
const TICKS_PER_SECOND = 100; // USER_HZ

function walk(root: string): void {
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop())
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) stack.push(join(dir, e.name));
}

interface Measure {
  readonly tool: string;
  readonly folders: number;
  readonly readyMs: number | null;
  readonly hwmMiB: number | null;
  readonly idleCpuMs: number | null;
  readonly note?: string;
}

function statusKiB(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

async function measure(
  tool: string,
  folders: number,
  command: string,
  args: string[],
  readyText: string,
  timeoutMs: number,
): Promise<Measure> {
  const started = performance.now();
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const ready = new Promise<number | null>((resolve) => {
    const onData = (d: Buffer) => {
      text += d.toString();
      if (text.includes(readyText)) resolve(performance.now() - started);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', () => resolve(null));
    setTimeout(() => resolve(null), timeoutMs).unref();
  });
  const readyMs = await ready;
  const pid = child.pid ?? 0;
  let idleCpuMs: number | null = null;
  if (readyMs !== null && folders === SIZES[0]) {
    await sleep(500); // let the ready moment's work settle
    const before = cpuTicks(pid);
    await sleep(IDLE_MS);
    idleCpuMs = ((cpuTicks(pid) - before) * 1000) / TICKS_PER_SECOND;
  }
  const hwm = statusKiB(pid, 'VmHWM');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    tool,
    folders,
    readyMs,
    hwmMiB: hwm === null ? null : hwm / 1024,
    idleCpuMs,
    ...(readyMs === null ? { note: `not ready within ${timeoutMs / 1000} s` } : {}),
  };
}

// ---- child modes: watchtab and chokidar, each printing "ready" when armed ----

async function childWatchtab(dir: string): Promise<void> {
  const { createInotifyBackend } = await import('../src/watch/inotify/backend.js');
  const { createLogger } = await import('../src/log/logger.js');
  const { treeTarget } = await import('./tree-target.js');
  const { STAR_EVENTS } = await import('../src/watchtab/entry.js');
  const t0 = performance.now();
  const backend = createInotifyBackend({ logger: createLogger({ level: 'warn' }) });
  const armed = await backend.arm(treeTarget(dir, STAR_EVENTS), () => {});
  process.stdout.write(
    `ready ${(performance.now() - t0).toFixed(0)} ms in-process, ${armed.watchCount()} watches\n`,
  );
}

async function childChokidar(dir: string): Promise<void> {
  const { watch } = await import('chokidar');
  const watcher = watch(dir, { persistent: true, ignoreInitial: true });
  watcher.on('ready', () => process.stdout.write('ready\n'));
}

// Events through read, decode, pairing, state and dispatch: 8,000 symbolic links made and
// removed synchronously (16,000 kernel events, within the default queue of 16,384), then the
// time from the last system call to the last event delivered.
async function childDispatch(): Promise<void> {
  const { createInotifyBackend } = await import('../src/watch/inotify/backend.js');
  const { createLogger } = await import('../src/log/logger.js');
  const { mkdtempSync, rmSync, symlinkSync, unlinkSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/watchtab-bench-dispatch-');
  const backend = createInotifyBackend({ logger: createLogger({ level: 'warn' }) });
  const count = 8000;
  let seen = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  await backend.arm(
    {
      id: 'b',
      path: { kind: 'exact', path: dir },
      exclude: [],
      events: ['create', 'delete'],
      contentOnly: false,
      pollIntervalMs: 0,
    },
    () => {
      if (++seen === 2 * count) done();
    },
  );
  const t0 = performance.now();
  for (let i = 0; i < count; i++) symlinkSync('/nonexistent', join(dir, `l${i}`));
  for (let i = 0; i < count; i++) unlinkSync(join(dir, `l${i}`));
  const t1 = performance.now();
  await finished;
  const t2 = performance.now();
  process.stdout.write(
    `dispatch: ${2 * count} events; system calls ${(t1 - t0).toFixed(0)} ms, then delivered in ` +
      `${(t2 - t1).toFixed(0)} ms: ${((2 * count) / ((t2 - t1) / 1000)).toFixed(0)} events/s\n`,
  );
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}

function fmt(value: number | null, digits = 0): string {
  return value === null ? '—' : value.toFixed(digits);
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  if (mode === 'child-watchtab' && dir) return childWatchtab(dir);
  if (mode === 'child-chokidar' && dir) return childChokidar(dir);
  if (mode === 'dispatch') return childDispatch();
  const skipChokidar100k = process.argv.includes('--no-chokidar-100k');
  const rows: Measure[] = [];
  for (const size of SIZES) {
    const root = sharedCubeTree(size);
    walk(root); // warm the dentry cache once, untimed, so no tool pays for a cold cache
    rows.push(
      await measure(
        'inotifywait -r -m',
        size,
        'inotifywait',
        ['-r', '-m', root],
        'Watches established',
        120_000,
      ),
    );
    rows.push(
      await measure(
        'watchtab inotify',
        size,
        process.execPath,
        [SELF, 'child-watchtab', root],
        'ready',
        120_000,
      ),
    );
    rows.push(
      await measure(
        'watchtab inotify, node --max-semi-space-size=1',
        size,
        process.execPath,
        ['--max-semi-space-size=1', SELF, 'child-watchtab', root],
        'ready',
        120_000,
      ),
    );
    if (size === SIZES[1] && skipChokidar100k) {
      rows.push({
        tool: 'chokidar 5',
        folders: size,
        readyMs: null,
        hwmMiB: null,
        idleCpuMs: null,
        note: 'skipped',
      });
    } else {
      rows.push(
        await measure('chokidar 5', size, process.execPath, [SELF, 'child-chokidar', root], 'ready', 180_000),
      );
    }
  }
  process.stdout.write('| tool | folders | ready (s) | peak RSS (MiB) | idle CPU over 10 s (ms) | note |\n');
  process.stdout.write('| --- | ---: | ---: | ---: | ---: | --- |\n');
  for (const r of rows) {
    const readyS = r.readyMs === null ? null : r.readyMs / 1000;
    process.stdout.write(
      `| ${r.tool} | ${r.folders} | ${fmt(readyS, 2)} | ${fmt(r.hwmMiB, 1)} | ${fmt(r.idleCpuMs)} | ${r.note ?? ''} |\n`,
    );
  }
}

await main();
