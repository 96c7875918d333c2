// content-only against a hostile user: the real daemon as root, the attacker as `nobody` swapping a
// judged file for a FIFO (or a symlink to one) and planting a 20 GB sparse file, with every back-end.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { FIXTURES } from '../helpers/paths.js';
import { AS_NOBODY, FIFO_SWAP, NOBODY, attackAsNobody } from '../helpers/attacks.js';

const NO_FFI = pathToFileURL(join(FIXTURES, 'no-ffi', 'register.mjs')).href;
/**
 * A daemon under attack must answer status and run another entry; this deadline is generous (two
 * cores shared with parallel tests starve any daemon for seconds), the real latencies are printed
 * as test diagnostics, so they can be read off every run.
 */
const RESPONSIVE_MS = 10_000;
const BACKENDS = ['inotify', 'fanotify', 'poll', 'chokidar'] as const;
type Backend = (typeof BACKENDS)[number];

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root: the daemon runs as root, the attacker as nobody';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'needs setpriv (util-linux)';
  return null;
}

interface Setup {
  readonly daemon: RunningDaemon;
  /** Folder of the content-only entry, owned by nobody. */
  readonly watched: string;
  /** Folder of another entry, which must keep running on time. */
  readonly other: string;
  readonly out: string;
  readonly otherOut: string;
  readonly socket: string;
}

async function startWith(t: TestContext, backend: Backend): Promise<Setup> {
  const dir = await tempDir(t);
  await chmod(dir, 0o711); // nobody may reach watched/, and nothing else
  const watched = join(dir, 'watched');
  const other = join(dir, 'other');
  await mkdir(watched);
  await mkdir(other);
  await chown(watched, NOBODY, NOBODY);
  const out = join(dir, 'out');
  const otherOut = join(dir, 'other.out');
  const socket = join(dir, 's.sock');
  const chosen =
    backend === 'chokidar'
      ? ''
      : `    backend: ${backend}\n${backend === 'poll' ? '    poll-interval: 0.1\n' : ''}`;
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(
    tab,
    'entries:\n' +
      `  - name: guarded\n    path: ${watched}/*\n    events: [write, close_write]\n    content-only: true\n` +
      chosen +
      `    command: 'printf "%s %s\\n" "$WATCHTAB_COUNT" "$WATCHTAB_PATH" >> ${out}'\n` +
      `  - name: other\n    path: ${other}/*\n    events: [close_write]\n` +
      `    command: 'echo "$WATCHTAB_PATH" >> ${otherOut}'\n`,
  );
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', socket],
    ...(backend === 'chokidar' ? { env: { ...process.env, NODE_OPTIONS: `--import=${NO_FFI}` } } : {}),
  });
  await daemon.waitForLine(/\bready\b.*entries=2/);
  const picked = daemon.lines.find((l) => /back-end chosen/.test(l) && /entry="guarded"/.test(l));
  if (picked !== undefined) assert.match(picked, new RegExp(`backend="${backend}"`));
  return { daemon, watched, other, out, otherOut, socket };
}

/** One status document read straight from the socket, or a rejection after `RESPONSIVE_MS`. */
function statusWithin(socket: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const client = createConnection(socket);
    let text = '';
    const timer = setTimeout(() => {
      client.destroy();
      reject(new Error(`status did not answer within ${RESPONSIVE_MS} ms`));
    }, RESPONSIVE_MS);
    client.on('data', (chunk) => (text += chunk.toString('utf8')));
    client.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    client.on('end', () => {
      clearTimeout(timer);
      resolve(JSON.parse(text));
    });
  });
}

/** The daemon answers status, and runs another entry, each within RESPONSIVE_MS; returns the latencies. */
async function assertResponsive(s: Setup, round: number): Promise<{ statusMs: number; runMs: number }> {
  const asked = performance.now();
  await statusWithin(s.socket);
  const statusMs = performance.now() - asked;
  const trigger = join(s.other, `f${round}`);
  const written = performance.now();
  await writeFile(trigger, 'x');
  await waitFor(
    () => readLines(s.otherOut),
    (l) => l.includes(trigger),
    { withinMs: RESPONSIVE_MS, what: `the other entry's run for ${trigger}` },
  );
  return { statusMs, runMs: performance.now() - written };
}

/** The worst of several rounds' latencies, as a test diagnostic. */
function report(t: TestContext, latencies: readonly { statusMs: number; runMs: number }[]): void {
  const worst = (pick: (l: { statusMs: number; runMs: number }) => number): string =>
    Math.max(...latencies.map(pick)).toFixed(0);
  t.diagnostic(
    `${latencies.length} rounds: status at most ${worst((l) => l.statusMs)} ms, ` +
      `the other entry's run at most ${worst((l) => l.runMs)} ms after its write`,
  );
}

