// What an operator sees of the built watchtabd: native journal records with fields (a datagram
// socket bound in place of the journal's), plain lines elsewhere, a log file that survives a full
// disk and is reopened on SIGUSR1, STATUS= for systemd, and each entry's run history in status.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, fstatSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon } from '../helpers/daemon.js';
import { hasPython, startNotifyReceiver } from '../helpers/notify-receiver.js';
import { decodeJournalRecord, type JournalFields } from '../helpers/journal-record.js';
import { WATCHTAB_BIN, WATCHTABD_BIN } from '../helpers/paths.js';

const run = promisify(execFile);

/** A YAML watchtab in a temp folder with a `watched/` folder; $DIR in `entries` is the folder. */
async function setup(t: TestContext, entries: string) {
  const dir = await tempDir(t);
  const watched = join(dir, 'watched');
  await mkdir(watched);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, `---\nentries:\n${entries.replaceAll('$DIR', dir)}`);
  return { dir, watched, tab, socket: join(dir, 'status.sock') };
}

/**
 * Starts the daemon with stderr on a file, as systemd gives it the journal's stream: JOURNAL_STREAM
 * names that file's device and inode (or `journalStream` when given, to show a mismatch).
 */
function startWithStderrFile(
  t: TestContext,
  args: readonly string[],
  stderrFile: string,
  env: NodeJS.ProcessEnv,
  journalStream?: string,
) {
  const fd = openSync(stderrFile, 'a');
  const stat = fstatSync(fd);
  // A state folder of its own: never the system's (/var/lib/watchtabd as root), which daemons of
  // other tests, or a real one, would share.
  const stateDir = join(dirname(stderrFile), 'state');
  const child = spawn(process.execPath, [WATCHTABD_BIN, ...args, '--state-dir', stateDir], {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, JOURNAL_STREAM: journalStream ?? `${stat.dev}:${stat.ino}`, ...env },
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, exited };
}

test('under the journal: native records with MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and WATCHTAB_ fields', async (t) => {
  if (!hasPython()) return t.skip('python3 is needed to bind a datagram socket in place of the journal');
  const s = await setup(
    t,
    `  - name: site\n    path: $DIR/watched/page\n    events: [close_write]\n` +
      `    command: 'echo to stdout; printf "to stderr\\\\nsecond\\\\n" >&2; exit 3'\n`,
  );
  const journal = await startNotifyReceiver(t, join(s.dir, 'journal.sock'), true);
  const stderrFile = join(s.dir, 'stderr');
  const daemon = startWithStderrFile(t, ['--watchtab', s.tab, '--socket', s.socket], stderrFile, {
    WATCHTAB_JOURNAL_SOCKET: journal.name,
  });
  const records = (): JournalFields[] =>
    journal.messages.map((m) => decodeJournalRecord(Buffer.from(m, 'base64')));
  await waitFor(records, (r) => r.some((f) => f.get('MESSAGE')?.startsWith('ready') === true), {
    withinMs: 10_000,
    what: 'the ready record',
  });
  const page = join(s.watched, 'page');
  await writeFile(page, 'x');
  const all = await waitFor(records, (r) => r.some((f) => f.get('WATCHTAB_EXIT_STATUS') === '3'), {
    withinMs: 10_000,
    what: 'the record of the failed run',
  });
  assert.equal(await daemon.child.kill('SIGTERM'), true);
  assert.equal(await daemon.exited, 0);
  for (const f of all) assert.equal(f.get('SYSLOG_IDENTIFIER'), 'watchtabd');
  const ready = all.find((f) => f.get('MESSAGE')?.startsWith('ready'));
  assert.equal(ready?.get('PRIORITY'), '6');
  assert.equal(ready?.get('WATCHTAB_ENTRIES'), '1');
  const output = all.filter((f) => f.get('WATCHTAB_STREAM') !== undefined);
  const byLine = (line: string) => output.find((f) => f.get('WATCHTAB_LINE') === line);
  assert.equal(byLine('to stdout')?.get('PRIORITY'), '6', 'stdout at info');
  assert.equal(byLine('to stderr')?.get('PRIORITY'), '4', 'stderr at warning');
  assert.equal(byLine('second')?.get('WATCHTAB_STREAM'), 'stderr');
  for (const f of output) assert.equal(f.get('WATCHTAB_ENTRY'), 'site');
  const failed = all.find((f) => f.get('WATCHTAB_EXIT_STATUS') === '3');
  assert.equal(failed?.get('PRIORITY'), '3');
  assert.equal(failed?.get('WATCHTAB_ENTRY'), 'site');
  assert.equal(failed?.get('WATCHTAB_PATH'), page);
  assert.match(failed?.get('MESSAGE') ?? '', /^run failed: exit status 3/);
  const started = all.find((f) => f.get('MESSAGE')?.startsWith('run started'));
  assert.equal(started?.get('WATCHTAB_PATH'), page);
  assert.equal(started?.get('WATCHTAB_EVENTS'), 'close_write');
  // Everything went to the journal's socket: nothing fell back to stderr.
  assert.equal(readFileSync(stderrFile, 'utf8'), '');
});

