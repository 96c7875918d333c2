// watchtab against the tools users would pick instead (issue 7): incron, GNU direvent, entr,
// `inotifywait -m -r` in a shell loop, chokidar-cli and nodemon, each through a small adapter on
// the same work, the tools alternated and the rounds repeated (the machine is shared and noisy):
//   latency  file write to command start, over 200 writes (median, p95);
//   burst    5,000 files created at once, a command of 50 ms: runs, most commands at once, and
//            whether a run started after the last write (the final state seen);
//   scale    a recursive watch of a 20,000-folder tree (100,000 once, for the tools that cope):
//            time to armed and peak RSS of the tool's process tree;
//   idle     CPU (utime+stime of the process tree) over 10 s with nothing happening.
// Installs nothing: a missing peer is skipped with how to get it. By hand, never in npm test:
//   npm run bench -- [--rounds N] [--writes N] [--only a,b] [--skip-100k] [--with-100k-node]
//                    [--watchtabd FILE] [--json FILE] [--scenarios latency,burst,scale]
// Results: bench/RESULTS-peers.md, raw JSON in bench/results-peers.json.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  watch as fsWatch,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { linesOf, machineFacts } from './run-facts.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PEERS_BIN = join(REPO, 'bench/peers/node_modules/.bin');
const TICKS_PER_SECOND = 100; // USER_HZ
const IDLE_MS = 10_000;
const BURST_FILES = 5000;
const BURST_CAP_MS = 30_000;

// ---------------------------------------------------------------- options

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}
const ROUNDS = Number(option('--rounds') ?? 3);
const WRITES = Number(option('--writes') ?? 200);
const ONLY = option('--only')?.split(',');
const SCENARIOS = (option('--scenarios') ?? 'latency,burst,scale').split(',');
const SKIP_100K = process.argv.includes('--skip-100k');
const NODE_100K = process.argv.includes('--with-100k-node');
const WATCHTABD = option('--watchtabd') ?? join(REPO, 'dist/bin/watchtabd.js');
const JSON_OUT = option('--json') ?? join(REPO, 'bench/results-peers.json');

// ---------------------------------------------------------------- clocks and /proc

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with `date +%s%N`. */
let anchorMs = 0;
function calibrate(): void {
  // Date.now() only has milliseconds: catch the moment it ticks over, when it is exact.
  const first = Date.now();
  let now = first;
  while (now === first) now = Date.now();
  anchorMs = now - performance.now();
}
const wallMs = (): number => anchorMs + performance.now();
const nsLineToMs = (line: string): number | null =>
  /^\d+$/.test(line.trim()) ? Number(BigInt(line.trim()) / 1000n) / 1000 : null;

function children(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(name));
      map.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

/** The process and all its descendants. */
function tree(pid: number): number[] {
  const kids = children();
  const out: number[] = [];
  const stack = [pid];
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      // gone
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

function hwmMiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += m ? Number(m[1]) : 0;
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

function quiet(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    const text = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
    return text === '' ? null : text;
  }
}

function onPath(cmd: string): string | null {
  if (cmd.startsWith('/')) return existsSync(cmd) ? cmd : null;
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const full = join(dir, cmd);
    if (dir !== '' && existsSync(full)) return full;
  }
  return null;
}

const dpkgVersion = (pkg: string): string | null => quiet('dpkg-query', ['-W', '-f', '${Version}', pkg]);
const npmVersion = (pkg: string): string | null => {
  try {
    const meta = JSON.parse(
      readFileSync(join(REPO, 'bench/peers/node_modules', pkg, 'package.json'), 'utf8'),
    ) as { version: string };
    return meta.version;
  } catch {
    return null;
  }
};

// ---------------------------------------------------------------- adapters

/** What one tool is asked to do: run `command` when a file under `dir` is written. */
interface Job {
  readonly dir: string;
  readonly recursive: boolean;
  readonly command: string;
  /** A scratch folder for the tool's own configuration. */
  readonly scratch: string;
}

interface Launch {
  readonly cmd: string;
  readonly args: string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: string;
}

interface Adapter {
  readonly name: string;
  /** Null when the tool is not installed. */
  version(): string | null;
  readonly install: string;
  /** A line the tool prints once armed; probing by writes otherwise. */
  readonly ready?: RegExp;
  /** How long a probe write waits for the command before the next (entr waits for writes to settle). */
  readonly probeEveryMs?: number;
  /** Why it cannot take part in a scenario, if it cannot. */
  readonly cannot?: Partial<Record<'latency' | 'burst' | 'scale', string>>;
  launch(job: Job): Launch;
}

