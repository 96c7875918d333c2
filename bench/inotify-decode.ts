// Decode throughput of the inotify event decoder, and read+decode throughput from a real inotify
// fd by read-buffer size. Run: npx tsc -p . && node dist/bench/inotify-decode.js
// Not part of npm test; results go to bench/RESULTS-inotify-decode.md by hand.
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEvents, EVENT_HEADER_BYTES } from '../src/watch/inotify/decode.js';
import * as sys from '../src/watch/inotify/libc.js';
import { cPath } from '../src/system/fd-io.js';
import { IN, IN_INIT } from '../src/watch/inotify/mask.js';

// Realistic names: editor temp files, sources, hashes, a few long and non-ASCII ones.
const NAMES = [
  'index.md',
  '.index.md.swp',
  '4913',
  'main.tsx',
  'package-lock.json',
  'café-notes.txt',
  'IMG_20260101_120000.jpg',
  'node_modules',
  'a',
  '5f2c0a9e1b7d4c3e8a6f0b1d2c3e4f5a.tmp',
  'sub',
  'a-much-longer-file-name-for-a-generated-report-2026-11-22.html',
];
const MASKS = [
  IN.CREATE,
  IN.MODIFY,
  IN.CLOSE_WRITE,
  IN.MOVED_FROM,
  IN.MOVED_TO,
  IN.DELETE,
  IN.CREATE | IN.ISDIR,
];

function syntheticBatch(count: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(NAMES[i % NAMES.length]!);
    const len = Math.ceil((name.length + 1) / 16) * 16;
    const event = Buffer.alloc(EVENT_HEADER_BYTES + len);
    event.writeInt32LE(1 + (i % 50), 0);
    event.writeUInt32LE(MASKS[i % MASKS.length]!, 4);
    event.writeUInt32LE(i % 7 === 3 ? i : 0, 8);
    event.writeUInt32LE(len, 12);
    name.copy(event, EVENT_HEADER_BYTES);
    parts.push(event);
  }
  return Buffer.concat(parts);
}

function benchDecode(): void {
  // One 64 KiB read's worth of events, decoded over and over.
  const perRead = 1500;
  const buf = syntheticBatch(perRead);
  console.log(
    `synthetic batch: ${perRead} events, ${buf.length} bytes (${(buf.length / perRead).toFixed(1)} B/event)`,
  );
  for (let i = 0; i < 200; i++) decodeEvents(buf, buf.length); // warm up
  for (let run = 1; run <= 3; run++) {
    const rounds = 2000;
    const start = process.hrtime.bigint();
    let decoded = 0;
    for (let i = 0; i < rounds; i++) decoded += decodeEvents(buf, buf.length).length;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `decode run ${run}: ${decoded} events in ${seconds.toFixed(3)} s = ${Math.round(decoded / seconds)} events/s`,
    );
  }
}

// Fills a real inotify queue with `count` events (below max_queued_events), then drains it with
// read(2) through ffi-rs into a buffer of `bufferBytes`, decoding each read.
function benchKernel(bufferBytes: number, count: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'watchtab-bench-'));
  const fd = sys.inotifyInit1(IN_INIT.NONBLOCK | IN_INIT.CLOEXEC).value;
  try {
    sys.inotifyAddWatch(fd, cPath(dir), IN.CREATE | IN.DELETE);
    const target = join(dir, 'target');
    writeFileSync(target, '');
    for (let i = 0; i < count / 2; i++) symlinkSync(target, join(dir, `link-${i}.tmp`));
    for (let i = 0; i < count / 2; i++) unlinkSync(join(dir, `link-${i}.tmp`));
    const buf = Buffer.allocUnsafe(bufferBytes);
    let events = 0;
    let reads = 0;
    const start = process.hrtime.bigint();
    for (;;) {
      const r = sys.read(fd, buf, buf.length);
      if (r.value <= 0) break;
      reads++;
      events += decodeEvents(buf, r.value).length;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `kernel read+decode, ${String(bufferBytes / 1024).padStart(3)} KiB buffer: ${events} events in ${reads} reads, ` +
        `${(seconds * 1000).toFixed(1)} ms = ${Math.round(events / seconds)} events/s`,
    );
  } finally {
    sys.close(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

benchDecode();
for (const kib of [4, 16, 64, 256]) benchKernel(kib * 1024, 16_000);
for (const kib of [4, 16, 64, 256]) benchKernel(kib * 1024, 16_000);