test('a value with a newline travels in the binary-safe form, whole', async (t) => {
  if (!hasPython()) return t.skip('python3 is needed to bind a datagram socket in place of the journal');
  // A file name with a newline in it, chosen by whoever writes into the watched folder.
  const s = await setup(
    t,
    `  - name: odd\n    path: $DIR/watched\n    events: [create]\n    command: 'true'\n`,
  );
  const journal = await startNotifyReceiver(t, join(s.dir, 'journal.sock'), true);
  const daemon = startWithStderrFile(t, ['--watchtab', s.tab, '--socket', s.socket], join(s.dir, 'err'), {
    WATCHTAB_JOURNAL_SOCKET: journal.name,
  });
  const records = (): JournalFields[] =>
    journal.messages.map((m) => decodeJournalRecord(Buffer.from(m, 'base64')));
  await waitFor(records, (r) => r.some((f) => f.get('MESSAGE')?.startsWith('ready') === true), {
    withinMs: 10_000,
    what: 'the ready record',
  });
  const odd = join(s.watched, 'two\nlines=x');
  await writeFile(odd, '');
  const started = await waitFor(
    () => records().find((f) => f.get('MESSAGE')?.startsWith('run started')),
    (f) => f !== undefined,
    { withinMs: 10_000, what: 'the run started record' },
  );
  assert.equal(started?.get('WATCHTAB_PATH'), odd);
  daemon.child.kill('SIGTERM');
  assert.equal(await daemon.exited, 0);
});

test('JOURNAL_STREAM that is not stderr: plain timestamped lines, no journal records', async (t) => {
  const s = await setup(
    t,
    `  - name: one\n    path: $DIR/watched\n    events: [create]\n    command: 'true'\n`,
  );
  const stderrFile = join(s.dir, 'stderr');
  // What a shell started from a systemd service inherits: the variable, but another stderr.
  const daemon = startWithStderrFile(
    t,
    ['--watchtab', s.tab, '--socket', s.socket],
    stderrFile,
    { WATCHTAB_JOURNAL_SOCKET: join(s.dir, 'no-journal.sock') },
    '8:12345',
  );
  const text = await waitFor(
    () => readFile(stderrFile, 'utf8'),
    (l) => /\bready\b/.test(l),
    { withinMs: 10_000, what: 'ready on stderr' },
  );
  assert.match(text, /^\d{4}-\d\d-\d\dT\S+ info: ready /m);
  assert.doesNotMatch(text, /^<\d>/m);
  daemon.child.kill('SIGTERM');
  assert.equal(await daemon.exited, 0);
});

test('under the journal with its socket unreachable: priority-prefixed lines on stderr instead', async (t) => {
  const s = await setup(
    t,
    `  - name: one\n    path: $DIR/watched\n    events: [create]\n    command: 'true'\n`,
  );
  const stderrFile = join(s.dir, 'stderr');
  const daemon = startWithStderrFile(t, ['--watchtab', s.tab, '--socket', s.socket], stderrFile, {
    WATCHTAB_JOURNAL_SOCKET: join(s.dir, 'no-journal.sock'),
  });
  const text = await waitFor(
    () => readFile(stderrFile, 'utf8'),
    (l) => /\bready\b/.test(l),
    { withinMs: 10_000, what: 'ready on stderr' },
  );
  assert.match(text, /^<6>ready /m);
  daemon.child.kill('SIGTERM');
  assert.equal(await daemon.exited, 0);
});

