// The fanotify half of bench/event-path.ts alone (issue 14's event-path aim), for before/after
// runs of the fanotify resolver: same workload (3,000 editor-style saves in 4 folders a round,
// 15,001 kernel events), same window (last system call → the marker's create at the listener).
// Run: npm run build && node dist/bench/fanpath-event.js [rounds]; FANPATH_PROFILE=FILE profiles
// the last round's window. Prints one line per round and the medians (wall and CPU time).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatchEvent } from '../src/watch/backend.js';
import { createLogger } from '../src/log/logger.js';
import { createFanotifyBackend } from '../src/watch/fanotify/backend.js';
import { probeFanotify } from '../src/watch/fanotify/instance.js';
import { recursiveSpec } from '../src/watch/match.js';
import { writeSaves } from './trees.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const FOLDERS = 4;
const FILES_PER_ROUND = 3000;
const EVENTS = FILES_PER_ROUND * 5 + 1;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (file === undefined) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function main(): Promise<void> {
  if (!probeFanotify().ok) {
    console.log('skipped: fanotify is not available (needs root)');
    return;
  }
  const logger = createLogger({ level: 'warn' });
  const dir = mkdtempSync(join(tmpdir(), 'watchtab-bench-fanpath-'));
  for (let f = 0; f < FOLDERS; f++) mkdirSync(join(dir, `d${f}`));
  const backend = createFanotifyBackend({ logger });
  let waitingFor: { path: string; done: () => void } | null = null;
  const onEvent = (e: WatchEvent): void => {
    if (waitingFor !== null && e.event === 'create' && e.path === waitingFor.path) waitingFor.done();
  };
  await backend.arm(
    {
      id: 'bench',
      path: recursiveSpec(dir),
      exclude: [],
      events: ['create', 'write', 'close_write', 'rename'],
      contentOnly: false,
      pollIntervalMs: 0,
    },
    onEvent,
  );
  const rates: number[] = [];
  const cpuRates: number[] = [];
  try {
    for (let r = 0; r <= ROUNDS; r++) {
      writeSaves(dir, r, FILES_PER_ROUND, FOLDERS);
      const marker = join(dir, `marker-${r}`);
      const arrived = new Promise<void>((resolve) => (waitingFor = { path: marker, done: resolve }));
      writeFileSync(marker, '');
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await profiled(r === ROUNDS ? process.env['FANPATH_PROFILE'] : undefined, () => arrived);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (r === 0) continue;
      rates.push(EVENTS / (wallMs / 1000));
      cpuRates.push(EVENTS / (Math.max(cpuMs, 0.001) / 1000));
      console.log(`round ${r}: ${wallMs.toFixed(1)} ms wall, ${cpuMs.toFixed(1)} ms CPU`);
    }
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `fanotify: median ${Math.round(median(rates)).toLocaleString('en')} events/s, ` +
      `${Math.round(median(cpuRates)).toLocaleString('en')} per CPU-second (${ROUNDS} rounds)`,
  );
  await logger.close?.();
}

await main();
