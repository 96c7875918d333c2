// The built watchtabd as a real process: readiness (log line and sd_notify), running a command on
// a real file change, clean stop with no orphaned commands, start-up rules, `watchtab status`.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { isRunning, readLines, readPid, startDaemon } from '../helpers/daemon.js';
import { hasPython, startNotifyReceiver } from '../helpers/notify-receiver.js';
import { WATCHTAB_BIN } from '../helpers/paths.js';

const run = promisify(execFile);

interface Setup {
  readonly dir: string;
  readonly watched: string;
  readonly tab: string;
  readonly socket: string;
}

/** A temp folder with `watched/` and a YAML watchtab holding `entries` ($DIR is the folder). */
async function setup(t: TestContext, entries: string): Promise<Setup> {
  const dir = await tempDir(t);
  const watched = join(dir, 'watched');
  await mkdir(watched);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, `---\nentries:\n${entries.replaceAll('$DIR', dir)}`);
  return { dir, watched, tab, socket: join(dir, 'status.sock') };
}

test('watchtabd logs ready, sends READY=1, runs the entry on a write, and stops with exit 0', async (t) => {
  if (!hasPython()) return t.skip('python3 is needed to receive sd_notify datagrams');
  const s = await setup(
    t,
    `  - name: site\n    path: $DIR/watched/**\n    events: [close_write]\n` +
      `    command: 'printf "%s %s\\n" "$WATCHTAB_EVENT" "$WATCHTAB_PATH" >> $DIR/out'\n`,
  );
  const receiver = await startNotifyReceiver(t, `@watchtab-test-${process.pid}-${Date.now()}`);
  const daemon = startDaemon(t, {
    args: ['--watchtab', s.tab, '--socket', s.socket],
    env: { ...process.env, NOTIFY_SOCKET: receiver.name },
  });
  await daemon.waitForLine(/\bready\b/);
  await waitFor(
    () => receiver.messages,
    (m) => m.some((s) => s.split('\n').includes('READY=1')),
    { withinMs: 5000, what: 'READY=1' },
  );
  await writeFile(join(s.watched, 'index.md'), '# hello');
  const out = await waitFor(
    () => readLines(join(s.dir, 'out')),
    (l) => l.length >= 1,
    {
      withinMs: 10_000,
      what: 'the command to run',
    },
  );
  assert.equal(out[0], `close_write ${join(s.watched, 'index.md')}`);
  // A reload is announced with RELOADING=1 and the monotonic time, and followed by READY=1 again.
  const from = daemon.lines.length;
  daemon.child.kill('SIGHUP');
  await daemon.waitForLine(/\breloaded\b/, { fromLine: from });
  const reloading = await waitFor(
    () => receiver.messages.findIndex((m) => /^RELOADING=1\nMONOTONIC_USEC=\d+$/.test(m)),
    (i) => i >= 0,
    { withinMs: 5000, what: 'RELOADING=1 with MONOTONIC_USEC' },
  );
  await waitFor(
    () => receiver.messages.slice(reloading + 1),
    (m) => m.some((s) => s.split('\n').includes('READY=1')),
    {
      withinMs: 5000,
      what: 'READY=1 after the reload',
    },
  );
  assert.equal(await daemon.stop('SIGTERM'), 0);
  assert.ok(receiver.messages.includes('STOPPING=1'), `datagrams: ${receiver.messages.join(' | ')}`);
});

test('a stop sends SIGTERM to the running command and its background children, then exits 0', async (t) => {
  const s = await setup(
    t,
    `  - name: long\n    path: $DIR/watched\n    events: [create]\n` +
      `    command: 'sleep 300 & echo $! > $DIR/bg.pid; echo $$ > $DIR/fg.pid; wait'\n`,
  );
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket, '--grace', '5'] });
  await daemon.waitForLine(/\bready\b/);
  await writeFile(join(s.watched, 'go'), '');
  const fg = await readPid(join(s.dir, 'fg.pid'));
  const bg = await readPid(join(s.dir, 'bg.pid'));
  assert.ok(await isRunning(fg));
  assert.ok(await isRunning(bg));
  assert.equal(await daemon.stop('SIGTERM'), 0);
  await waitFor(
    async () => (await isRunning(fg)) || (await isRunning(bg)),
    (alive) => !alive,
    {
      withinMs: 5000,
      what: 'the command and its background child to be gone',
    },
  );
});

