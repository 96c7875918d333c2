// Idle cost of watchtabd: 50 entries armed, then CPU time (utime + stime from /proc/PID/stat) over
// two windows of 10 s with no file-system activity, and resident memory. Run by hand: `node dist/bench/daemon-idle.js`.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const WATCHTABD = fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));
const ENTRIES = 50;
const IDLE_MS = 10_000;
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

async function statusKiB(pid: number, key: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-idle-'));
  try {
    const lines: string[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      const folder = join(dir, `w${i}`);
      await mkdir(join(folder, 'sub'), { recursive: true });
      lines.push(`${folder}/**\tcreate,close_write,delete\ttrue`);
    }
    const tab = join(dir, 'watchtab');
    await writeFile(tab, `${lines.join('\n')}\n`);
    const child = spawn(process.execPath, [WATCHTABD, '--watchtab', tab, '--socket', join(dir, 's.sock')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
    const started = Date.now();
    while (!/\bready\b/.test(log)) {
      if (Date.now() - started > 30_000) throw new Error(`not ready after 30 s:\n${log}`);
      await sleep(20);
    }
    const readyMs = Date.now() - started;
    await sleep(500); // let start-up work (JIT, GC) settle before measuring idleness
    // Two windows back to back: a one-off collection after start-up (V8's memory reducer) shows
    // in the first only; a periodic wake-up would show in both.
    const t0 = await cpuTicks(child.pid!);
    await sleep(IDLE_MS);
    const t1 = await cpuTicks(child.pid!);
    await sleep(IDLE_MS);
    const t2 = await cpuTicks(child.pid!);
    const rssKiB = await statusKiB(child.pid!, 'VmRSS');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const ms = (ticks: number): number => (ticks * 1000) / CLOCK_TICKS;
    console.log(
      `| ${ENTRIES} | ${readyMs} | ${ms(t1 - t0)} | ${ms(t2 - t1)} | ${(rssKiB / 1024).toFixed(1)} |`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
