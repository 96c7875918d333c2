// After `kill -9` of the real daemon, the command it was running lives on; a daemon restarted on the
// same state folder holds it as the entry's run (never two processes of the entry, sampled from
// /proc), runs the queued trigger after it, and stops it at a clean stop. Stale records are ignored.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { isRunning, readLines, startDaemon, type RunningDaemon } from '../helpers/daemon.js';

interface Setup {
  readonly dir: string;
  readonly inbox: string;
  readonly log: string;
  readonly release: string;
  readonly state: string;
  readonly args: readonly string[];
  /** Marks the entry's shells in /proc (their environment holds it). */
  readonly mark: string;
}

/** An entry whose command records its start and end, and waits for `release` to exist in between. */
async function setup(t: TestContext, extra = ''): Promise<Setup> {
  const dir = await tempDir(t);
  const inbox = join(dir, 'inbox');
  await mkdir(inbox);
  const log = join(dir, 'runs.log');
  const release = join(dir, 'release');
  const mark = `crash-${process.pid}-${Date.now()}`;
  const command =
    'echo "start $$ $WATCHTAB_PATH" >> "$LOG"; while [ ! -e "$RELEASE" ]; do sleep 0.05; done; echo "end $$" >> "$LOG"';
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(
    tab,
    `entries:\n  - name: job\n    path: ${inbox}/*\n    events: [close_write]\n` +
      `    command: '${command}'\n    env: { LOG: ${log}, RELEASE: ${release}, MARK: ${mark} }\n${extra}`,
  );
  const state = join(dir, 'state');
  return {
    dir,
    inbox,
    log,
    release,
    state,
    mark,
    args: [
      '--watchtab',
      tab,
      '--socket',
      join(dir, 's.sock'),
      '--state-dir',
      state,
      '--log-level',
      'debug',
      '--grace',
      '2',
    ],
  };
}

/** Pids of the entry's shells now running (found by the mark in their environment). */
async function entryShells(mark: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (
      environ.split('\0').includes(`MARK=${mark}`) &&
      cmdline.startsWith('/bin/sh\0') &&
      (await isRunning(Number(name)))
    )
      found.push(Number(name));
  }
  return found;
}

/** Samples /proc until stopped; resolves with the largest number of the entry's shells seen at once. */
function sampleShells(mark: string): { stop: () => Promise<number> } {
  let isDone = false;
  let most = 0;
  const loop = (async () => {
    while (!isDone) most = Math.max(most, (await entryShells(mark)).length);
  })();
  return {
    stop: async () => {
      isDone = true;
      await loop;
      return most;
    },
  };
}