const sh = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function watchtabAdapter(backend: 'inotify' | 'fanotify', delay = 0): Adapter {
  const only = 'a burst-only variant: the same back-end with a delay that folds the burst';
  return {
    name: `watchtab ${backend}${delay > 0 ? `, delay ${delay}` : ''}`,
    ...(delay > 0 ? { cannot: { latency: only, scale: only } } : {}),
    version: () => (existsSync(WATCHTABD) ? quiet(process.execPath, [WATCHTABD, '--version']) : null),
    install: 'npm run build (dist/bin/watchtabd.js)',
    ready: /\bready\b/,
    launch(job) {
      const path = job.recursive ? `${job.dir}/**` : job.dir;
      // YAML, to raise the runaway guard (20 runs in 10 s pause an entry) out of reach where the daemon
      // has it; JSON strings are YAML strings.
      const entry = (guardOff: boolean): string =>
        `entries:\n  - path: ${JSON.stringify(path)}\n    events: [close_write]\n    delay: ${delay}\n` +
        `    command: ${JSON.stringify(job.command)}\n${guardOff ? '    trigger-limit-burst: 1000000\n' : ''}`;
      const tab = join(job.scratch, 'watchtab.yaml');
      writeFileSync(tab, entry(true));
      if (
        quiet(process.execPath, [WATCHTABD, '--check', '--watchtab', tab])?.includes('trigger-limit') === true
      )
        writeFileSync(tab, entry(false));
      return {
        cmd: process.execPath,
        args: [WATCHTABD, '--watchtab', tab, '--backend', backend, '--socket', join(job.scratch, 'sock')],
      };
    },
  };
}

const ADAPTERS: Adapter[] = [
  watchtabAdapter('inotify'),
  watchtabAdapter('fanotify'),
  watchtabAdapter('inotify', 0.5),
  {
    name: 'incron',
    version: () => (onPath('incrond') ? dpkgVersion('incron') : null),
    install: 'apt-get install incron',
    launch(job) {
      // A private configuration (incrond -f): its own system table folder, no user tables.
      const tabs = join(job.scratch, 'incron.d');
      const users = join(job.scratch, 'incron.users');
      mkdirSync(tabs);
      mkdirSync(users);
      const mask = job.recursive ? 'IN_CLOSE_WRITE' : 'IN_CLOSE_WRITE,recursive=false';
      // incron expands $@ $# $% $&: a literal dollar is $$.
      writeFileSync(join(tabs, 'bench'), `${job.dir} ${mask} ${job.command.replaceAll('$', '$$')}\n`);
      const conf = join(job.scratch, 'incron.conf');
      writeFileSync(
        conf,
        `system_table_dir = ${tabs}\nuser_table_dir = ${users}\n` +
          `lockfile_dir = ${job.scratch}\nlockfile_name = incrond-bench\n`,
      );
      return { cmd: 'incrond', args: ['-n', '-f', conf] };
    },
  },
  {
    name: 'direvent',
    version: () => (onPath('direvent') ? dpkgVersion('direvent') : null),
    install: 'apt-get install direvent',
    launch(job) {
      const conf = join(job.scratch, 'direvent.conf');
      const quoted = job.command.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
      writeFileSync(
        conf,
        `watcher {\n  path ${job.dir}${job.recursive ? ' recursive' : ''};\n  event write;\n` +
          `  command "${quoted}";\n  option (shell);\n}\n`,
      );
      return { cmd: 'direvent', args: ['-f', conf] };
    },
  },
  {
    name: 'entr',
    version: () => (onPath('entr') ? dpkgVersion('entr') : null),
    install: 'apt-get install entr',
    probeEveryMs: 200,
    cannot: {
      burst: 'entr watches the files it is given; a new file makes `entr -d` exit, not run',
      scale: 'entr watches a list of files, not a tree (new folders are not followed)',
    },
    launch(job) {
      return {
        cmd: 'entr',
        args: ['-n', '-p', '-s', job.command],
        env: { ...process.env, SHELL: '/bin/sh' },
        stdin: `${join(job.dir, 'f.txt')}\n`,
      };
    },
  },
  {
    name: 'inotifywait loop',
    version: () => (onPath('inotifywait') ? dpkgVersion('inotify-tools') : null),
    install: 'apt-get install inotify-tools',
    ready: /Watches established/,
    launch(job) {
      const r = job.recursive ? '-r ' : '';
      return {
        cmd: '/bin/sh',
        args: [
          '-c',
          `inotifywait -m ${r}-e close_write --format '%w%f' ${sh(job.dir)} | ` +
            `while read -r f; do ${job.command}; done`,
        ],
      };
    },
  },
  {
    name: 'chokidar-cli',
    version: () => (existsSync(join(PEERS_BIN, 'chokidar')) ? npmVersion('chokidar-cli') : null),
    install: 'npm install --prefix bench/peers',
    ready: /^Watching /m,
    launch(job) {
      // No debounce (its default is 400 ms), so it is timed like the others.
      return { cmd: join(PEERS_BIN, 'chokidar'), args: [job.dir, '-d', '0', '-c', job.command] };
    },
  },
  {
    name: 'nodemon',
    version: () => (existsSync(join(PEERS_BIN, 'nodemon')) ? npmVersion('nodemon') : null),
    install: 'npm install --prefix bench/peers',
    launch(job) {
      // Every extension, no delay, run on changes only (not once at start).
      return {
        cmd: join(PEERS_BIN, 'nodemon'),
        args: ['--watch', job.dir, '--ext', '*', '--delay', '0', '--on-change-only', '--exec', job.command],
      };
    },
  },
];

