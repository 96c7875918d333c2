// What `stdin` adds to a run's latency: from the runner's "run started" to the command's first
// output line, with stdin none (`echo started`) and with stdin paths (the command reads its first
// path, or all of them with `wc -l`), for folds of 1, 1,000 and 20,000 paths.
// Run: npx tsc -p . && node dist/bench/stdin-latency.js [RUNS]
import type { LogFields, Logger } from '../src/log/logger.js';
import * as msg from '../src/log/messages/run.js';
import { createSlot } from '../src/run/slot.js';
import { DEFAULT_RUN_LIMIT, type Entry, type StdinFormat } from '../src/watchtab/entry.js';

const RUNS = Number(process.argv[2] ?? 50);
const WARMUP = 5;

interface Mode {
  readonly name: string;
  readonly stdin: StdinFormat;
  readonly command: string;
  readonly paths: number;
}

const MODES: readonly Mode[] = [
  { name: 'none, `echo started`', stdin: 'none', command: 'echo started', paths: 1 },
  { name: 'paths, 1 path, `read p; echo "$p"`', stdin: 'paths', command: 'read p; echo "$p"', paths: 1 },
  { name: 'paths, 1,000 paths, `wc -l`', stdin: 'paths', command: 'wc -l', paths: 1_000 },
  { name: 'paths, 20,000 paths, `wc -l`', stdin: 'paths', command: 'wc -l', paths: 20_000 },
  {
    name: 'none, 20,000 paths folded, `echo started`',
    stdin: 'none',
    command: 'echo started',
    paths: 20_000,
  },
];

function slotFor(mode: Mode): { once: () => Promise<number> } {
  let startedAt = 0;
  let onLine: ((at: number) => void) | null = null;
  let onEnd: (() => void) | null = null;
  const logger: Logger = {
    error: (m) => (m.startsWith('run failed') ? console.error(m) : undefined),
    warn: () => undefined,
    debug: () => undefined,
    reopen: () => undefined,
    info: (m: string, _fields?: LogFields) => {
      if (m === msg.RUN_STARTED) startedAt = performance.now();
      else if (m === msg.OUTPUT) onLine?.(performance.now());
      else if (m.startsWith('run ended')) onEnd?.();
    },
  };
  const entry: Entry = {
    name: 'bench',
    source: { file: 'bench', line: 1 },
    paths: [{ kind: 'exact', path: '/tmp' }],
    exclude: [],
    events: ['close_write'],
    delayMs: 1, // the triggers given in one tick fold into one run
    settleMs: 0,
    maxWaitMs: 60_000,
    stdin: mode.stdin,
    catchUp: false,
    runAs: null,
    chroot: null,
    cwd: '/tmp',
    command: mode.command,
    onBusy: 'queue',
    timeoutMs: null,
    graceMs: 1000,
    env: {},
    contentOnly: false,
    ignoreOwnChanges: false,
    backend: null,
    pollIntervalMs: null,
    runLimit: { ...DEFAULT_RUN_LIMIT, burst: 1_000_000 },
  };
  const slot = createSlot(entry, { logger, isRoot: process.getuid?.() === 0 });
  const names = Array.from({ length: mode.paths }, (_, i) => `/srv/data/some/folder/file-${i}.txt`);
  return {
    once: () =>
      new Promise((resolve) => {
        let latency = 0;
        onLine = (at) => {
          if (latency === 0) latency = at - startedAt;
        };
        onEnd = () => resolve(latency);
        for (const path of names) slot.trigger({ path, event: 'close_write' });
      }),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const slots = MODES.map((mode) => ({ mode, slot: slotFor(mode), samples: [] as number[] }));
  // Interleaved, so that load from elsewhere on the machine falls on every mode alike.
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    for (const s of slots) {
      const ms = await s.slot.once();
      if (i >= WARMUP) s.samples.push(ms);
    }
  }
  console.log('| stdin | median ms | p95 ms | mean ms | runs |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const { mode, samples } of slots) {
    const sorted = [...samples].sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const f = (n: number): string => n.toFixed(2);
    console.log(
      `| ${mode.name} | ${f(quantile(sorted, 0.5))} | ${f(quantile(sorted, 0.95))} | ${f(mean)} | ${samples.length} |`,
    );
  }
  process.exit(0);
}

await main();
