// Issue 14's burst aim, counted on the real daemon: one save is one run with the default settings.
// One entry on `inbox/{target,marker}` (every event, every other setting at its default, as
// test/e2e/one-save-one-run.test.ts), then each writer saves `target` N times; after each save a
// write to `marker`, whose run comes after every run the save queued: the `target` runs between two
// marker runs are that save's runs. inotify always; fanotify as root (skipped with the reason
// otherwise). By hand, or from bench/aims.ts:
//   npm run build && node dist/bench/bursts.js [--saves 10] [--backends inotify,fanotify] [--json FILE]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { probeFanotify } from '../src/watch/fanotify/instance.js';
import { linesOf } from './run-facts.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}
const SAVES = Number(option('--saves') ?? 10);
const BACKENDS = (option('--backends') ?? 'inotify,fanotify').split(',');
const JSON_OUT = option('--json');
const WATCHTABD = fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));

/** How each kind of writer saves `target`; vim only where it is installed. */
const WRITERS: Readonly<Record<string, ((target: string) => void) | null>> = {
  'echo >>': (target) => execFileSync('/bin/sh', ['-c', 'echo more >> "$1"', 'sh', target]),
  'sed -i': (target) => execFileSync('sed', ['-i', 's/a/b/', target]),
  'editor: vim :wq': existsSync('/usr/bin/vim')
    ? (target) =>
        execFileSync('/usr/bin/vim', ['-N', '-u', 'NONE', '-n', '-es', '-c', '$s/$/!/', '-c', 'wq', target], {
          stdio: 'ignore',
        })
    : null,
  'editor: temp + rename': (target) => {
    const temp = `${target}.tmp~`;
    writeFileSync(temp, 'saved\n');
    renameSync(temp, target);
  },
};

interface Counted {
  readonly backend: string;
  readonly writer: string;
  readonly saves: number;
  /** Runs of `target` each save made, in order. */
  readonly runs: number[];
  readonly note?: string;
}

async function until(what: string, ok: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!ok()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(5);
  }
}

async function countFor(backend: string): Promise<Counted[]> {
  const dir = mkdtempSync(join(tmpdir(), 'watchtab-bench-bursts-'));
  let child: ChildProcess | null = null;
  try {
    const inbox = join(dir, 'inbox');
    mkdirSync(inbox);
    const target = join(inbox, 'target');
    const marker = join(inbox, 'marker');
    writeFileSync(target, 'a\n');
    writeFileSync(marker, '');
    const out = join(dir, 'out');
    const tab = join(dir, 'watchtab.yaml');
    writeFileSync(
      tab,
      `entries:\n  - name: saves\n    path: ${inbox}/{target,marker}\n    events: '*'\n` +
        `    backend: ${backend}\n    env: { OUT: ${out} }\n` +
        `    command: 'echo "$(basename "$WATCHTAB_PATH") $WATCHTAB_COUNT $WATCHTAB_EVENT" >> "$OUT"'\n`,
    );
    const daemon = spawn(
      process.execPath,
      [WATCHTABD, '--watchtab', tab, '--socket', join(dir, 'sock'), '--state-dir', join(dir, 'state')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = daemon;
    let log = '';
    daemon.stderr?.on('data', (c: Buffer) => (log += c.toString('utf8')));
    await until('the daemon ready', () => /\bready\b/.test(log) || daemon.exitCode !== null, 60_000);
    if (daemon.exitCode !== null) throw new Error(`watchtabd exited: ${log.slice(-400)}`);
    const counted: Counted[] = [];
    for (const [writer, save] of Object.entries(WRITERS)) {
      if (save === null) {
        counted.push({ backend, writer, saves: 0, runs: [], note: 'not installed' });
        continue;
      }
      const runs: number[] = [];
      for (let i = 0; i < SAVES; i++) {
        const before = linesOf(out).length;
        save(target);
        await until(`${writer}: the save's run`, () => linesOf(out).length > before);
        writeFileSync(marker, `${i}\n`);
        await until(`${writer}: the marker's run`, () =>
          linesOf(out)
            .slice(before)
            .some((l) => l.startsWith('marker ')),
        );
        const these = linesOf(out).slice(before);
        const upTo = these.findIndex((l) => l.startsWith('marker '));
        runs.push(these.slice(0, upTo).filter((l) => l.startsWith('target ')).length);
        // The marker's own run may still be followed by nothing else: wait for quiet before the next.
        await sleep(20);
      }
      counted.push({ backend, writer, saves: SAVES, runs });
      console.log(`${backend} ${writer}: runs per save ${runs.join(' ')}`);
    }
    return counted;
  } finally {
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const all: Counted[] = [];
  const skipped: Record<string, string> = {};
  for (const backend of BACKENDS) {
    if (backend === 'fanotify') {
      const probe = process.getuid?.() === 0 ? probeFanotify() : { ok: false as const, reason: 'needs root' };
      if (!probe.ok) {
        skipped[backend] = probe.reason;
        console.log(`skipping fanotify: ${probe.reason}`);
        continue;
      }
    }
    all.push(...(await countFor(backend)));
  }
  console.log('| back-end | writer | saves | runs in all | runs per save (max) | one save = one run |');
  console.log('| --- | --- | ---: | ---: | ---: | --- |');
  for (const c of all)
    console.log(
      `| ${c.backend} | ${c.writer} | ${c.saves} | ${c.runs.reduce((a, b) => a + b, 0)} | ` +
        `${c.runs.length === 0 ? '—' : Math.max(...c.runs)} | ${c.note ?? (c.runs.every((r) => r === 1) ? 'yes' : 'no')} |`,
    );
  if (JSON_OUT !== undefined)
    writeFileSync(
      JSON_OUT,
      `${JSON.stringify({ date: new Date(), saves: SAVES, skipped, counted: all }, null, 1)}\n`,
    );
}

await main();