// ---------------------------------------------------------------- running a tool

interface Running {
  readonly child: ChildProcess;
  readonly startedMs: number;
  output: string;
  exited: boolean;
}

function start(launch: Launch): Running {
  const child = spawn(launch.cmd, launch.args, {
    stdio: [launch.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: launch.env ?? process.env,
    detached: true, // its own process group, killed whole at the end
  });
  const run: Running = { child, startedMs: wallMs(), output: '', exited: false };
  const collect = (d: Buffer): void => {
    run.output += d.toString();
    if (run.output.length > 1_000_000) run.output = run.output.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.on('exit', () => (run.exited = true));
  child.on('error', (e) => {
    run.output += `\nspawn error: ${e.message}`;
    run.exited = true;
  });
  if (launch.stdin !== undefined) child.stdin?.end(launch.stdin);
  return run;
}

async function stop(run: Running): Promise<void> {
  const pid = run.child.pid;
  if (pid === undefined) return;
  const all = tree(pid);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL'); // commands the tool put in sessions of their own
    } catch {
      // gone
    }
  }
  if (!run.exited) await new Promise((resolve) => run.child.once('exit', resolve));
}

/** Resolves when `file` gains lines beyond `count`, or after `withinMs` (then null). */
function waitLines(file: string, count: number, withinMs: number): Promise<string[] | null> {
  return new Promise((resolve) => {
    let done = false;
    const check = (): void => {
      if (done) return;
      const now = linesOf(file);
      if (now.length > count) finish(now);
    };
    const finish = (value: string[] | null): void => {
      done = true;
      watcher.close();
      clearTimeout(timer);
      clearInterval(backstop);
      resolve(value);
    };
    const watcher = fsWatch(file, check);
    const timer = setTimeout(() => finish(null), withinMs);
    const backstop = setInterval(check, 50);
    check();
  });
}

/**
 * Waits until the tool is armed: its ready line, or else (and for tools with none) the command
 * firing on repeated writes of `probe`. Returns the time from spawn in ms, or null.
 */
async function armed(
  adapter: Adapter,
  run: Running,
  out: string,
  probe: string,
  withinMs: number,
): Promise<{ ms: number | null; how: string }> {
  const deadline = performance.now() + withinMs;
  if (adapter.ready !== undefined) {
    const ready = adapter.ready;
    while (performance.now() < deadline && !run.exited) {
      if (ready.test(run.output)) return { ms: wallMs() - run.startedMs, how: 'ready line' };
      await sleep(5);
    }
    return { ms: null, how: run.exited ? 'exited' : 'no ready line' };
  }
  const before = linesOf(out).length;
  const writes: number[] = [];
  while (performance.now() < deadline && !run.exited) {
    writes.push(wallMs());
    writeFileSync(probe, 'probe\n');
    const got = await waitLines(out, before, adapter.probeEveryMs ?? 25);
    if (got !== null) {
      const fired = nsLineToMs(got[before] ?? '') ?? wallMs();
      const cause = writes.filter((w) => w <= fired).at(-1) ?? writes[0] ?? 0;
      await sleep(200);
      return { ms: cause - run.startedMs, how: 'probe' };
    }
  }
  return { ms: null, how: run.exited ? 'exited' : 'probe never fired' };
}

