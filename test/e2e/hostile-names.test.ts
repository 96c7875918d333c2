// A local user (nobody) against the root daemon's watch core: paths over PATH_MAX, the watch limit
// reached at run time, names that are not UTF-8, and a base folder swapped for a symbolic link.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { readStatus } from '../../src/daemon/status-server.js';
import { renderStatus } from '../../src/cli/commands/status.js';
import { AS_NOBODY, DEEP_PATH, NOBODY } from '../helpers/attacks.js';

const run = promisify(execFile);
const BACKENDS = ['inotify', 'fanotify'] as const;
const STATUS_DEADLINE_MS = 10_000;

/** Runs a shell script as nobody (no groups), in `cwd`; the arguments are $1, $2... */
async function asNobody(cwd: string, script: string, ...args: string[]): Promise<void> {
  // bash: dash's cd fails once $PWD passes PATH_MAX, bash's falls back to the relative name.
  await run(AS_NOBODY[0], [...AS_NOBODY.slice(1), 'bash', '-c', script, 'bash', ...args], { cwd });
}

/**
 * The status socket must answer; resolves with what `watchtab status` prints of it. The deadline
 * is generous (two cores shared with parallel tests starve any daemon for seconds); the real
 * latency is printed as a test diagnostic, so it can be read off every run.
 */
async function status(t: TestContext, socket: string): Promise<string> {
  const started = performance.now();
  const shown = renderStatus(await readStatus(socket, STATUS_DEADLINE_MS));
  t.diagnostic(`status answered in ${(performance.now() - started).toFixed(0)} ms`);
  return shown;
}

interface Setup {
  readonly dir: string;
  readonly socket: string;
  readonly otherFile: string;
  readonly otherLog: string;
}

/** A world-traversable temp folder, a watchtab of `entries` plus "other" (a file nobody touches). */
async function setUp(t: TestContext, entries: (dir: string) => string): Promise<Setup & { tab: string }> {
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'other'));
  const otherFile = join(dir, 'other', 'f');
  const otherLog = join(dir, 'other.log');
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(
    tab,
    `entries:\n${entries(dir)}` +
      `  - name: other\n    path: ${otherFile}\n    events: [close_write]\n` +
      `    command: 'echo run >> "$LOG"'\n    env: { LOG: ${otherLog} }\n`,
  );
  return { dir, tab, socket: join(dir, 's.sock'), otherFile, otherLog };
}

/** The daemon is still whole: status answers, another entry runs, SIGTERM ends it with 0. */
async function assertStillServes(t: TestContext, daemon: RunningDaemon, s: Setup): Promise<string> {
  const shown = await status(t, s.socket);
  const before = await readLines(s.otherLog).catch(() => []);
  const written = performance.now();
  await writeFile(s.otherFile, 'x');
  await waitFor(
    () => readLines(s.otherLog),
    (l) => l.length > before.length,
    {
      withinMs: 15_000,
      what: 'the other entry to run',
    },
  );
  t.diagnostic(`the other entry ran ${(performance.now() - written).toFixed(0)} ms after its write`);
  assert.equal(await daemon.stop('SIGTERM'), 0);
  return shown;
}

function skipUnlessRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return false;
  t.skip('needs root (the daemon as root, the attacker as nobody)');
  return true;
}