test('a second SIGTERM stops at once, even when a command ignores SIGTERM', async (t) => {
  const s = await setup(
    t,
    `  - name: stubborn\n    path: $DIR/watched\n    events: [create]\n` +
      `    command: 'trap "" TERM; echo $$ > $DIR/fg.pid; sleep 300'\n`,
  );
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket, '--grace', '120'] });
  await daemon.waitForLine(/\bready\b/);
  await writeFile(join(s.watched, 'go'), '');
  const fg = await readPid(join(s.dir, 'fg.pid'));
  daemon.child.kill('SIGTERM');
  await daemon.waitForLine(/stopping/);
  // Still running: it ignores SIGTERM and the grace period is two minutes.
  assert.ok(await isRunning(fg));
  assert.equal(await daemon.stop('SIGTERM', 10_000), 0);
  await waitFor(
    () => isRunning(fg),
    (alive) => !alive,
    { withinMs: 5000, what: 'the stubborn command to be killed' },
  );
});

test('a missing main watchtab is a warning; the file is loaded when it appears', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', join(dir, 'status.sock')] });
  await daemon.waitForLine(/warn.*does not exist/);
  await daemon.waitForLine(/\bready\b/);
  await mkdir(join(dir, 'watched'));
  await writeFile(tab, `${join(dir, 'watched')}\tcreate\techo "$WATCHTAB_PATH" >> ${join(dir, 'out')}\n`);
  await daemon.waitForLine(/\breloaded\b/);
  await writeFile(join(dir, 'watched', 'f'), '');
  await waitFor(
    () => readLines(join(dir, 'out')),
    (l) => l.includes(join(dir, 'watched', 'f')),
    {
      withinMs: 10_000,
      what: 'the new entry to run',
    },
  );
  assert.equal(await daemon.stop(), 0);
});

test('at start-up, problems and not one usable entry exit 1 naming the line', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, `# a typo\n/tmp\tmodfy\ttrue\n`);
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', join(dir, 'status.sock')] });
  assert.equal(await daemon.exited, 1);
  assert.ok(
    daemon.lines.some((l) => l.includes(`${tab}:2`) && l.includes('modfy')),
    daemon.lines.join('\n'),
  );
});

test('at start-up a broken drop-in is left out whole and the other files run', async (t) => {
  const s = await setup(
    t,
    `  - name: good\n    path: $DIR/watched\n    events: [create]\n    command: 'touch $DIR/good-ran'\n`,
  );
  await mkdir(`${s.tab}.d`);
  await writeFile(
    join(`${s.tab}.d`, 'bad.yaml'),
    `entries:\n  - name: bad\n    path: /tmp\n    command: true\n    colour: red\n`,
  );
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket] });
  const ready = await daemon.waitForLine(/\bready\b/);
  assert.match(ready, /entries=1/);
  assert.ok(
    daemon.lines.some((l) => l.includes('bad.yaml:5') && l.includes('colour')),
    daemon.lines.join('\n'),
  );
  await writeFile(join(s.watched, 'x'), '');
  await waitFor(
    () => readLines(join(s.dir, 'good-ran')),
    () => true,
    { withinMs: 10_000, what: 'the good entry to run' },
  );
  assert.equal(await daemon.stop(), 0);
});