// ---------------------------------------------------------------- scenarios

interface LatencyResult {
  readonly tool: string;
  readonly round: number;
  readonly writes: number;
  readonly missed: number;
  readonly extraRuns: number;
  readonly medianMs: number | null;
  readonly p95Ms: number | null;
  readonly samplesMs: number[];
  readonly note?: string;
}

interface BurstResult {
  readonly tool: string;
  readonly round: number;
  readonly runs: number;
  readonly maxConcurrent: number;
  readonly finalStateSeen: boolean;
  readonly writeMs: number;
  readonly settledMs: number;
  /** Still running commands when the cap was reached (a tool working through one run per file). */
  readonly capped: boolean;
  readonly note?: string;
}

interface ScaleResult {
  readonly tool: string;
  readonly round: number;
  readonly folders: number;
  readonly armedMs: number | null;
  readonly armedBy: string;
  readonly peakRssMiB: number | null;
  readonly idleCpuMs: number | null;
  readonly note?: string;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? null;
}

function workspace(root: string, label: string): { dir: string; scratch: string; out: string } {
  const base = mkdtempSync(join(root, `${label.replaceAll(' ', '-')}-`));
  const dir = join(base, 'w');
  const scratch = join(base, 'conf');
  mkdirSync(dir);
  mkdirSync(scratch);
  writeFileSync(join(dir, 'f.txt'), 'start\n');
  const out = join(base, 'out');
  writeFileSync(out, '');
  return { dir, scratch, out };
}

async function latency(adapter: Adapter, round: number, root: string): Promise<LatencyResult> {
  const ws = workspace(root, `latency-${adapter.name}`);
  const target = join(ws.dir, 'f.txt');
  const run = start(
    adapter.launch({
      dir: ws.dir,
      recursive: false,
      command: `date +%s%N >> ${ws.out}`,
      scratch: ws.scratch,
    }),
  );
  const base = { tool: adapter.name, round, writes: WRITES };
  try {
    calibrate();
    const arm = await armed(adapter, run, ws.out, target, 20_000);
    if (arm.ms === null) {
      return {
        ...base,
        missed: WRITES,
        extraRuns: 0,
        medianMs: null,
        p95Ms: null,
        samplesMs: [],
        note: `not armed: ${arm.how}; ${run.output.trim().slice(-300)}`,
      };
    }
    await sleep(300);
    const samples: number[] = [];
    let missed = 0;
    let extra = 0;
    let missedInRow = 0;
    let note: string | undefined;
    for (let i = 0; i < WRITES; i++) {
      const count = linesOf(ws.out).length;
      const t = wallMs();
      writeFileSync(target, `${i}\n`);
      const got = await waitLines(ws.out, count, 2000);
      if (got === null) {
        missed++;
        if (++missedInRow === 10) {
          note = `stopped after 10 writes in a row ran nothing; ${run.output.trim().slice(-300)}`;
          break;
        }
        if (missed === 3 && samples.length === 0) {
          return {
            ...base,
            missed: WRITES,
            extraRuns: 0,
            medianMs: null,
            p95Ms: null,
            samplesMs: [],
            note: `not armed: ready, but the first 3 writes ran nothing; ${run.output.trim().slice(-300)}`,
          };
        }
        continue;
      }
      missedInRow = 0;
      samples.push((nsLineToMs(got[count] ?? '') ?? Number.NaN) - t);
      // Let stragglers land; jittered, so no phase lock with a tool's timers.
      await sleep((adapter.probeEveryMs ?? 40) + Math.random() * 20);
      extra += linesOf(ws.out).length - count - 1;
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      ...base,
      missed,
      extraRuns: extra,
      medianMs: quantile(sorted, 0.5),
      p95Ms: quantile(sorted, 0.95),
      samplesMs: samples.map((s) => Math.round(s * 1000) / 1000),
      ...(note === undefined ? {} : { note }),
    };
  } finally {
    await stop(run);
    rmSync(join(ws.dir, '..'), { recursive: true, force: true });
  }
}

