// Issue 14's event-path aim (≥ 300,000 events/s decoded and dispatched on one core), measured
// two ways. Run: npm run build && node dist/bench/event-path.js [rounds] [--fanotify-only] [--json FILE]
// (--fanotify-only: the fanotify back-end's rows alone, for before/after runs of its resolver).
//
// 1. Kernel to listener, through the real back-end: a real inotify fd (and a fanotify group, as
//    root) watching a temp tree of 4 folders; each round makes 3,000 files synchronously (create,
//    write, close, rename: 5 kernel events each, 15,000 a round, within the default queue of
//    16,384), then one marker file; timed from the last system call to the marker's event at the
//    target's listener, which is where the daemon hands a trigger to the entry's slot (no spawn).
//    That window is read(2) through ffi-rs, decode, move pairing, per-path state (an lstat per
//    entry, as the contract's `link`/`extend` need) and dispatch, all on the main thread.
// 2. Decoders alone on synthetic kernel-shaped bytes (64 KiB reads, realistic names).
// 3. lstatSync alone over 3,000 files (the one look per written file the per-path state takes).
// Medians of the rounds; results go to bench/RESULTS-event-path.md by hand. With
// EVENT_PATH_PROFILE=FILE, the last inotify round's window alone is profiled into FILE (.cpuprofile);
// EVENT_PATH_PROFILE_FANOTIFY=FILE does the same for fanotify. A profiled round counts in the
// medians with the profiler's own cost: take figures from a run without profiling.
import { lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatchBackend, WatchEvent } from '../src/watch/backend.js';
import { createLogger } from '../src/log/logger.js';
import { createInotifyBackend } from '../src/watch/inotify/backend.js';
import { createFanotifyBackend } from '../src/watch/fanotify/backend.js';
import { probeFanotify } from '../src/watch/fanotify/instance.js';
import { treeTarget } from './tree-target.js';
import { SAVED_NAMES, writeSaves } from './trees.js';
import { decodeEvents, EVENT_HEADER_BYTES } from '../src/watch/inotify/decode.js';
import { IN } from '../src/watch/inotify/mask.js';
import { decodeFanotifyEvents, METADATA_BYTES } from '../src/watch/fanotify/decode.js';
import { FAN, FAN_INFO, FAN_NOFD, FANOTIFY_METADATA_VERSION } from '../src/watch/fanotify/mask.js';