for (const backend of BACKENDS) {
  test(`${backend}: a folder path over 4096 bytes made by nobody leaves the daemon serving`, async (t) => {
    if (skipUnlessRoot(t)) return;
    const s = await setUp(
      t,
      (dir) => `  - name: deep\n    path: ${dir}/w/**\n    events: [create]\n` + `    command: 'true'\n`,
    );
    await mkdir(join(s.dir, 'w'));
    await chown(join(s.dir, 'w'), NOBODY, NOBODY);
    const daemon = startDaemon(t, {
      args: ['--watchtab', s.tab, '--socket', s.socket, '--backend', backend],
    });
    await daemon.waitForLine(/\bready\b.*entries=2/);
    try {
      // 25 levels of 200-byte names: 5,000 bytes below the base, made with relative paths.
      await asNobody(join(s.dir, 'w'), DEEP_PATH);
      await daemon.waitForLine(/warn: .*longer than the kernel accepts.*said once per entry/);
      const shown = await assertStillServes(t, daemon, s);
      assert.match(shown, /entry deep: left out \/.* \(ENAMETOOLONG\)/);
      assert.equal(daemon.lines.filter((l) => /longer than the kernel accepts/.test(l)).length, 1);
    } finally {
      await run('rm', ['-rf', join(s.dir, 'w')]); // node's rm cannot remove a path over PATH_MAX
    }
  });

  test(`${backend}: names that are not UTF-8 stay distinct and are handed over escaped`, async (t) => {
    if (skipUnlessRoot(t)) return;
    const s = await setUp(
      t,
      (dir) =>
        `  - name: bytes\n    path: ${dir}/n/**\n    events: [create, link]\n` +
        // One line per run: the event, whether WATCHTAB_PATH names an existing file, the escaped path.
        `    command: 'if [ -e "$WATCHTAB_PATH" ]; then e=exists; else e=none; fi; ` +
        `printf "%s %s [%s] %s\\n" "$WATCHTAB_EVENT" "$e" "$WATCHTAB_PATH" "$WATCHTAB_PATH_ESCAPED" >> "$LOG"'\n` +
        `    env: { LOG: ${dir}/bytes.log }\n`,
    );
    const n = join(s.dir, 'n');
    await mkdir(n);
    await chown(n, NOBODY, NOBODY);
    // The name a lossy decoding of x\xff would give (x + U+FFFD): another file, which must never be named.
    await asNobody(n, 'touch "$(printf "x\\357\\277\\275")"');
    const daemon = startDaemon(t, {
      args: ['--watchtab', s.tab, '--socket', s.socket, '--backend', backend],
    });
    await daemon.waitForLine(/\bready\b.*entries=2/);
    const log = join(s.dir, 'bytes.log');
    const lineFor = (escaped: string) =>
      waitFor(
        () => readLines(log),
        (l) => l.some((x) => x.endsWith(` ${n}/${escaped}`)),
        {
          withinMs: 15_000,
          what: `a run for ${escaped}`,
        },
      );
    // One at a time, so each run's WATCHTAB_PATH is that name.
    await asNobody(n, 'touch "$(printf "x\\377")"');
    await lineFor('x\\xff');
    await asNobody(n, 'touch "$(printf "x\\376")"');
    await lineFor('x\\xfe');
    // A folder with such a name is watched by its real bytes: what is made inside it is seen.
    await asNobody(n, 'd=$(printf "d\\377"); mkdir "$d" && touch "$d/f"');
    await lineFor('d\\xff/f');
    // Its state is read by its real bytes: a second name of x\xff gets `link` on both names.
    await asNobody(n, 'ln "$(printf "x\\377")" "$(printf "y\\377")"');
    await waitFor(
      () => readLines(log),
      (l) => l.some((x) => x.startsWith('link') && x.endsWith(` ${n}/x\\xff`)),
      { withinMs: 15_000, what: 'link on x\\xff' },
    );
    const lines = await readLines(log);
    for (const line of lines) {
      // WATCHTAB_PATH is empty for every name that is not UTF-8, and never names another file.
      if (/\\x[0-9a-f]{2}/.test(line)) assert.match(line, / none \[\] /, line);
    }
    assert.ok(!lines.some((l) => l.includes('\uFFFD')), `no U+FFFD reached a command:\n${lines.join('\n')}`);
    const onDisk = await readdir(n, { encoding: 'buffer' });
    assert.equal(onDisk.length, 5, 'x\\xef\\xbf\\xbd, x\\xff, x\\xfe, d\\xff, y\\xff');
    await assertStillServes(t, daemon, s);
  });

  test(`${backend}: a base swapped by nobody for a symbolic link to a root-only folder is not followed`, async (t) => {
    if (skipUnlessRoot(t)) return;
    const s = await setUp(
      t,
      (dir) =>
        `  - name: swapped\n    path: ${dir}/u/base/**\n    events: [create, write, close_write]\n` +
        `    content-only: true\n    command: 'printf "%s\\n" "$WATCHTAB_PATH" >> "$LOG"'\n` +
        `    env: { LOG: ${dir}/swapped.log }\n`,
    );
    const u = join(s.dir, 'u');
    const secret = join(s.dir, 'secret');
    await mkdir(join(u, 'base'), { recursive: true });
    await chown(u, NOBODY, NOBODY);
    await chown(join(u, 'base'), NOBODY, NOBODY);
    await mkdir(secret, { mode: 0o700 });
    await writeFile(join(secret, 'key'), 'root only', { mode: 0o600 });
    const daemon = startDaemon(t, {
      args: ['--watchtab', s.tab, '--socket', s.socket, '--backend', backend],
    });
    await daemon.waitForLine(/\bready\b.*entries=2/);
    await asNobody(u, 'rmdir base && ln -s "$1" base', secret);
    await daemon.waitForLine(/warn: .*base is a symbolic link now; treated as absent/);
    // Root's edits behind the link, then the marker: nobody puts a real base back with a file.
    await writeFile(join(secret, 'key'), 'changed by root', { mode: 0o600 });
    await writeFile(join(secret, 'new'), 'made by root', { mode: 0o600 });
    await mkdir(join(secret, 'sub'));
    await writeFile(join(secret, 'sub', 'deeper'), 'x', { mode: 0o600 });
    const shown = await status(t, s.socket);
    assert.match(shown, /entry swapped: left out \/.*\/u\/base \(ELOOP\)/);
    await asNobody(u, 'rm base && mkdir base && echo hi > base/marker');
    const log = join(s.dir, 'swapped.log');
    const lines = await waitFor(
      () => readLines(log),
      (l) => l.includes(join(u, 'base', 'marker')),
      {
        withinMs: 15_000,
        what: 'the run for the marker',
      },
    );
    assert.deepEqual(
      lines.filter((l) => /\/base\/(key|new|sub)/.test(l)),
      [],
      `nothing behind the link ever triggered the entry:\n${lines.join('\n')}`,
    );
    assert.equal(daemon.lines.filter((l) => /symbolic link now/.test(l)).length, 1);
    await assertStillServes(t, daemon, s);
    assert.equal(await readFile(join(secret, 'key'), 'utf8'), 'changed by root');
  });
}

