// Reload cost with many drop-ins: 5,000 files in FILE.d/ (one entry each), the real daemon, then one
// drop-in edited; the time from that write to the daemon's "reloaded" line, the reload's own time
// (from "watchtab changed" to "reloaded", by the daemon's log timestamps) and the daemon's CPU time.
// Run by hand: `npm run build && node dist/bench/reload-dropins.js [files] [edits]`; WATCHTABD=path
// runs another build of the daemon (the release before, for the comparison).
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const WATCHTABD = process.env['WATCHTABD'] ?? fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));
const FILES = Number(process.argv[2] ?? 5000);
const EDITS = Number(process.argv[3] ?? 5);
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function dropIn(dir: string, i: number, version: number): string {
  return `${join(dir, 'w', String(i))}\tclose_write\t0\techo ${version}\n`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-reload-'));
  try {
    await mkdir(join(dir, 'w'));
    const tab = join(dir, 'watchtab');
    await writeFile(tab, '');
    await mkdir(`${tab}.d`);
    for (let i = 0; i < FILES; i++) await writeFile(join(`${tab}.d`, `f${i}.tab`), dropIn(dir, i, 0));
    // The files are older than the daemon's first read by more than any clock granule.
    await sleep(1500);
    const child = spawn(process.execPath, [WATCHTABD, '--watchtab', tab, '--socket', join(dir, 's.sock')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const lines: string[] = [];
    let partial = '';
    child.stderr.on('data', (c: Buffer) => {
      const parts = (partial + c.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    const waitLine = async (pattern: RegExp, from: number): Promise<number> => {
      const started = Date.now();
      while (!lines.slice(from).some((l) => pattern.test(l))) {
        if (Date.now() - started > 60_000) throw new Error(`no ${pattern} in 60 s:\n${lines.join('\n')}`);
        await sleep(5);
      }
      return Date.now();
    };
    /** The daemon's own timestamp of the first line from `from` on matching `pattern`. */
    const loggedAt = (pattern: RegExp, from: number): number =>
      Date.parse(
        lines
          .slice(from)
          .find((l) => pattern.test(l))
          ?.split(' ')[0] ?? '',
      );
    const started = Date.now();
    await waitLine(/\bready\b/, 0);
    const readyMs = Date.now() - started;
    await sleep(1000);
    for (let edit = 1; edit <= EDITS; edit++) {
      const from = lines.length;
      const cpuBefore = await cpuMs(child.pid!);
      const wrote = Date.now();
      await writeFile(join(`${tab}.d`, `f${edit}.tab`), dropIn(dir, edit, edit));
      const reloaded = await waitLine(/\breloaded\b/, from);
      const workMs = loggedAt(/\breloaded\b/, from) - loggedAt(/watchtab changed/, from);
      await sleep(300);
      const cpu = (await cpuMs(child.pid!)) - cpuBefore;
      console.log(`| ${FILES} | ${readyMs} | ${edit} | ${reloaded - wrote} | ${workMs} | ${cpu} |`);
      await sleep(500);
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
