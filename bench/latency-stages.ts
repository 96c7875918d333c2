// Where the milliseconds go from a write to the command it triggers, stage by stage, from the real
// daemon, beside direvent and an `inotifywait -m` shell loop in the same run (tools alternated):
//   write        the writer's CLOCK_MONOTONIC just before its write(2) (≈ the kernel event);
//   read         the daemon's main thread starts reading the inotify fd (WATCHTAB_TRACE_STAGES);
//   slot         the entry's slot gets the trigger;
//   spawn-call   the runner calls the spawner (spawn-return: it returned, the pid known);
//   fork         the kernel creates the child (process-events connector, kernel timestamp);
//   exec sh      the child executes /bin/sh (connector);
//   exec cmd     the last exec of the run (the shell's own `date`, execed or forked+execed);
//   cmd          the command's first output: `date +%s%N` (CLOCK_REALTIME, converted).
// watchtab runs twice: with its default spawner (posix_spawn) and with execa (WATCHTAB_SPAWNER).
// Root only (the connector needs CAP_NET_ADMIN). By hand, never in npm test:
//   npm run build && node dist/bench/latency-stages.js [--writes 100] [--rounds 2] [--watchtabd FILE]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PROC_EVENT, PROC_EVENT_AT, ProcConnector } from '../src/system/proc-connector.js';
import { callLibc } from '../src/system/ffi-call.js';
import { DataType } from '../src/system/ffi.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}
const WRITES = Number(option('--writes') ?? 100);
const ROUNDS = Number(option('--rounds') ?? 2);
const WATCHTABD = option('--watchtabd') ?? fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));
const ONLY = option('--only')?.split(',');

// ---------------------------------------------------------------- clocks

function clockNs(clock: number): bigint {
  const ts = Buffer.alloc(16);
  callLibc('clock_gettime', DataType.I32, [DataType.I32, DataType.U8Array], [clock, ts]);
  return ts.readBigInt64LE(0) * 1_000_000_000n + ts.readBigInt64LE(8);
}
/** CLOCK_REALTIME − CLOCK_MONOTONIC, the best of a few tries (the narrowest bracket). */
function realMinusMono(): bigint {
  let best: { width: bigint; offset: bigint } | null = null;
  for (let i = 0; i < 20; i++) {
    const a = clockNs(1);
    const real = clockNs(0);
    const b = clockNs(1);
    const width = b - a;
    if (best === null || width < best.width) best = { width, offset: real - (a + b) / 2n };
  }
  return best?.offset ?? 0n;
}

// ---------------------------------------------------------------- tools