/** Runs `argv` as nobody in `cwd` until the returned stop() (killed in t.after at worst). */
function attackUntilStopped(t: TestContext, cwd: string, argv: readonly string[]): () => Promise<void> {
  const attack = attackAsNobody(cwd, argv);
  t.after(attack.stop);
  return attack.stop;
}

/** How long the swap runs: the old daemon lost this race within 1 to 2 s. */
const ATTACK_MS = 4000;

for (const backend of BACKENDS) {
  test(`${backend}: a file swapped for a FIFO while judged blocks nothing; SIGTERM stops with 0`, async (t) => {
    const why = skipReason();
    if (why !== null) return t.skip(why);
    const s = await startWith(t, backend);
    const stop = attackUntilStopped(t, s.watched, [process.execPath, '-e', FIFO_SWAP]);
    await waitFor(
      () => readLines(s.out),
      (l) => l.length >= 1,
      { withinMs: 10_000, what: 'the attack to trigger the content-only entry' },
    );
    // The daemon is asked again and again while the attack goes on (the duration is the attack's,
    // not a measure of the daemon).
    const attackEnds = Date.now() + ATTACK_MS;
    const latencies: { statusMs: number; runMs: number }[] = [];
    let round = 0;
    for (; Date.now() < attackEnds; round += 1) latencies.push(await assertResponsive(s, round));
    await stop();
    latencies.push(await assertResponsive(s, round));
    report(t, latencies);
    assert.equal(await s.daemon.stop('SIGTERM'), 0);
  });

  test(`${backend}: a 20 GB sparse file counts as changed without being read`, async (t) => {
    const why = skipReason();
    if (why !== null) return t.skip(why);
    const s = await startWith(t, backend);
    const big = join(s.watched, 'big');
    const small = join(s.watched, 'small');
    const truncate = (path: string, size: string): void => {
      const done = spawnSync(AS_NOBODY[0] as string, [...AS_NOBODY.slice(1), 'truncate', '-s', size, path]);
      assert.equal(done.status, 0, done.stderr.toString());
    };
    // Each run writes how many paths it folded and the last one.
    const runsFor = async (path: string): Promise<number> =>
      (await readLines(s.out)).filter((l) => l.endsWith(` ${path}`)).length;
    truncate(small, '1K');
    truncate(big, '20G');
    // Runs go in order: once the first marker's has run, so has everything made before it. The
    // marker is made once the new files have been seen (a run began), so it is never reported in
    // the same scan as they are, and so is the newest path of the run it joins.
    await waitFor(
      () => readLines(s.out),
      (l) => l.length >= 1,
      { withinMs: 10_000, what: 'a run for the new files' },
    );
    const firstMarker = join(s.watched, 'first-marker');
    truncate(firstMarker, '1');
    await waitFor(
      () => runsFor(firstMarker),
      (n) => n >= 1,
      { withinMs: 10_000, what: 'the first marker' },
    );
    const latencies = [await assertResponsive(s, 0)];
    assert.ok((await runsFor(big)) + (await runsFor(small)) >= 1, 'the new files were reported');
    const firstRuns = (await readLines(s.out)).length;
    // Before: the new files may have folded into one run (reported together), the marker's.
    const bigRunsBefore = await runsFor(big);
    // Opened for writing again, the same zeros: a small file is judged by its hash (nothing), the
    // big one above the size bound counts without one.
    truncate(small, '1K');
    truncate(big, '20G');
    await waitFor(
      () => runsFor(big),
      (n) => n > bigRunsBefore,
      { withinMs: 10_000, what: 'a run for the big file, rewritten' },
    );
    latencies.push(await assertResponsive(s, 1));
    report(t, latencies);
    const marker = join(s.watched, 'marker');
    truncate(marker, '1');
    await waitFor(
      () => runsFor(marker),
      (n) => n >= 1,
      { withinMs: 10_000, what: 'the marker' },
    );
    const later = (await readLines(s.out)).slice(firstRuns);
    // A run folds one path each time (its write and close_write fold into one run).
    assert.ok(later.includes(`1 ${big}`) && later.includes(`1 ${marker}`), later.join('\n'));
    assert.deepEqual(
      later.filter((l) => l !== `1 ${big}` && l !== `1 ${marker}`),
      [],
      'the small file rewritten with the same content is nothing',
    );
    assert.equal(await s.daemon.stop('SIGTERM'), 0);
  });
}
