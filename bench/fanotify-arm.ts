// Arming a recursive watch over a 100,000-folder tree: fanotify (one file-system mark) against
// inotify (one watch per folder). Each back-end arms in a fresh process, so RSS is its own.
// Run as root: `npx tsc -p . && node dist/bench/fanotify-arm.js [folders] [runs]`.
// Prints a Markdown table for bench/RESULTS-fanotify.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryLogger } from '../src/log/logger.js';
import type { WatchBackend, WatchEvent } from '../src/watch/backend.js';
import { createFanotifyBackend } from '../src/watch/fanotify/backend.js';
import { openFanotify } from '../src/watch/fanotify/instance.js';
import { createInotifyBackend } from '../src/watch/inotify/backend.js';
import { treeTarget } from './tree-target.js';
import { STAR_EVENTS } from '../src/watchtab/entry.js';

type Mode = 'fanotify-mark' | 'fanotify' | 'inotify';

interface Sample {
  readonly mode: Mode;
  readonly armMs: number;
  /** From arming done to the event of a file made in the deepest last folder. */
  readonly firstEventMs: number | null;
  readonly rssMiB: number;
  readonly rssDeltaMiB: number;
  readonly kernelObjects: number;
}

/** Kernel inotify watches and fanotify marks this process holds, from /proc/self/fdinfo. */
function kernelObjects(): { inotify: number; fanotify: number } {
  let inotify = 0;
  let fanotify = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    let text = '';
    try {
      text = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line.startsWith('inotify wd:')) inotify++;
      else if (line.startsWith('fanotify ') && line.includes('mflags:')) fanotify++;
    }
  }
  return { inotify, fanotify };
}

const MiB = 1024 * 1024;

async function child(mode: Mode, root: string, probeDir: string): Promise<Sample> {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  if (mode === 'fanotify-mark') {
    const fa = openFanotify();
    fa.markFilesystem(root);
    const armMs = performance.now() - started;
    const sample = finish(mode, armMs, null, rssBefore, kernelObjects().fanotify);
    await fa.close();
    return sample;
  }
  const logger = createMemoryLogger('info');
  const backend: WatchBackend =
    mode === 'fanotify' ? createFanotifyBackend({ logger }) : createInotifyBackend({ logger });
  let seenAt: number | null = null;
  const probe = join(probeDir, 'probe');
  const target = treeTarget(root, STAR_EVENTS, 5000);
  await backend.arm(target, (e: WatchEvent) => {
    if (e.path === probe && e.event === 'create') seenAt ??= performance.now();
  });
  const armMs = performance.now() - started;
  const objects = kernelObjects();
  const wroteAt = performance.now();
  writeFileSync(probe, 'x');
  const deadline = Date.now() + 10_000;
  while (seenAt === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  const firstEventMs = seenAt === null ? null : (seenAt as number) - wroteAt;
  const sample = finish(
    mode,
    armMs,
    firstEventMs,
    rssBefore,
    mode === 'inotify' ? objects.inotify : objects.fanotify,
  );
  rmSync(probe, { force: true });
  await backend.close();
  return sample;
}

function finish(
  mode: Mode,
  armMs: number,
  firstEventMs: number | null,
  rssBefore: number,
  kernel: number,
): Sample {
  const rss = process.memoryUsage().rss;
  return {
    mode,
    armMs,
    firstEventMs,
    rssMiB: rss / MiB,
    rssDeltaMiB: (rss - rssBefore) / MiB,
    kernelObjects: kernel,
  };
}

/** `top` folders, each holding enough sub-folders to make `folders` in all. */
function makeTree(folders: number): { root: string; last: string } {
  const root = mkdtempSync(join(tmpdir(), 'watchtab-bench-'));
  const top = 100;
  const per = Math.ceil(folders / top) - 1;
  let last = root;
  for (let i = 0; i < top; i++) {
    const dir = join(root, `t${i}`);
    mkdirSync(dir);
    for (let j = 0; j < per; j++) {
      last = join(dir, `s${j}`);
      mkdirSync(last);
    }
  }
  return { root, last };
}

async function main(): Promise<void> {
  const [, , first, ...rest] = process.argv;
  if (first === '--child') {
    const [mode, root, last] = rest as [Mode, string, string];
    process.stdout.write(JSON.stringify(await child(mode, root, last)));
    return;
  }
  const folders = Number(first ?? 100_000);
  const runs = Number(rest[0] ?? 3);
  const made = performance.now();
  const { root, last } = makeTree(folders);
  process.stderr.write(
    `tree of ${folders} folders made in ${Math.round(performance.now() - made)} ms at ${root}\n`,
  );
  const self = fileURLToPath(import.meta.url);
  const rows: string[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      for (const mode of ['fanotify-mark', 'fanotify', 'inotify'] as const) {
        const result = spawnSync(process.execPath, ['--expose-gc', self, '--child', mode, root, last], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const s = JSON.parse(result.stdout) as Sample;
        rows.push(
          `| ${run} | ${s.mode} | ${Math.round(s.armMs).toLocaleString('en')} | ` +
            `${s.firstEventMs === null ? '-' : s.firstEventMs.toFixed(1)} | ${s.rssMiB.toFixed(0)} | ` +
            `${s.rssDeltaMiB.toFixed(0)} | ${s.kernelObjects.toLocaleString('en')} |`,
        );
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(
    '| run | back-end | time to ready (ms) | first event (ms) | RSS (MiB) | RSS growth (MiB) | kernel watches / marks |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}

await main();
