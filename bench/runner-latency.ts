// Trigger-to-command-start latency of the runner, next to a bare child_process.spawn of the same
// shell, so the runner's own overhead is visible. "Started" is when the parent reads the first
// line the command prints (`echo started`, a shell builtin): the same probe for every mode.
// Run: npx tsc -p . && node dist/bench/runner-latency.js [RUNS]
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import type { LogFields, Logger } from '../src/log/logger.js';
import * as msg from '../src/log/messages/run.js';
import { createSlot } from '../src/run/slot.js';
import { DEFAULT_RUN_LIMIT, type Entry, type RunAs } from '../src/watchtab/entry.js';

const RUNS = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const COMMAND = 'echo started';

type Mode = { readonly name: string; readonly once: () => Promise<number> };

function bareSpawn(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let latency = 0;
    const child = spawn('/bin/sh', ['-c', COMMAND], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => (latency = performance.now() - t0));
    child.on('error', reject);
    child.on('close', () => resolve(latency));
  });
}

async function execaSpawn(): Promise<number> {
  const t0 = performance.now();
  let latency = 0;
  const child = execa('/bin/sh', ['-c', COMMAND], {
    env: { PATH: '/usr/bin:/bin' },
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });
  child.stdout.once('data', () => (latency = performance.now() - t0));
  await child;
  return latency;
}

/** A slot whose logger notes when the command's first line arrives and when the run ends. */
function runnerMode(name: string, runAs: RunAs | null): Mode {
  let onLine: (() => void) | null = null;
  let onEnd: (() => void) | null = null;
  const logger: Logger = {
    error: (m) => (m.startsWith('run failed') ? console.error(m) : undefined),
    warn: () => undefined,
    debug: () => undefined,
    reopen: () => undefined,
    info: (m: string, _fields?: LogFields) => {
      if (m === msg.OUTPUT) onLine?.();
      else if (m.startsWith('run ended')) onEnd?.();
    },
  };
  const entry: Entry = {
    name: 'bench',
    source: { file: 'bench', line: 1 },
    paths: [{ kind: 'exact', path: '/tmp' }],
    exclude: [],
    events: ['close_write'],
    delayMs: 0,
    settleMs: 0,
    maxWaitMs: 60_000,
    stdin: 'none',
    catchUp: false,
    runAs,
    chroot: null,
    cwd: '/tmp',
    command: COMMAND,
    onBusy: 'queue',
    timeoutMs: null,
    graceMs: 1000,
    env: {},
    contentOnly: false,
    ignoreOwnChanges: false,
    backend: null,
    pollIntervalMs: null,
    runLimit: { ...DEFAULT_RUN_LIMIT, burst: 0 },
  };
  const slot = createSlot(entry, { logger, isRoot: process.getuid?.() === 0 });
  return {
    name,
    once: () =>
      new Promise((resolve) => {
        let latency = 0;
        onLine = () => (latency = performance.now() - t0);
        onEnd = () => resolve(latency);
        const t0 = performance.now();
        slot.trigger({ path: '/tmp/x', event: 'close_write' });
      }),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const modes: Mode[] = [
    { name: 'bare `child_process.spawn`', once: bareSpawn },
    { name: "execa, the runner's options", once: execaSpawn },
    runnerMode('runner (slot.trigger)', null),
  ];
  if (process.getuid?.() === 0) {
    const nobody = { user: 'nobody', uid: 65534, group: 'nogroup', gid: 65534, groups: [65534], home: '/' };
    modes.push(runnerMode('runner, as a user (setpriv)', nobody));
  }
  const samples = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  // Interleaved, so that load from elsewhere on the machine falls on every mode alike.
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    for (const mode of modes) {
      const ms = await mode.once();
      if (i >= WARMUP) samples.get(mode.name)?.push(ms);
    }
  }
  console.log(`| mode | median ms | p95 ms | mean ms | runs |`);
  console.log(`| --- | ---: | ---: | ---: | ---: |`);
  for (const [name, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const f = (n: number) => n.toFixed(2);
    console.log(
      `| ${name} | ${f(quantile(sorted, 0.5))} | ${f(quantile(sorted, 0.95))} | ${f(mean)} | ${values.length} |`,
    );
  }
  process.exit(0);
}

await main();