/** The fds of `pid` that are inotify instances (their /proc/PID/fd link names the anon inode). */
async function inotifyFds(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`);
  const links = await Promise.all(
    fds.map(async (fd) => [fd, await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')]),
  );
  return links.filter(([, link]) => link === 'anon_inode:inotify').map(([fd]) => fd as string);
}

// Regression: the no-follow scans open and close a folder fd per watched folder; the daemon's
// inotify instance must outlive them (its fd never closed or taken by another), so that an entry
// on one exact file, alone, still reports a write of it.
test('an entry on one exact file keeps its inotify instance open and runs on a write', async (t) => {
  const s = await setup(
    t,
    `  - name: conf\n    path: $DIR/watched/app.conf\n    events: [close_write]\n` +
      `    command: 'printf "%s %s\\n" "$WATCHTAB_EVENT" "$WATCHTAB_PATH" >> $DIR/out'\n`,
  );
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket] });
  await daemon.waitForLine(/\bready\b/);
  const pid = daemon.child.pid ?? assert.fail('watchtabd has no pid');
  const atReady = await inotifyFds(pid);
  assert.equal(atReady.length, 1, `one inotify instance at ready, found fds [${atReady.join(', ')}]`);
  await writeFile(join(s.watched, 'app.conf'), 'x');
  const out = await waitFor(
    () => readLines(join(s.dir, 'out')),
    (l) => l.length >= 1,
    { withinMs: 10_000, what: 'the command of the exact-file entry to run' },
  );
  assert.deepEqual(out, [`close_write ${join(s.watched, 'app.conf')}`]);
  assert.deepEqual(await inotifyFds(pid), atReady, 'the same inotify fd after the run');
  assert.equal(await daemon.stop(), 0);
});

test('watchtab status shows the entries of the running daemon, as a table and as JSON', async (t) => {
  const s = await setup(
    t,
    `  - name: site\n    path: $DIR/watched/**\n    events: [close_write]\n    command: 'true'\n` +
      `  - name: conf\n    path: $DIR/watched/app.conf\n    events: [close_write]\n    command: 'exit 3'\n`,
  );
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket] });
  await daemon.waitForLine(/\bready\b/);
  await writeFile(join(s.watched, 'app.conf'), 'x');
  await daemon.waitForLine(/conf/, { withinMs: 10_000 });
  const json = await waitFor(
    async () =>
      JSON.parse(
        (await run(process.execPath, [WATCHTAB_BIN, 'status', '--json', '--socket', s.socket])).stdout,
      ) as {
        entries: { name: string; backend: string; counters?: { runs?: number } }[];
      },
    (doc) => doc.entries.find((e) => e.name === 'conf')?.counters?.runs === 1,
    { withinMs: 10_000, what: 'status to show the run of "conf"' },
  );
  assert.deepEqual(json.entries.map((e) => e.name).sort(), ['conf', 'site']);
  // auto: a single file is watched with inotify; a recursive tree with fanotify where it can be had (root).
  const backends = Object.fromEntries(json.entries.map((e) => [e.name, e.backend]));
  assert.deepEqual(backends, { conf: 'inotify', site: process.getuid?.() === 0 ? 'fanotify' : 'inotify' });
  const table = (await run(process.execPath, [WATCHTAB_BIN, 'status', '--socket', s.socket])).stdout;
  assert.match(table, /^ENTRY\s+STATE/m);
  assert.match(table, /^site\s+/m);
  assert.match(table, /^conf\s+.*exit/m);
  assert.equal(await daemon.stop(), 0);
  await assert.rejects(
    run(process.execPath, [WATCHTAB_BIN, 'status', '--socket', s.socket]),
    (e: { code?: number; stderr?: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr ?? '', /cannot reach watchtabd/);
      return true;
    },
  );
});

test('a second daemon on the same status socket exits 1 with a reason, and the first keeps running', async (t) => {
  const s = await setup(
    t,
    `  - name: one\n    path: $DIR/watched\n    events: [create]\n    command: 'true'\n`,
  );
  const first = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket] });
  await first.waitForLine(/\bready\b/);
  const second = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket] });
  assert.equal(await second.exited, 1);
  assert.ok(
    second.lines.some((l) => /cannot run: another watchtabd answers/.test(l)),
    second.lines.join('\n'),
  );
  assert.ok(!second.lines.some((l) => /^\s+at /.test(l)), 'a stack trace was printed');
  const doc = (await run(process.execPath, [WATCHTAB_BIN, 'status', '--json', '--socket', s.socket])).stdout;
  assert.match(doc, /"name": "one"/);
  assert.equal(await first.stop(), 0);
});