async function burst(adapter: Adapter, round: number, root: string): Promise<BurstResult> {
  const ws = workspace(root, `burst-${adapter.name}`);
  // Start and end markers with the shell's pid, appended (O_APPEND: whole lines, in order); a
  // command stopped by its tool (nodemon restarts) still writes its end marker.
  const script = join(ws.scratch, 'cmd.sh');
  writeFileSync(
    script,
    `#!/bin/sh\ntrap 'echo "e $$" >> ${ws.out}; exit 143' TERM INT HUP USR2\n` +
      `echo "s $$" >> ${ws.out}\nsleep 0.05\necho "e $$" >> ${ws.out}\n`,
  );
  chmodSync(script, 0o755);
  const run = start(adapter.launch({ dir: ws.dir, recursive: false, command: script, scratch: ws.scratch }));
  const base = { tool: adapter.name, round };
  try {
    calibrate();
    const arm = await armed(adapter, run, ws.out, join(ws.dir, 'f.txt'), 20_000);
    if (arm.ms === null) {
      return {
        ...base,
        runs: 0,
        maxConcurrent: 0,
        finalStateSeen: false,
        writeMs: 0,
        settledMs: 0,
        capped: false,
        note: `not armed: ${arm.how}`,
      };
    }
    // Let the probe's run (if any) end, then start counting from here.
    await sleep(500);
    writeFileSync(ws.out, '');
    const t0 = performance.now();
    for (let i = 0; i < BURST_FILES; i++) writeFileSync(join(ws.dir, `b${i}.txt`), `${i}\n`);
    appendFileSync(ws.out, 'w\n');
    const writeMs = performance.now() - t0;
    // Settled: nothing running and nothing new for 2 s (or the cap reached).
    let last = -1;
    let lastChange = performance.now();
    let capped = true;
    while (performance.now() - t0 < BURST_CAP_MS) {
      await sleep(100);
      const now = linesOf(ws.out);
      const starts = now.filter((l) => l.startsWith('s ')).length;
      const ends = now.filter((l) => l.startsWith('e ')).length;
      if (now.length !== last) {
        last = now.length;
        lastChange = performance.now();
      } else if (starts === ends && performance.now() - lastChange > 2000) {
        capped = false;
        break;
      }
    }
    if (capped) await stop(run); // no more lines from here on
    const settledMs = lastChange - t0;
    let running = 0;
    let max = 0;
    let runs = 0;
    let afterLast = false;
    let marker = false;
    for (const l of linesOf(ws.out)) {
      if (l === 'w') marker = true;
      else if (l.startsWith('s ')) {
        runs++;
        max = Math.max(max, ++running);
        if (marker) afterLast = true;
      } else if (l.startsWith('e ')) running = Math.max(0, running - 1);
    }
    return { ...base, runs, maxConcurrent: max, finalStateSeen: afterLast, writeMs, settledMs, capped };
  } finally {
    await stop(run);
    rmSync(join(ws.dir, '..'), { recursive: true, force: true });
  }
}

/** A tree of `count` folders, 3 levels of ~cube-root fan-out; returns the last folder made. */
function makeTree(root: string, count: number): string {
  const fan = Math.ceil(Math.cbrt(count));
  let made = 0;
  let last = root;
  for (let a = 0; a < fan && made < count; a++)
    for (let b = 0; b < fan && made < count; b++)
      for (let c = 0; c < fan && made < count; c++) {
        last = join(root, `a${a}`, `b${b}`, `c${c}`);
        mkdirSync(last, { recursive: true });
        made++;
      }
  return last;
}

function walk(root: string): void {
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop())
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) stack.push(join(dir, e.name));
}