const ROUNDS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 7);
const FANOTIFY_ONLY = process.argv.includes('--fanotify-only');
const JSON_AT = process.argv.indexOf('--json');
const JSON_OUT = JSON_AT < 0 ? undefined : process.argv[JSON_AT + 1];
/** What --json writes: per path, the median events/s (wall and per CPU-second) and the range. */
const results: Record<string, unknown> = {};
const FOLDERS = 4;
const FILES_PER_ROUND = 3000;
const KERNEL_EVENTS_PER_FILE = 5; // CREATE, MODIFY, CLOSE_WRITE, MOVED_FROM, MOVED_TO
const NAMES = SAVED_NAMES;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Round {
  readonly events: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Profiles the timed window of the last round only (the file making around it is not the event path). */
async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (file === undefined) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 }); // µs: a round is ~50 ms
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/** One back-end through `ROUNDS` rounds (and one warm-up round, not counted). */
async function kernelToListener(make: () => WatchBackend, profileTo?: string): Promise<Round[]> {
  const dir = mkdtempSync(join(tmpdir(), 'watchtab-bench-event-path-'));
  for (let f = 0; f < FOLDERS; f++) mkdirSync(join(dir, `d${f}`));
  const backend = make();
  let waitingFor: { path: string; done: () => void } | null = null;
  const onEvent = (e: WatchEvent): void => {
    if (waitingFor !== null && e.event === 'create' && e.path === waitingFor.path) waitingFor.done();
  };
  const target = treeTarget(dir, ['create', 'write', 'close_write', 'rename']);
  await backend.arm(target, onEvent);
  const rounds: Round[] = [];
  try {
    for (let r = 0; r <= ROUNDS; r++) {
      writeSaves(dir, r, FILES_PER_ROUND, FOLDERS);
      const marker = join(dir, `marker-${r}`);
      const arrived = new Promise<void>((resolve) => (waitingFor = { path: marker, done: resolve }));
      writeFileSync(marker, '');
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await profiled(r === ROUNDS ? profileTo : undefined, () => arrived);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (r > 0) {
        const events = FILES_PER_ROUND * KERNEL_EVENTS_PER_FILE + 1; // and the marker's CREATE
        rounds.push({ events, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    }
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rounds;
}

function inotifyBytes(count: number): Buffer {
  const masks = [IN.CREATE, IN.MODIFY, IN.CLOSE_WRITE, IN.MOVED_FROM, IN.MOVED_TO];
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(`.${i}-${NAMES[i % NAMES.length]!}.tmp`);
    const len = Math.ceil((name.length + 1) / 16) * 16; // NUL-padded as the kernel does
    const event = Buffer.alloc(EVENT_HEADER_BYTES + len);
    event.writeInt32LE(1 + (i % FOLDERS), 0);
    event.writeUInt32LE(masks[i % masks.length]!, 4);
    event.writeUInt32LE(i % 5 >= 3 ? i - (i % 5) : 0, 8);
    event.writeUInt32LE(len, 12);
    name.copy(event, EVENT_HEADER_BYTES);
    parts.push(event);
  }
  return Buffer.concat(parts);
}

function fanotifyBytes(count: number): Buffer {
  const masks = [FAN.CREATE, FAN.MODIFY, FAN.CLOSE_WRITE, FAN.MOVED_FROM, FAN.MOVED_TO];
  const fsid = Buffer.from('79207a44cfffdfc4', 'hex');
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const handle = Buffer.alloc(8 + 8); // struct file_handle of ext4: 8 bytes of handle
    handle.writeUInt32LE(8, 0);
    handle.writeInt32LE(1, 4);
    handle.writeUInt32LE(1000 + (i % FOLDERS), 8);
    const name = Buffer.from(`.${i}-${NAMES[i % NAMES.length]!}.tmp\0`);
    const recordLen = Math.ceil((4 + 8 + handle.length + name.length) / 4) * 4;
    const record = Buffer.alloc(recordLen);
    record.writeUInt8(FAN_INFO.DFID_NAME, 0);
    record.writeUInt16LE(recordLen, 2);
    fsid.copy(record, 4);
    handle.copy(record, 12);
    name.copy(record, 12 + handle.length);
    const event = Buffer.alloc(METADATA_BYTES + recordLen);
    event.writeUInt32LE(event.length, 0);
    event.writeUInt8(FANOTIFY_METADATA_VERSION, 4);
    event.writeUInt16LE(METADATA_BYTES, 6);
    event.writeBigUInt64LE(BigInt(masks[i % masks.length]!), 8);
    event.writeInt32LE(FAN_NOFD, 16);
    event.writeInt32LE(4242, 20);
    record.copy(event, METADATA_BYTES);
    parts.push(event);
  }
  return Buffer.concat(parts);
}

/** Events/s of `decode` over one 64 KiB read's worth of `bytes`, per round of 200 reads. */
function decodeRate(
  bytes: (count: number) => Buffer,
  decode: (buf: Buffer, length: number) => unknown[],
): number[] {
  let count = 1;
  while (bytes(count * 2).length <= 64 * 1024) count *= 2;
  const buf = bytes(count);
  for (let i = 0; i < 200; i++) decode(buf, buf.length); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    let decoded = 0;
    for (let i = 0; i < 200; i++) decoded += decode(buf, buf.length).length;
    rates.push(decoded / ((performance.now() - t0) / 1000));
  }
  return rates;
}

/** lstatSync calls per second over FILES_PER_ROUND existing files, ten passes a round. */
function lstatRate(): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'watchtab-bench-lstat-'));
  try {
    const paths: string[] = [];
    for (let i = 0; i < FILES_PER_ROUND; i++) {
      paths.push(join(dir, `${i}-${NAMES[i % NAMES.length]!}`));
      writeFileSync(paths[i]!, 'x');
    }
    const rates: number[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      const t0 = performance.now();
      for (let k = 0; k < 10; k++) for (const p of paths) lstatSync(p, { throwIfNoEntry: false });
      if (r > 0) rates.push((paths.length * 10) / ((performance.now() - t0) / 1000));
    }
    return rates;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function show(what: string, rounds: readonly Round[]): void {
  const rates = rounds.map((r) => r.events / (r.wallMs / 1000));
  const cpuRates = rounds.map((r) => r.events / (Math.max(r.cpuMs, 0.001) / 1000));
  results[what] = {
    eventsPerRound: rounds[0]?.events ?? 0,
    medianEventsPerS: median(rates),
    minEventsPerS: Math.min(...rates),
    maxEventsPerS: Math.max(...rates),
    medianEventsPerCpuS: median(cpuRates),
    rounds,
  };
  console.log(
    `| ${what} | ${rounds[0]?.events ?? 0} | ${median(rounds.map((r) => r.wallMs)).toFixed(1)} | ` +
      `${Math.round(median(rates)).toLocaleString('en')} | ${Math.round(Math.min(...rates)).toLocaleString('en')}–` +
      `${Math.round(Math.max(...rates)).toLocaleString('en')} | ${Math.round(median(cpuRates)).toLocaleString('en')} |`,
  );
}

async function main(): Promise<void> {
  const logger = createLogger({ level: 'warn' });
  console.log(
    `${ROUNDS} rounds (after one warm-up), ${FILES_PER_ROUND} files in ${FOLDERS} folders a round\n`,
  );
  console.log(
    '| path | kernel events a round | median ms | median events/s | range | events per CPU-second |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  if (!FANOTIFY_ONLY)
    show(
      'inotify: read, decode, dispatch to the listener',
      await kernelToListener(() => createInotifyBackend({ logger }), process.env['EVENT_PATH_PROFILE']),
    );
  if (probeFanotify().ok) {
    show(
      'fanotify: read, decode, resolve, dispatch',
      await kernelToListener(
        () => createFanotifyBackend({ logger }),
        process.env['EVENT_PATH_PROFILE_FANOTIFY'],
      ),
    );
  } else {
    results['fanotify: read, decode, resolve, dispatch'] = {
      skipped: 'fanotify is not available (needs root)',
    };
    console.log('| fanotify | — | — | — | — | skipped: fanotify is not available (needs root) |');
  }
  if (!FANOTIFY_ONLY) {
    const inotifyRates = decodeRate(inotifyBytes, decodeEvents);
    console.log(
      `| inotify decoder alone (64 KiB reads) | — | — | ${Math.round(median(inotifyRates)).toLocaleString('en')} | — | — |`,
    );
  }
  const fanotifyRates = decodeRate(fanotifyBytes, decodeFanotifyEvents);
  console.log(
    `| fanotify decoder alone (64 KiB reads) | — | — | ${Math.round(median(fanotifyRates)).toLocaleString('en')} | — | — |`,
  );
  const lstats = median(lstatRate());
  console.log(
    `| lstatSync alone (3,000 files) | — | — | ${Math.round(lstats).toLocaleString('en')} calls/s ` +
      `(${(1e6 / lstats).toFixed(2)} µs a call) | — | — |`,
  );
  await logger.close?.();
  if (JSON_OUT !== undefined)
    writeFileSync(JSON_OUT, `${JSON.stringify({ date: new Date(), rounds: ROUNDS, results }, null, 1)}\n`);
}

await main();
