// Idle memory of watchtabd: resident memory once ready and quiet, with watchtab.example, with one
// recursive entry on an empty folder and on a 20,000-folder tree (inotify and fanotify), beside an
// idle bare `node`; the bytes per watched path (the tree's RSS and heap above the empty folder's,
// over its paths); and what holds the heap: a heap snapshot (node --heapsnapshot-signal) summed by
// constructor, the largest first. The aims (issue 14): ≤ 50 MiB idle with the example, ≤ 64 MiB at
// 20,000 folders. Root for fanotify. By hand:
//   npm run build && node dist/bench/memory.js [--folders 20000] [--no-snapshot] [--root DIR]
//     [--backends inotify,fanotify] [--json FILE]   (bench/aims.ts runs it with --json)
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { countPaths, makeCubeTree } from './trees.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}
const FOLDERS = Number(option('--folders') ?? 20_000);
const SNAPSHOT = !process.argv.includes('--no-snapshot');
const BACKENDS = (option('--backends') ?? 'inotify,fanotify').split(',');
const JSON_OUT = option('--json');
const ROOT = option('--root') ?? fileURLToPath(new URL('../../', import.meta.url));
// The daemon that tree ships: the file its package.json's `bin` names.
const WATCHTABD = join(
  ROOT,
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { watchtabd: string } }).bin
    .watchtabd,
);
const QUIET_MS = 2_000;
const WATCHTAB = join(
  ROOT,
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { watchtab: string } }).bin
    .watchtab,
);

/**
 * Waits until no entry of the daemon behind `socket` is still walking its tree in the background
 * (fanotify is ready at its mark; its per-path state is built after, and is what this bench weighs).
 */
async function untilWalked(socket: string): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const out = await new Promise<string>((resolve) =>
      execFile(process.execPath, [WATCHTAB, 'status', '--json', '--socket', socket], (_e, stdout) =>
        resolve(stdout),
      ),
    );
    try {
      const doc = JSON.parse(out) as { entries: { walking: boolean }[] };
      if (doc.entries.every((e) => !e.walking)) return;
    } catch {
      // Not answering yet: ask again.
    }
    if (Date.now() > deadline) throw new Error(`the daemon at ${socket} still walking after 600 s`);
    await sleep(250);
  }
}
/**
 * The node flags the daemon ships with (its `#!/usr/bin/env -S node FLAGS` line, which systemd and
 * a shell honour), or those given with --node-flags (e.g. '' for none): the daemon runs with them.
 */
function shippedFlags(): string[] {
  const given = option('--node-flags');
  if (given !== undefined) return given.split(' ').filter((f) => f !== '');
  const shebang = readFileSync(WATCHTABD, 'utf8').split('\n', 1)[0] ?? '';
  return /^#!\/usr\/bin\/env -S node(?<flags>( \S+)*)$/.exec(shebang)?.groups?.flags?.trim().split(' ') ?? [];
}
const NODE_FLAGS = shippedFlags();

/** `count` folders, 3 levels of cube-root fan-out, under `root`; returns how many paths it holds. */
function makeTree(root: string, count: number): number {
  makeCubeTree(root, count);
  return countPaths(root);
}

function statusKiB(pid: number, key: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
}

