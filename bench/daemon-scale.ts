// watchtabd at scale, this build beside another (e.g. the last release, built elsewhere): start-up
// with N entries on the files of one folder (spawn → `ready`), and the spawn rate of M entries
// triggered by one write (first to last command start); this build runs with both spawners.
// `node dist/bench/daemon-scale.js [OTHER_DAEMON_JS…]` (BENCH_START_ENTRIES, BENCH_SPAWN_ENTRIES,
// BENCH_BACKENDS, BENCH_SKIP_START=execa, BENCH_READY_WITHIN_S)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const OWN = fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));
const START_ENTRIES = Number(process.env['BENCH_START_ENTRIES'] ?? 10_000);
const SPAWN_ENTRIES = Number(process.env['BENCH_SPAWN_ENTRIES'] ?? 1_000);
const BACKENDS = (process.env['BENCH_BACKENDS'] ?? 'inotify,fanotify').split(',');
const READY_WITHIN_MS = Number(process.env['BENCH_READY_WITHIN_S'] ?? 600) * 1000;

interface Daemon {
  readonly log: () => string;
  stop(): Promise<void>;
}

/** A daemon to measure: its script, and WATCHTAB_SPAWNER for this build (posix_spawn or execa). */
interface Subject {
  readonly label: string;
  readonly daemonJs: string;
  readonly spawner?: 'execa';
}

/** Starts `daemonJs` on `tab`; a release without `--state-dir` gets none. */
function startDaemon(subject: Subject, tab: string, dir: string, backend: string): Daemon {
  const { daemonJs } = subject;
  const help = spawnSync(process.execPath, [daemonJs, '--help'], { encoding: 'utf8' }).stdout;
  const state = help.includes('--state-dir') ? ['--state-dir', join(dir, 'state')] : [];
  const args = [daemonJs, '--watchtab', tab, '--socket', join(dir, 's.sock'), '--backend', backend, ...state];
  const env =
    subject.spawner === undefined ? process.env : { ...process.env, WATCHTAB_SPAWNER: subject.spawner };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
  const exited = new Promise((r) => child.once('exit', r));
  return {
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function until(
  what: string,
  isDone: () => boolean | Promise<boolean>,
  withinMs: number,
): Promise<void> {
  const started = Date.now();
  while (!(await isDone())) {
    if (Date.now() - started > withinMs) throw new Error(`${what}: not after ${withinMs} ms`);
    await sleep(5);
  }
}

/** Milliseconds from spawn to `ready`, N entries each on its own file of one folder. */
async function startUp(subject: Subject, backend: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-scale-'));
  try {
    const folder = join(dir, 'files');
    await mkdir(folder);
    const lines: string[] = [];
    for (let i = 0; i < START_ENTRIES; i++) {
      await writeFile(join(folder, `f${i}`), '');
      lines.push(`${folder}/f${i}\tclose_write\ttrue`);
    }
    const tab = join(dir, 'watchtab');
    await writeFile(tab, `${lines.join('\n')}\n`);
    const started = performance.now();
    const daemon = startDaemon(subject, tab, dir, backend);
    try {
      await until('ready', () => /\bready\b/.test(daemon.log()), READY_WITHIN_MS);
      return performance.now() - started;
    } finally {
      await daemon.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Commands started per second: M entries on one file, one write, first to last start. */
async function spawnRate(
  subject: Subject,
  backend: string,
): Promise<{ spreadMs: number; perSecond: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-scale-'));
  try {
    const trigger = join(dir, 'trigger');
    const starts = join(dir, 'starts');
    await writeFile(trigger, '');
    const lines: string[] = [];
    // Each command appends its start time (ns) in one write(2) of O_APPEND: lines never interleave.
    for (let i = 0; i < SPAWN_ENTRIES; i++) lines.push(`${trigger}\tclose_write\tdate +%s%N >> ${starts}`);
    const tab = join(dir, 'watchtab');
    await writeFile(tab, `${lines.join('\n')}\n`);
    const daemon = startDaemon(subject, tab, dir, backend);
    try {
      await until('ready', () => /\bready\b/.test(daemon.log()), READY_WITHIN_MS);
      await writeFile(trigger, 'x');
      const read = async (): Promise<bigint[]> =>
        (await readFile(starts, 'utf8').catch(() => ''))
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => BigInt(l));
      await until('every command started', async () => (await read()).length >= SPAWN_ENTRIES, 300_000);
      const times = await read();
      const first = times.reduce((a, b) => (b < a ? b : a));
      const last = times.reduce((a, b) => (b > a ? b : a));
      const spreadMs = Number(last - first) / 1e6;
      return { spreadMs, perSecond: ((times.length - 1) * 1000) / spreadMs };
    } finally {
      await daemon.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const subjects: Subject[] = [
    { label: 'this build (posix_spawn)', daemonJs: OWN },
    { label: 'this build (WATCHTAB_SPAWNER=execa)', daemonJs: OWN, spawner: 'execa' },
    ...process.argv.slice(2).map((daemonJs) => ({ label: daemonJs, daemonJs })),
  ];
  const skipStart = new Set((process.env['BENCH_SKIP_START'] ?? '').split(','));
  console.log(
    `| daemon | backend | start-up, ${START_ENTRIES} entries (ms) | ${SPAWN_ENTRIES} starts: first to last (ms) | starts/s |`,
  );
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const backend of BACKENDS) {
    for (const subject of subjects) {
      // The spawner does not take part in start-up: BENCH_SKIP_START=execa measures it once.
      const readyMs = skipStart.has(subject.spawner ?? '') ? null : await startUp(subject, backend);
      const rate = await spawnRate(subject, backend);
      const row = [
        subject.label,
        backend,
        readyMs === null ? '—' : readyMs.toFixed(0),
        rate.spreadMs.toFixed(0),
        rate.perSecond.toFixed(1),
      ];
      console.log(`| ${row.join(' | ')} |`);
    }
  }
}

await main();
