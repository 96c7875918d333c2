// What catch-up adds to start-up, with the built daemon on a tree of N files (100 folders): spawn
// to `ready` with catch-up off, on at a first start (nothing known), on after a stop with nothing
// changed, and on after a stop with 1% of the files changed (then also spawn to the end of the
// catch-up run, which counts its stdin); and the state file's size, in bytes per path. Times are
// the daemon's own, from its "starting" log line (node's start-up, the same for all, left out).
// Run: npx tsc -p . && node dist/bench/catch-up-start.js [N…]   (default 20000 100000)
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const DAEMON = fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));
const SIZES = process.argv.slice(2).map(Number);
const FOLDERS = 100;

interface Started {
  readonly readyMs: number;
  /** Wall-clock milliseconds of the daemon's "starting" line. */
  readonly startedAt: number;
  stop(): Promise<void>;
}

async function until(what: string, isDone: () => Promise<boolean>, withinMs = 600_000): Promise<void> {
  const started = Date.now();
  while (!(await isDone())) {
    if (Date.now() - started > withinMs) throw new Error(`${what}: not after ${withinMs} ms`);
    await sleep(5);
  }
}

async function startDaemon(dir: string, t0: number): Promise<Started> {
  const args = [DAEMON, '--watchtab', join(dir, 'tab.yaml'), '--socket', join(dir, 's.sock')];
  const child = spawn(process.execPath, [...args, '--state-dir', join(dir, 'state')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
  const exited = new Promise((r) => child.once('exit', r));
  await until('ready', async () => / ready/.test(log));
  // From the daemon's own "starting" to its "ready" (node's start-up left out: it is the same for all).
  const at = (word: string) => Date.parse(log.match(new RegExp(`^(\\S+) \\w+: ${word}`, 'm'))?.[1] ?? '');
  const startedAt = at('watchtabd starting');
  const readyMs = at('ready') - startedAt;
  void t0;
  return {
    readyMs,
    startedAt,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function writeTab(dir: string, isCatchUp: boolean, isContentOnly: boolean): Promise<void> {
  const lines = [
    'entries:',
    '  - name: tree',
    `    path: ${join(dir, 'tree')}/**`,
    '    events: [create, write, close_write, delete, attrib]',
    '    stdin: paths',
    `    catch-up: ${isCatchUp}`,
    `    content-only: ${isContentOnly}`,
    `    env: { OUT: ${join(dir, 'out')} }`,
    `    command: 'wc -l > "$OUT/count.tmp" && mv "$OUT/count.tmp" "$OUT/count"'`,
  ];
  await writeFile(join(dir, 'tab.yaml'), `${lines.join('\n')}\n`);
}

async function stateBytes(dir: string): Promise<number> {
  const names = (await readdir(join(dir, 'state'))).filter((n) => n.startsWith('catch-up.'));
  let total = 0;
  for (const n of names) total += (await stat(join(dir, 'state', n))).size;
  return total;
}

async function measure(n: number, isContentOnly: boolean): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-catchup-bench-'));
  try {
    await mkdir(join(dir, 'out'));
    const files: string[] = [];
    for (let d = 0; d < FOLDERS; d++) {
      const folder = join(dir, 'tree', `folder-${d}`);
      await mkdir(folder, { recursive: true });
      for (let i = d; i < n; i += FOLDERS) files.push(join(folder, `file-${String(i).padStart(6, '0')}.txt`));
    }
    for (const f of files) await writeFile(f, `content of ${f}\n`);

    await writeTab(dir, false, isContentOnly);
    let t0 = performance.now();
    let d = await startDaemon(dir, t0);
    const offMs = d.readyMs;
    await d.stop();

    await writeTab(dir, true, isContentOnly);
    t0 = performance.now();
    d = await startDaemon(dir, t0);
    const firstMs = d.readyMs;
    await until('first state file', async () => (await stateBytes(dir).catch(() => 0)) > 0);
    await d.stop();
    const bytes = await stateBytes(dir);

    t0 = performance.now();
    d = await startDaemon(dir, t0);
    const unchangedMs = d.readyMs;
    await d.stop();

    const changed = files.filter((_, i) => i % 100 === 0);
    for (const f of changed) await writeFile(f, `changed while stopped\n`);
    t0 = performance.now();
    d = await startDaemon(dir, t0);
    const changedReadyMs = d.readyMs;
    const count = join(dir, 'out', 'count');
    await until('catch-up run', async () => (await readFile(count, 'utf8').catch(() => '')).trim() !== '');
    const runDoneMs = (await stat(count)).mtimeMs - d.startedAt;
    const counted = Number((await readFile(count, 'utf8')).trim());
    await d.stop();
    if (counted !== changed.length)
      throw new Error(`the catch-up run read ${counted} paths, not ${changed.length}`);
    const ms = (x: number) => x.toFixed(0);
    return [
      n.toLocaleString('en'),
      isContentOnly ? 'yes' : 'no',
      ms(offMs),
      ms(firstMs),
      ms(unchangedMs),
      ms(changedReadyMs),
      ms(runDoneMs),
      (bytes / 1024).toFixed(0),
      (bytes / n).toFixed(1),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const header = [
  'files',
  'content-only',
  'ready, catch-up off (ms)',
  'ready, first start (ms)',
  'ready, nothing changed (ms)',
  'ready, 1% changed (ms)',
  'catch-up run done (ms)',
  'state KiB',
  'bytes/path',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`);
for (const n of SIZES.length > 0 ? SIZES : [20_000, 100_000])
  for (const isContentOnly of [false, true])
    console.log(`| ${(await measure(n, isContentOnly)).join(' | ')} |`);