async function scale(
  adapter: Adapter,
  round: number,
  root: string,
  treeRoot: string,
  deepest: string,
  folders: number,
  measureIdle: boolean,
): Promise<ScaleResult> {
  const ws = workspace(root, `scale-${adapter.name}`);
  walk(treeRoot); // a warm dentry cache for every tool alike
  calibrate();
  const run = start(
    adapter.launch({
      dir: treeRoot,
      recursive: true,
      command: `date +%s%N >> ${ws.out}`,
      scratch: ws.scratch,
    }),
  );
  const base = { tool: adapter.name, round, folders };
  const probe = join(deepest, 'probe.txt');
  try {
    const arm = await armed(adapter, run, ws.out, probe, folders > 50_000 ? 120_000 : 90_000);
    const pids = tree(run.child.pid ?? 0);
    if (arm.ms === null) {
      return {
        ...base,
        armedMs: null,
        armedBy: arm.how,
        peakRssMiB: hwmMiB(pids),
        idleCpuMs: null,
        note: `not armed: ${arm.how}; ${run.output.trim().slice(-200)}`,
      };
    }
    let idleCpuMs: number | null = null;
    if (measureIdle) {
      await sleep(1000); // let the moment of arming settle
      const idlePids = tree(run.child.pid ?? 0);
      const before = cpuMs(idlePids);
      await sleep(IDLE_MS);
      idleCpuMs = cpuMs(idlePids) - before;
    }
    return {
      ...base,
      armedMs: arm.ms,
      armedBy: arm.how,
      peakRssMiB: hwmMiB(tree(run.child.pid ?? 0)),
      idleCpuMs,
    };
  } finally {
    await stop(run);
    rmSync(probe, { force: true });
    rmSync(join(ws.dir, '..'), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- summary

interface Spread {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
}
function spread(values: readonly (number | null)[]): Spread {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return { median: null, min: null, max: null };
  const mid = v.length / 2;
  const median = v.length % 2 === 1 ? (v[Math.floor(mid)] ?? null) : ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2;
  return { median, min: v[0] ?? null, max: v.at(-1) ?? null };
}
const fmt = (x: number | null, d = 1): string => (x === null ? '—' : x.toFixed(d));
const fmtSpread = (s: Spread, d = 1): string =>
  s.median === null ? '—' : `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})`;

function summary(
  tools: readonly string[],
  lat: LatencyResult[],
  bur: BurstResult[],
  sca: ScaleResult[],
): string {
  const out: string[] = [];
  out.push(
    '| tool | latency median ms | latency p95 ms | missed | burst runs | burst max at once | final state seen |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const tool of tools) {
    const l = lat.filter((r) => r.tool === tool);
    const b = bur.filter((r) => r.tool === tool);
    const cap = b.some((r) => r.capped) ? ` (still running at ${BURST_CAP_MS / 1000} s)` : '';
    const seen = b.length === 0 ? '—' : `${b.filter((r) => r.finalStateSeen).length}/${b.length}`;
    out.push(
      `| ${tool} | ${fmtSpread(spread(l.map((r) => r.medianMs)), 2)} | ${fmtSpread(spread(l.map((r) => r.p95Ms)), 2)} | ` +
        `${l.reduce((n, r) => n + r.missed, 0)} | ${fmtSpread(spread(b.map((r) => r.runs)), 0)}${cap} | ` +
        `${fmtSpread(spread(b.map((r) => r.maxConcurrent)), 0)} | ${seen} |`,
    );
  }
  out.push('');
  out.push('| tool | folders | armed s | by | peak RSS MiB | idle CPU ms / 10 s |');
  out.push('| --- | ---: | ---: | --- | ---: | ---: |');
  const sizes = [...new Set(sca.map((r) => r.folders))].sort((a, b) => a - b);
  for (const size of sizes)
    for (const tool of tools) {
      const s = sca.filter((r) => r.tool === tool && r.folders === size);
      if (s.length === 0) continue;
      out.push(
        `| ${tool} | ${size} | ${fmtSpread(spread(s.map((r) => (r.armedMs === null ? null : r.armedMs / 1000))), 2)} | ` +
          `${[...new Set(s.map((r) => r.armedBy))].join(', ')} | ${fmtSpread(spread(s.map((r) => r.peakRssMiB)), 1)} | ` +
          `${fmtSpread(spread(s.map((r) => r.idleCpuMs)), 0)} |`,
      );
    }
  return out.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const root = mkdtempSync('/tmp/watchtab-peers-');
  const machine = {
    ...machineFacts(),
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    watchtabd: WATCHTABD,
  };
  const versions: Record<string, string> = {};
  const skipped: Record<string, string> = {};
  const tools: Adapter[] = [];
  for (const a of ADAPTERS) {
    if (ONLY !== undefined && !ONLY.some((o) => a.name.includes(o))) continue;
    const v = a.version();
    if (v === null) {
      skipped[a.name] = `not installed: ${a.install}`;
      process.stderr.write(`skipping ${a.name}: not installed (${a.install})\n`);
      continue;
    }
    versions[a.name] = v.split('\n')[0] ?? v;
    tools.push(a);
  }
  const lat: LatencyResult[] = [];
  const bur: BurstResult[] = [];
  const sca: ScaleResult[] = [];
  const log = (s: string): void =>
    void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
  const notes: string[] = [];
  // A tool that cannot arm at all (fanotify without the back-end) is dropped after one try.
  const broken = new Set<string>();
  const save = (): void =>
    writeFileSync(
      JSON_OUT,
      `${JSON.stringify({ machine, versions, skipped, notes, latency: lat, burst: bur, scale: sca }, null, 1)}\n`,
    );
  try {
    let trees: { folders: number; root: string; deepest: string }[] = [];
    if (SCENARIOS.includes('scale')) {
      const folders = 20_000;
      const t = join(root, `tree-${folders}`);
      log(`making a tree of ${folders} folders`);
      trees = [{ folders, root: t, deepest: makeTree(t, folders) }];
    }
    for (const a of tools)
      for (const s of ['latency', 'burst', 'scale'] as const)
        if (a.cannot?.[s] !== undefined && SCENARIOS.includes(s))
          notes.push(`${a.name}, ${s}: ${a.cannot[s]}`);
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate: each round every tool once per scenario, in an order rotated by round.
      const order = tools.map((_, i) => tools[(i + round - 1) % tools.length] as Adapter);
      for (const a of order) {
        if (broken.has(a.name)) continue;
        if (SCENARIOS.includes('latency') && a.cannot?.latency === undefined) {
          const r = await latency(a, round, root);
          log(
            `latency ${a.name} #${round}: median ${fmt(r.medianMs, 2)} p95 ${fmt(r.p95Ms, 2)} missed ${r.missed} ${r.note ?? ''}`,
          );
          lat.push(r);
          if (r.medianMs === null && r.note?.startsWith('not armed')) {
            broken.add(a.name);
            notes.push(`${a.name}: ${r.note}`);
            continue;
          }
        }
        if (SCENARIOS.includes('burst') && a.cannot?.burst === undefined) {
          const r = await burst(a, round, root);
          log(
            `burst ${a.name} #${round}: runs ${r.runs} max ${r.maxConcurrent} final ${r.finalStateSeen} ${r.note ?? ''}`,
          );
          bur.push(r);
        }
        save();
      }
      for (const t of trees)
        for (const a of order) {
          if (broken.has(a.name) || a.cannot?.scale !== undefined) continue;
          const r = await scale(a, round, root, t.root, t.deepest, t.folders, round === 1);
          log(
            `scale ${a.name} ${t.folders} #${round}: armed ${fmt(r.armedMs, 0)} ms (${r.armedBy}) rss ${fmt(r.peakRssMiB)} idle ${fmt(r.idleCpuMs, 0)} ${r.note ?? ''}`,
          );
          sca.push(r);
          save();
        }
    }
    if (SCENARIOS.includes('scale') && !SKIP_100K) {
      const folders = 100_000;
      const t = join(root, `tree-${folders}`);
      log(`making a tree of ${folders} folders`);
      const deepest = makeTree(t, folders);
      for (const a of tools) {
        if (broken.has(a.name) || a.cannot?.scale !== undefined) continue;
        if (!NODE_100K && (a.name === 'chokidar-cli' || a.name === 'nodemon')) {
          notes.push(
            `${a.name}, 100,000 folders: skipped (about a minute or more; --with-100k-node to run it)`,
          );
          continue;
        }
        const r = await scale(a, 1, root, t, deepest, folders, false);
        log(
          `scale ${a.name} ${folders}: armed ${fmt(r.armedMs, 0)} ms (${r.armedBy}) rss ${fmt(r.peakRssMiB)} ${r.note ?? ''}`,
        );
        sca.push(r);
        save();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    save();
  }
  process.stdout.write(`\n${JSON.stringify(machine)}\n${JSON.stringify(versions)}\n`);
  for (const [k, v] of Object.entries(skipped)) process.stdout.write(`skipped ${k}: ${v}\n`);
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(`\n${summary(Object.keys(versions), lat, bur, sca)}\n`);
}

await main();