/** Fills the file system holding `dir` until it refuses another byte; returns the filler. */
async function fill(dir: string): Promise<string> {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(4096, 0x61);
  for (let i = 0; i < 1024; i += 1) {
    try {
      await appendFile(filler, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return filler;
      throw error;
    }
  }
  throw new Error('the tmpfs never filled up');
}

test('--log-file on a full file system: commands go on, logging resumes once space is freed, SIGTERM exits 0', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('mounting a tmpfs needs root');
  const s = await setup(
    t,
    `  - name: note\n    path: $DIR/watched\n    events: [create]\n` +
      `    command: 'echo "$WATCHTAB_PATH" >> $DIR/out; echo ${'y'.repeat(1000)}'\n`,
  );
  const logDir = join(s.dir, 'log');
  await mkdir(logDir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', logDir]);
  if (mounted.status !== 0) return t.skip(`cannot mount a tmpfs here: ${mounted.stderr.toString().trim()}`);
  try {
    const logFile = join(logDir, 'watchtabd.log');
    const daemon = startDaemon(t, {
      args: ['--watchtab', s.tab, '--socket', s.socket, '--log-file', logFile],
    });
    await waitFor(
      () => readFile(logFile, 'utf8'),
      (text) => /\bready\b/.test(text),
      { withinMs: 10_000, what: 'ready in the log file' },
    );
    const filler = await fill(logDir);
    // Runs while the disk is full: each logs over 1 KiB, more than the log's last page holds in 8
    // (and fewer than the runaway guard's limit).
    for (let i = 1; i <= 8; i += 1) {
      await writeFile(join(s.watched, `full-${i}`), '');
      await waitFor(
        () => readLines(join(s.dir, 'out')),
        (l) => l.length === i,
        { withinMs: 10_000, what: `run ${i} while the disk is full` },
      );
    }
    await daemon.waitForLine(/cannot write the log file .*\(ENOSPC\)/);
    await rm(filler);
    // Lines logged before the sink's next retry (1 s after the failure, then backing off) are
    // counted as lost; a run after that is logged again. Each probe starts one more run.
    let probes = 0;
    const text = await waitFor(
      async () => {
        probes += 1;
        await writeFile(join(s.watched, `after-${probes}`), '');
        return readFile(logFile, 'utf8');
      },
      (l) =>
        /could not be written from .*\(ENOSPC\): \d+ log lines? lost/.test(l) && /run ended.*after-/.test(l),
      { withinMs: 30_000, everyMs: 1000, what: 'the log to resume, saying what it lost' },
    );
    const lines = text.split('\n');
    const notice = lines.findIndex((l) => /could not be written/.test(l));
    assert.ok(notice < lines.findIndex((l) => /run ended.*after-/.test(l)), 'the notice comes first');
    assert.equal(await daemon.stop(), 0);
    assert.match((await readFile(logFile, 'utf8')).trimEnd().split('\n').at(-1) ?? '', /\bstopped\b/);
    assert.equal(daemon.lines.filter((l) => /cannot write the log file/.test(l)).length, 1, 'said once');
  } finally {
    if (spawnSync('umount', [logDir]).status !== 0) spawnSync('umount', ['-l', logDir]);
  }
});

test('SIGUSR1 reopens --log-file: after logrotate moves it, new lines go to a new file', async (t) => {
  const s = await setup(
    t,
    `  - name: one\n    path: $DIR/watched\n    events: [create]\n    command: 'true'\n`,
  );
  const logFile = join(s.dir, 'watchtabd.log');
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket, '--log-file', logFile] });
  await waitFor(
    () => readFile(logFile, 'utf8'),
    (text) => /\bready\b/.test(text),
    { withinMs: 10_000, what: 'ready in the log file' },
  );
  await rename(logFile, `${logFile}.1`);
  daemon.child.kill('SIGUSR1');
  // Until the new file exists, the daemon may still be writing to the moved one: wait for the fact.
  await waitFor(
    async () => {
      await writeFile(join(s.watched, `probe-${Date.now()}`), '');
      return readFile(logFile, 'utf8');
    },
    (text) => /run started/.test(text),
    { withinMs: 10_000, everyMs: 300, what: 'a run logged to the reopened file' },
  );
  assert.equal(await daemon.stop(), 0);
  assert.match(await readFile(`${logFile}.1`, 'utf8'), /\bready\b/);
  assert.match((await readFile(logFile, 'utf8')).trimEnd().split('\n').at(-1) ?? '', /\bstopped\b/);
});