interface Tool {
  readonly name: string;
  readonly ready?: RegExp;
  launch(
    dir: string,
    scratch: string,
    command: string,
    traceFile: string,
  ): { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
}

/** watchtabd, with posix_spawn (its default) or with execa (WATCHTAB_SPAWNER=execa), on one build. */
function watchtab(spawner: 'posix' | 'execa'): Tool {
  return {
    name: spawner === 'posix' ? 'watchtab' : 'watchtab, execa',
    ready: /\bready\b/,
    launch(dir, scratch, command, traceFile) {
      const tab = join(scratch, 'watchtab.yaml');
      writeFileSync(
        tab,
        `entries:\n  - path: ${JSON.stringify(dir)}\n    events: [close_write]\n    delay: 0\n` +
          `    command: ${JSON.stringify(command)}\n    trigger-limit-burst: 1000000\n`,
      );
      return {
        cmd: process.execPath,
        args: [
          WATCHTABD,
          '--watchtab',
          tab,
          '--backend',
          'inotify',
          '--socket',
          join(scratch, 'sock'),
          '--state-dir',
          join(scratch, 'state'),
        ],
        env: { ...process.env, WATCHTAB_TRACE_STAGES: traceFile, WATCHTAB_SPAWNER: spawner },
      };
    },
  };
}

const TOOLS: Tool[] = [
  watchtab('posix'),
  watchtab('execa'),
  {
    name: 'direvent',
    launch(dir, scratch, command) {
      const conf = join(scratch, 'direvent.conf');
      const quoted = command.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
      writeFileSync(
        conf,
        `watcher {\n  path ${dir};\n  event write;\n  command "${quoted}";\n  option (shell);\n}\n`,
      );
      return { cmd: 'direvent', args: ['-f', conf] };
    },
  },
  {
    name: 'inotifywait loop',
    ready: /Watches established/,
    launch(dir, _scratch, command) {
      return {
        cmd: '/bin/sh',
        args: [
          '-c',
          `inotifywait -m -e close_write --format '%w%f' '${dir}' | while read -r f; do ${command}; done`,
        ],
      };
    },
  },
];

// ---------------------------------------------------------------- one sample

interface Sample {
  readonly writeNs: bigint;
  /** Nanoseconds after the write, per stage; null when not seen. */
  readonly stages: Record<string, number | null>;
}

interface KernelEvent {
  readonly kind: 'fork' | 'exec';
  readonly ns: bigint;
  readonly pid: number;
  readonly parent: number;
}

function drainKernel(connector: ProcConnector, into: KernelEvent[]): void {
  connector.drainRaw((buf, length) => {
    if (length < PROC_EVENT_AT.data + 8) return;
    const what = buf.readUInt32LE(PROC_EVENT_AT.what);
    const ns = buf.readBigUInt64LE(PROC_EVENT_AT.timestampNs);
    const at = PROC_EVENT_AT.data;
    if (what === PROC_EVENT.FORK && length >= at + 16) {
      const childPid = buf.readInt32LE(at + 8);
      const childTgid = buf.readInt32LE(at + 12);
      if (childPid === childTgid)
        into.push({ kind: 'fork', ns, pid: childTgid, parent: buf.readInt32LE(at + 4) });
    } else if (what === PROC_EVENT.EXEC) {
      into.push({ kind: 'exec', ns, pid: buf.readInt32LE(at + 4), parent: 0 });
    }
  });
}

const lineCount = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

async function waitLine(file: string, count: number, withinMs: number): Promise<string | null> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const lines = lineCount(file);
    if (lines.length > count) return lines[count] ?? null;
    if (Date.now() > deadline) return null;
    await sleep(1);
  }
}

async function series(
  tool: Tool,
  root: string,
  connector: ProcConnector,
): Promise<{ samples: Sample[]; trace: string }> {
  const base = mkdtempSync(join(root, `${tool.name.replaceAll(' ', '-')}-`));
  const dir = join(base, 'w');
  const scratch = join(base, 'conf');
  mkdirSync(dir);
  mkdirSync(scratch);
  const target = join(dir, 'f.txt');
  writeFileSync(target, 'start\n');
  const out = join(base, 'out');
  writeFileSync(out, '');
  const traceFile = join(scratch, 'stages');
  const launch = tool.launch(dir, scratch, `date +%s%N >> ${out}`, traceFile);
  const child: ChildProcess = spawn(launch.cmd, launch.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: launch.env ?? process.env,
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const samples: Sample[] = [];
  try {
    // Armed: the ready line, or for a tool without one, a probe write that runs the command.
    const armDeadline = Date.now() + 20_000;
    for (;;) {
      if (tool.ready !== undefined ? tool.ready.test(output) : lineCount(out).length > 0) break;
      if (Date.now() > armDeadline) throw new Error(`${tool.name}: not armed: ${output.slice(-300)}`);
      if (tool.ready === undefined) writeFileSync(target, 'probe\n');
      await sleep(tool.ready === undefined ? 100 : 5);
    }
    await sleep(300);
    const offset = realMinusMono();
    const tree = new Set<number>([child.pid ?? -1]);
    const events: KernelEvent[] = [];
    for (let i = 0; i < WRITES; i++) {
      drainKernel(connector, events);
      const count = lineCount(out).length;
      const writeNs = process.hrtime.bigint();
      writeFileSync(target, `${i}\n`);
      const line = await waitLine(out, count, 2000);
      drainKernel(connector, events);
      const stages: Record<string, number | null> = {
        fork: null,
        'exec sh': null,
        'exec cmd': null,
        cmd: null,
      };
      let execs = 0;
      for (const e of events) {
        if (e.kind === 'fork' && tree.has(e.parent)) {
          tree.add(e.pid);
          if (e.ns >= writeNs && stages['fork'] === null) stages['fork'] = Number(e.ns - writeNs);
        } else if (e.kind === 'exec' && tree.has(e.pid) && e.ns >= writeNs) {
          execs += 1;
          if (execs === 1) stages['exec sh'] = Number(e.ns - writeNs);
          stages['exec cmd'] = Number(e.ns - writeNs);
        }
      }
      events.length = 0;
      if (line !== null && /^\d+$/.test(line)) stages['cmd'] = Number(BigInt(line) - offset - writeNs);
      samples.push({ writeNs, stages });
      await sleep(40 + Math.random() * 20);
    }
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  let trace = '';
  try {
    trace = readFileSync(traceFile, 'utf8');
  } catch {
    // not watchtab
  }
  rmSync(base, { recursive: true, force: true });
  return { samples, trace };
}

/** Puts the daemon's own stamps into the samples: the first of each stage after the sample's write. */
function addTrace(samples: Sample[], trace: string): void {
  const stamps = trace
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [stage, ns] = l.split(' ');
      return { stage: stage ?? '', ns: BigInt(ns ?? '0') };
    });
  samples.forEach((sample, i) => {
    const next = samples[i + 1]?.writeNs ?? BigInt(Number.MAX_SAFE_INTEGER) * 1000n;
    for (const stage of ['read', 'slot', 'spawn-call', 'spawn-return']) {
      const first = stamps.find((s) => s.stage === stage && s.ns >= sample.writeNs && s.ns < next);
      sample.stages[stage] = first === undefined ? null : Number(first.ns - sample.writeNs);
    }
  });
}