// The watch limit is lowered for the daemon alone: it runs in a user namespace of its own, where
// user.max_inotify_watches is per namespace (the global fs.inotify.max_user_watches is untouched).
test('inotify: the watch limit reached at run time leaves the daemon serving, and is retried', async (t) => {
  if (skipUnlessRoot(t)) return;
  const probe = await run('unshare', [
    '--user',
    '--map-root-user',
    '--',
    'sh',
    '-c',
    'echo 8 > /proc/sys/user/max_inotify_watches',
  ]).then(
    () => true,
    () => false,
  );
  if (!probe) return t.skip('this kernel has no per-namespace user.max_inotify_watches to lower');
  const s = await setUp(
    t,
    (dir) =>
      `  - name: many\n    path: ${dir}/w/**\n    events: [create]\n` +
      `    command: 'printf "%s\\n" "$WATCHTAB_PATH" >> "$LOG"'\n    env: { LOG: ${dir}/many.log }\n`,
  );
  const w = join(s.dir, 'w');
  await mkdir(w);
  await chown(w, NOBODY, NOBODY);
  const limit = 'echo 8 > /proc/sys/user/max_inotify_watches && exec "$@"';
  const daemon = startDaemon(t, {
    args: ['--watchtab', s.tab, '--socket', s.socket, '--backend', 'inotify'],
    wrap: ['unshare', '--user', '--map-root-user', '--', 'sh', '-c', limit, 'sh'],
  });
  await daemon.waitForLine(/\bready\b.*entries=2/);
  await asNobody(w, 'for i in $(seq 20); do mkdir "d$i"; done');
  await daemon.waitForLine(/warn: .*inotify watch limit reached.*retried with back-off/);
  const shown = await status(t, s.socket);
  assert.match(shown, /entry many: left out \/.*\/w\/d\d+ \(ENOSPC\)/);
  // Room again (inside the daemon's namespace only): the retry watches the folders left out.
  const pid = String(daemon.child.pid);
  const raise = 'echo 1000 > /proc/sys/user/max_inotify_watches';
  await run('nsenter', ['--user', '--target', pid, '--', 'sh', '-c', raise]);
  await daemon.waitForLine(/watch armed after retrying/, { withinMs: 15_000 });
  await asNobody(w, 'touch d20/late');
  await waitFor(
    () => readLines(join(s.dir, 'many.log')),
    (l) => l.includes(join(w, 'd20', 'late')),
    {
      withinMs: 15_000,
      what: 'a run for a file in a folder left out before the retry',
    },
  );
  assert.equal(daemon.lines.filter((l) => /inotify watch limit reached/.test(l)).length, 1);
  await assertStillServes(t, daemon, s);
});