test('sd_notify: READY=1 comes with STATUS= (entries armed), and every reload sends its result', async (t) => {
  if (!hasPython()) return t.skip('python3 is needed to receive sd_notify datagrams');
  const s = await setup(
    t,
    `  - name: a\n    path: $DIR/watched\n    events: [create]\n    command: 'true'\n` +
      `  - name: b\n    path: $DIR/watched/x\n    events: [create]\n    command: 'true'\n`,
  );
  const receiver = await startNotifyReceiver(t, join(s.dir, 'notify.sock'));
  const daemon = startDaemon(t, {
    args: ['--watchtab', s.tab, '--socket', s.socket],
    env: { ...process.env, NOTIFY_SOCKET: receiver.name },
  });
  const ready = await waitFor(
    () => receiver.messages.find((m) => m.startsWith('READY=1\n')),
    (m) => m !== undefined,
    { withinMs: 10_000, what: 'READY=1' },
  );
  assert.equal(ready, 'READY=1\nSTATUS=2 of 2 entries armed');
  // A broken drop-in: the reload keeps the previous entries, and STATUS= says so.
  await mkdir(`${s.tab}.d`);
  await writeFile(join(`${s.tab}.d`, 'bad.tab'), 'relative/path\tcreate\ttrue\n');
  daemon.child.kill('SIGHUP');
  const afterReload = await waitFor(
    () => receiver.messages.filter((m) => m.startsWith('READY=1\n')),
    (m) => m.length >= 2 && /with problems/.test(m.at(-1) ?? ''),
    { withinMs: 10_000, what: 'READY=1 with STATUS= after the reload' },
  );
  assert.match(
    afterReload.at(-1) ?? '',
    /^READY=1\nSTATUS=2 of 2 entries armed; last reload \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: 2 files read, 1 with problems, 0 refused/,
  );
  assert.equal(await daemon.stop(), 0);
});

interface StatusRun {
  startedAt: string;
  durationMs: number;
  outcome: string;
  failed: boolean;
  path: string;
  count: number;
  exitStatus: number | null;
}

test('watchtab status ENTRY shows its latest runs; status --json has them with ISO 8601 times', async (t) => {
  const s = await setup(
    t,
    `  - name: site\n    path: $DIR/watched\n    events: [create]\n` +
      `    command: 'echo "$WATCHTAB_PATH" >> $DIR/out; test "$WATCHTAB_PATH" != "$DIR/watched/bad"'\n`,
  );
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--socket', s.socket] });
  await daemon.waitForLine(/\bready\b/);
  const names = ['one', 'bad', 'three'];
  for (const [i, name] of names.entries()) {
    await writeFile(join(s.watched, name), '');
    await waitFor(
      () => readLines(join(s.dir, 'out')),
      (l) => l.length === i + 1,
      { withinMs: 10_000, what: `run ${i + 1}` },
    );
  }
  const status = async (...args: string[]) =>
    (await run(process.execPath, [WATCHTAB_BIN, 'status', ...args, '--socket', s.socket])).stdout;
  const doc = await waitFor(
    async () => JSON.parse(await status('--json')) as { entries: { name: string; history: StatusRun[] }[] },
    (d) => d.entries[0]?.history.length === 3,
    { withinMs: 10_000, what: 'three runs in the history' },
  );
  const history = doc.entries[0]?.history ?? [];
  assert.deepEqual(
    history.map((r) => [r.path, r.count, r.exitStatus, r.failed]),
    [
      [join(s.watched, 'three'), 1, 0, false],
      [join(s.watched, 'bad'), 1, 1, true],
      [join(s.watched, 'one'), 1, 0, false],
    ],
    'newest first',
  );
  for (const r of history) {
    assert.match(r.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof r.durationMs, 'number');
  }
  const one = JSON.parse(await status('site', '--json')) as { name: string; history: StatusRun[] };
  assert.equal(one.name, 'site');
  assert.equal(one.history.length, 3);
  const text = await status('site');
  assert.match(text, /^entry: site$/m);
  assert.match(text, /^STARTED\s+DURATION\s+OUTCOME\s+PATHS\s+TRIGGER PATH$/m);
  assert.match(
    text,
    new RegExp(`^\\S+Z\\s+\\d+\\.\\ds\\s+exit status 1\\s+1\\s+${join(s.watched, 'bad')}$`, 'm'),
  );
  await assert.rejects(status('nosuch'), (e: { code?: number; stderr?: string }) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr ?? '', /no entry named "nosuch"/);
    return true;
  });
  assert.equal(await daemon.stop(), 0);
});