/** Starts a run with an outside write, waits for it and for its record; then kills the daemon with SIGKILL. */
async function crashWhileRunning(t: TestContext, s: Setup): Promise<number> {
  const first = startDaemon(t, { args: s.args });
  await first.waitForLine(/\bready\b/);
  await writeFile(join(s.inbox, 'a'), 'a');
  const [line] = await waitFor(
    () => readLines(s.log),
    (l) => l.length === 1,
    { withinMs: 10_000, what: 'the first run' },
  );
  const pid = Number(line?.split(' ')[1]);
  t.after(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  await waitFor(
    () => readFile(join(s.state, 'runs.json'), 'utf8'),
    (text) => text.includes(`"pid":${pid}`),
    { withinMs: 10_000, what: 'the run recorded in the state folder' },
  );
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(await isRunning(pid), 'the command outlives the killed daemon');
  return pid;
}

async function restart(t: TestContext, s: Setup, orphan: number): Promise<RunningDaemon> {
  const second = startDaemon(t, { args: s.args });
  await second.waitForLine(/\bready\b/);
  await second.waitForLine(new RegExp(`previous watchtabd still runs.*pid=${orphan}`));
  return second;
}

test('after kill -9 and a restart, the entry never has two processes; the queued run follows the orphan', async (t) => {
  const s = await setup(t);
  const orphan = await crashWhileRunning(t, s);
  const second = await restart(t, s, orphan);
  const sampler = sampleShells(s.mark);
  const from = second.lines.length;
  await writeFile(join(s.inbox, 'b'), 'b');
  // The trigger was received (and, the orphan being the entry's run, queued behind it).
  await second.waitForLine(new RegExp(`trigger.*${join(s.inbox, 'b')}`), { fromLine: from });
  assert.ok(await isRunning(orphan));
  assert.deepEqual(await entryShells(s.mark), [orphan], 'only the orphan runs');
  await writeFile(s.release, '');
  const runs = await waitFor(
    () => readLines(s.log),
    (l) => l.length === 4,
    {
      withinMs: 10_000,
      what: 'the orphan to end and the queued run to run and end',
    },
  );
  assert.equal(await sampler.stop(), 1, 'never two of the entry’s processes at once');
  assert.equal(runs[0], `start ${orphan} ${join(s.inbox, 'a')}`);
  assert.equal(runs[1], `end ${orphan}`);
  assert.match(runs[2] ?? '', new RegExp(`^start \\d+ ${join(s.inbox, 'b')}$`));
  assert.equal(await second.stop(), 0);
});

test('a clean stop of the restarted daemon stops the orphan and leaves no record', async (t) => {
  const s = await setup(t);
  const orphan = await crashWhileRunning(t, s);
  const second = await restart(t, s, orphan);
  assert.equal(await second.stop(), 0);
  assert.equal(await isRunning(orphan), false, 'the orphan got the stop');
  assert.ok(
    second.lines.some((l) => /stopped \(shutdown/.test(l) || /run ended.*stopped/.test(l)),
    second.lines.join('\n'),
  );
  const runsJson = JSON.parse(await readFile(join(s.state, 'runs.json'), 'utf8')) as { runs: unknown[] };
  assert.deepEqual(runsJson.runs, [], 'nothing left recorded after a clean stop');
});

test('stale records (process gone, pid now another process’s) are ignored', async (t) => {
  const s = await setup(t);
  await mkdir(s.state, { mode: 0o700 });
  // A live process that is not the recorded one: same pid, another start time.
  const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => stranger.kill('SIGKILL'));
  const strangerPid = stranger.pid ?? 0;
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  const record = (pid: number, startTime: string) => ({
    entry: 'job',
    pid,
    pgid: pid,
    startTime,
    bootId,
    startedAt: Date.now(),
  });
  await writeFile(
    join(s.state, 'runs.json'),
    JSON.stringify({ version: 1, runs: [record(strangerPid, '1'), record(4_194_303, '1')] }),
    { mode: 0o600 },
  );
  const daemon = startDaemon(t, { args: s.args });
  await daemon.waitForLine(/\bready\b/);
  // The records were read and the stale ones dropped: the file is rewritten without them.
  await waitFor(
    () => readFile(join(s.state, 'runs.json'), 'utf8'),
    (text) => JSON.stringify((JSON.parse(text) as { runs: unknown }).runs) === '[]',
    { withinMs: 10_000, what: 'runs.json rewritten without the stale records' },
  );
  await writeFile(join(s.inbox, 'a'), 'a');
  await waitFor(
    () => readLines(s.log),
    (l) => l.length === 1,
    { withinMs: 10_000, what: 'a run at once' },
  );
  assert.ok(
    !daemon.lines.some((l) => /previous watchtabd/.test(l)),
    'no record was taken for a command of ours',
  );
  await writeFile(s.release, '');
  assert.equal(await daemon.stop(), 0);
  assert.ok(await isRunning(strangerPid), 'the process now holding a recorded pid was not touched');
});

test('a state folder that cannot be made: the daemon says so, runs, and stops with 0', async (t) => {
  const s = await setup(t);
  const file = join(s.dir, 'a-file');
  await writeFile(file, '');
  const args = [...s.args.slice(0, -6), '--state-dir', join(file, 'state'), '--grace', '2'];
  const daemon = startDaemon(t, { args });
  await daemon.waitForLine(
    /state folder .*a-file\/state cannot be made \(ENOTDIR\): running without records/,
  );
  await daemon.waitForLine(/\bready\b/);
  await writeFile(s.release, '');
  await writeFile(join(s.inbox, 'a'), 'a');
  await waitFor(
    () => readLines(s.log),
    (l) => l.length === 2,
    { withinMs: 10_000, what: 'the run' },
  );
  assert.equal(await daemon.stop(), 0);
});

test('on-busy restart stops the inherited command and starts the entry again', async (t) => {
  const s = await setup(t, '    on-busy: restart\n');
  const orphan = await crashWhileRunning(t, s);
  const second = await restart(t, s, orphan);
  await writeFile(join(s.inbox, 'b'), 'b');
  const runs = await waitFor(
    () => readLines(s.log),
    (l) => l.length === 2,
    {
      withinMs: 10_000,
      what: 'the restarted run',
    },
  );
  assert.match(runs[1] ?? '', new RegExp(`^start \\d+ ${join(s.inbox, 'b')}$`));
  assert.equal(await isRunning(orphan), false, 'the inherited command was stopped before the new run');
  assert.equal(await second.stop(), 0);
});

test('timeout applies to the inherited command', async (t) => {
  const s = await setup(t, '    timeout: 4\n    grace: 1\n');
  const orphan = await crashWhileRunning(t, s);
  const second = await restart(t, s, orphan);
  await second.waitForLine(new RegExp(`timed out after 4 s.*pid=${orphan}`), { withinMs: 15_000 });
  await waitFor(
    () => isRunning(orphan),
    (isAlive) => !isAlive,
    { withinMs: 10_000, what: 'the orphan stopped' },
  );
  assert.equal(await second.stop(), 0);
});