function untilLine(child: ChildProcess, pattern: RegExp, withinMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${withinMs} ms:\n${text}`)),
      withinMs,
    );
    child.stderr?.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** The snapshot node writes on SIGUSR2, once its size stops changing. */
async function takeSnapshot(child: ChildProcess, dir: string): Promise<string> {
  child.kill('SIGUSR2');
  let last = -1;
  for (;;) {
    await sleep(500);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    if (file === undefined) continue;
    const size = statSync(join(dir, file)).size;
    if (size === last && size > 0) return join(dir, file);
    last = size;
  }
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self sizes summed by constructor (objects) or by kind (strings, code, arrays, ...). */
function summarize(file: string): { total: number; top: [string, number, number][] } {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const sums = new Map<string, [number, number]>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + (iType ?? 0)] ?? 0] ?? '?';
    const size = snap.nodes[i + (iSize ?? 0)] ?? 0;
    const name = snap.strings[snap.nodes[i + (iName ?? 0)] ?? 0] ?? '?';
    const key = type === 'object' || type === 'native' ? `${name} (${type})` : `(${type})`;
    const sum = sums.get(key) ?? [0, 0];
    sum[0] += size;
    sum[1] += 1;
    sums.set(key, sum);
    total += size;
  }
  const top = [...sums]
    .sort((a, b) => b[1][0] - a[1][0])
    .slice(0, 12)
    .map(([k, [size, count]]): [string, number, number] => [k, size, count]);
  return { total, top };
}

interface Measured {
  readonly name: string;
  readonly rssKiB: number;
  readonly anonKiB: number;
  readonly fileKiB: number;
  readonly heapBytes: number | null;
  /** Spawn to the ready line. */
  readonly readyMs: number;
  readonly top: [string, number, number][];
}

async function measure(
  name: string,
  args: readonly string[],
  scratch: string,
  ready: RegExp,
  flags: readonly string[] = NODE_FLAGS,
): Promise<Measured> {
  const cwd = mkdtempSync(join(scratch, 'run-'));
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, '--heapsnapshot-signal=SIGUSR2', ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    await untilLine(child, ready, 600_000);
    const readyMs = performance.now() - started;
    const socket = args[args.indexOf('--socket') + 1];
    if (args.includes('--socket') && socket !== undefined) await untilWalked(socket);
    await sleep(QUIET_MS);
    const pid = child.pid ?? 0;
    const m = {
      rssKiB: statusKiB(pid, 'VmRSS'),
      anonKiB: statusKiB(pid, 'RssAnon'),
      fileKiB: statusKiB(pid, 'RssFile'),
    };
    if (!SNAPSHOT) return { name, ...m, readyMs, heapBytes: null, top: [] };
    const { total, top } = summarize(await takeSnapshot(child, cwd));
    return { name, ...m, readyMs, heapBytes: total, top };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(cwd, { recursive: true, force: true });
  }
}

const mib = (kib: number): string => (kib / 1024).toFixed(1);

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'watchtab-memory-'));
  try {
    const tab = join(scratch, 'watchtab.example');
    cpSync(join(ROOT, 'watchtab.example'), tab);
    cpSync(join(ROOT, 'watchtab.example.d'), `${tab}.d`, { recursive: true });
    cpSync(join(ROOT, 'demo'), join(scratch, 'demo'), { recursive: true });
    const empty = join(scratch, 'empty');
    const tree = join(scratch, 'tree');
    mkdirSync(empty);
    mkdirSync(tree);
    const paths = makeTree(tree, FOLDERS);
    const daemon = (file: string, n: string): string[] => [
      WATCHTABD,
      '--watchtab',
      file,
      '--state-dir',
      join(scratch, `state-${n}`),
      '--socket',
      join(scratch, `${n}.sock`),
    ];
    const entryTab = (dir: string, backend: string): string => {
      const file = join(scratch, `tab-${backend}-${dir === tree ? 'tree' : 'empty'}.yaml`);
      writeFileSync(
        file,
        `entries:\n  - path: ${dir}/**\n    events: [close_write]\n    backend: ${backend}\n    command: 'true'\n`,
      );
      return file;
    };
    const rows: Measured[] = [];
    const aims: [string, number, number][] = [];
    rows.push(
      await measure(
        'bare node, idle',
        ['-e', 'console.error("ready"); setInterval(() => {}, 1e9)'],
        scratch,
        /ready/,
        [],
      ),
    );
    const example = await measure(
      'watchtabd, watchtab.example',
      daemon(tab, 'example'),
      scratch,
      /\bready\b/,
    );
    rows.push(example);
    aims.push(['idle, watchtab.example', example.rssKiB, 50]);
    const perPath: Record<string, { paths: number; rssBytes: number; heapBytes: number | null }> = {};
    for (const backend of BACKENDS) {
      const none = await measure(
        `watchtabd, ${backend}, empty folder`,
        daemon(entryTab(empty, backend), `${backend}-e`),
        scratch,
        /\bready\b/,
      );
      const full = await measure(
        `watchtabd, ${backend}, ${FOLDERS} folders`,
        daemon(entryTab(tree, backend), `${backend}-t`),
        scratch,
        /\bready\b/,
      );
      rows.push(none, full);
      aims.push([`${backend}, ${FOLDERS} folders`, full.rssKiB, 64]);
      const perPathRss = ((full.rssKiB - none.rssKiB) * 1024) / paths;
      const perPathHeap =
        full.heapBytes !== null && none.heapBytes !== null ? (full.heapBytes - none.heapBytes) / paths : NaN;
      perPath[backend] = {
        paths,
        rssBytes: perPathRss,
        heapBytes: Number.isNaN(perPathHeap) ? null : perPathHeap,
      };
      console.log(
        `# ${backend}: ${paths} paths: ${perPathRss.toFixed(0)} B RSS, ${perPathHeap.toFixed(0)} B heap per path`,
      );
    }
    console.log(
      `# ${new Date().toISOString()} node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, Linux ${release()}; daemon's node flags: ${NODE_FLAGS.join(' ') || '(none)'}`,
    );
    console.log('| aim | RSS (MiB) | aim (MiB) | |\n| --- | ---: | ---: | --- |');
    for (const [what, kib, aim] of aims)
      console.log(`| ${what} | ${mib(kib)} | ${aim} | ${kib / 1024 <= aim ? 'met' : 'missed'} |`);
    console.log('| daemon | RSS (MiB) | anon (MiB) | file (MiB) | JS heap in snapshot (MiB) | ready (ms) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows)
      console.log(
        `| ${r.name} | ${mib(r.rssKiB)} | ${mib(r.anonKiB)} | ${mib(r.fileKiB)} | ${r.heapBytes === null ? '—' : (r.heapBytes / 2 ** 20).toFixed(1)} | ${r.readyMs.toFixed(0)} |`,
      );
    for (const r of rows.filter((x) => x.top.length > 0)) {
      console.log(`\n${r.name}: the heap by constructor, largest first (self size MiB, count)`);
      for (const [k, size, count] of r.top)
        console.log(`  ${(size / 2 ** 20).toFixed(2).padStart(6)}  ${String(count).padStart(7)}  ${k}`);
    }
    if (JSON_OUT !== undefined)
      writeFileSync(
        JSON_OUT,
        `${JSON.stringify({ date: new Date(), folders: FOLDERS, nodeFlags: NODE_FLAGS, rows, perPath }, null, 1)}\n`,
      );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