// ---------------------------------------------------------------- summary

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}
const ms = (ns: number | null): string => (ns === null ? '—' : (ns / 1e6).toFixed(2));

const ORDER = ['read', 'slot', 'spawn-call', 'fork', 'exec sh', 'exec cmd', 'cmd'];

/** Per stage: median and p95 of the time since the previous stage seen in the same sample, and of the time since the write. */
function summarise(name: string, samples: Sample[]): void {
  console.log(
    `\n### ${name} (${samples.length} writes, ${samples.filter((s) => s.stages['cmd'] === null).length} missed)\n`,
  );
  console.log('| stage | from previous: median ms | p95 ms | from the write: median ms | p95 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  let previous = 'write';
  for (const stage of [...ORDER, 'spawn-return']) {
    const present = samples.filter((s) => s.stages[stage] !== null && s.stages[stage] !== undefined);
    if (present.length === 0) continue;
    const since = (s: Sample): number =>
      (s.stages[stage] ?? 0) - (previous === 'write' ? 0 : (s.stages[previous] ?? 0));
    const fromPrev = present.map(since).sort((a, b) => a - b);
    const fromWrite = present.map((s) => s.stages[stage] ?? 0).sort((a, b) => a - b);
    const label = stage === 'spawn-return' ? 'spawn-return (from spawn-call)' : `${stage} (from ${previous})`;
    if (stage === 'spawn-return') {
      const call = present
        .map((s) => (s.stages[stage] ?? 0) - (s.stages['spawn-call'] ?? 0))
        .sort((a, b) => a - b);
      console.log(
        `| ${label} | ${ms(quantile(call, 0.5))} | ${ms(quantile(call, 0.95))} | ${ms(quantile(fromWrite, 0.5))} | ${ms(quantile(fromWrite, 0.95))} |`,
      );
      continue;
    }
    console.log(
      `| ${label} | ${ms(quantile(fromPrev, 0.5))} | ${ms(quantile(fromPrev, 0.95))} | ${ms(quantile(fromWrite, 0.5))} | ${ms(quantile(fromWrite, 0.95))} |`,
    );
    previous = stage;
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'watchtab-stages-'));
  const connector = ProcConnector.open();
  const tools = TOOLS.filter((t) => ONLY === undefined || ONLY.includes(t.name));
  const all = new Map<string, Sample[]>(tools.map((t) => [t.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = tools.map((_, i) => tools[(i + round) % tools.length] as Tool);
      for (const tool of order) {
        const { samples, trace } = await series(tool, root, connector);
        addTrace(samples, trace);
        all.get(tool.name)?.push(...samples);
        process.stderr.write(`round ${round + 1}: ${tool.name} done\n`);
      }
    }
  } finally {
    connector.close();
    rmSync(root, { recursive: true, force: true });
  }
  for (const [name, samples] of all) summarise(name, samples);
  if (process.argv.includes('--json'))
    writeFileSync(
      option('--json') ?? 'stages.json',
      JSON.stringify(Object.fromEntries(all), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
}

await main();
