// One process per entry across reloads, with the real daemon: a changed entry never overlaps itself (edits and SIGHUPs), its held events run the new definition, a reload resumes a paused entry, a stop reaches removed entries' commands, and a storm of edits still reloads.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../helpers/temp.js';
import { saveTable, table, type YamlEntry } from '../helpers/watchtab-file.js';
import { waitFor } from '../helpers/wait.js';
import { isRunning, readLines, readPid, startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { groupsRunning } from '../helpers/proc-groups.js';

interface Fixture {
  readonly dir: string;
  readonly tab: string;
  readonly daemon: RunningDaemon;
}

async function start(
  t: TestContext,
  entries: (dir: string) => readonly YamlEntry[],
  extraArgs: readonly string[] = [],
): Promise<Fixture> {
  const dir = await tempDir(t);
  for (const name of ['in', 'r', 'c']) await mkdir(join(dir, name));
  const tab = join(dir, 'watchtab');
  await writeFile(tab, table(entries(dir)));
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 'status.sock'), ...extraArgs],
  });
  await daemon.waitForLine(/\bready\b/);
  return { dir, tab, daemon };
}

interface Interval {
  readonly pid: string;
  readonly start: bigint;
  readonly end: bigint | null;
  readonly version: string;
}

/** Runs recorded as "start PID NS VERSION" and "end PID NS" lines, in start order. */
function intervals(lines: readonly string[]): Interval[] {
  const runs = new Map<string, { start: bigint; end: bigint | null; version: string }>();
  for (const line of lines) {
    const [kind, pid = '', ns = '0', version = ''] = line.split(' ');
    if (kind === 'start') runs.set(pid, { start: BigInt(ns), end: null, version });
    const run = runs.get(pid);
    if (kind === 'end' && run !== undefined) run.end = BigInt(ns);
  }
  return [...runs].map(([pid, r]) => ({ pid, ...r })).sort((a, b) => (a.start < b.start ? -1 : 1));
}

function assertNoOverlap(runs: readonly Interval[]): void {
  for (let i = 1; i < runs.length; i++) {
    const before = runs[i - 1];
    const after = runs[i];
    assert.ok(before !== undefined && after !== undefined);
    assert.ok(
      before.end !== null,
      `run ${before.pid} (${before.version}) never ended, yet ${after.pid} started`,
    );
    assert.ok(
      after.start >= before.end,
      `run ${after.pid} (${after.version}) started while ${before.pid} (${before.version}) still ran`,
    );
  }
}

test('a changed entry never runs beside itself under a stream of edits and SIGHUPs', async (t) => {
  let version = 0;
  const entry = (dir: string): YamlEntry => {
    const rec = join(dir, 'runs');
    const pause = version % 2 === 0 ? '0.1' : '0.15';
    return {
      name: 'e',
      path: join(dir, 'in'),
      events: ['create'],
      delay: version % 3 === 0 ? 0 : 0.02,
      command: `echo "start $$ $(date +%s%N) v${version}" >> ${rec}; sleep ${pause}; echo "end $$ $(date +%s%N)" >> ${rec}`,
    };
  };
  const f = await start(t, (dir) => [entry(dir)]);
  const rec = join(f.dir, 'runs');
  let mostGroups = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      mostGroups = Math.max(mostGroups, (await groupsRunning(rec)).size);
      await sleep(10);
    }
  })();
  try {
    // About 3 s: a new file every 30 ms, a new definition every 90 ms, SIGHUP every third time.
    for (let step = 0; step < 100; step++) {
      await writeFile(join(f.dir, 'in', `f${step}`), '');
      if (step % 3 === 0) {
        version += 1;
        await saveTable(f.tab, [entry(f.dir)]);
      }
      if (step % 9 === 0) f.daemon.child.kill('SIGHUP');
      await sleep(30);
    }
    // Every run that started has ended: the queue has drained.
    await waitFor(
      async () => intervals(await readLines(rec)),
      (runs) => runs.every((r) => r.end !== null) && runs.length > 0,
      { withinMs: 20_000, what: 'every recorded run to end' },
    );
    await waitFor(
      () => groupsRunning(rec),
      (g) => g.size === 0,
      { withinMs: 10_000, what: 'no run left' },
    );
  } finally {
    sampling = false;
    await sampler;
  }
  const runs = intervals(await readLines(rec));
  assertNoOverlap(runs);
  assert.ok(mostGroups <= 1, `${mostGroups} runs of one entry were seen in /proc at once`);
  assert.ok(new Set(runs.map((r) => r.version)).size > 2, `too few definitions ran: ${runs.length} runs`);
  assert.ok(
    f.daemon.lines.some((l) => /\breloaded\b.*changed=\["e"\]/.test(l)),
    'no reload changed the entry',
  );
  console.log(`# ${runs.length} runs of ${version + 1} definitions, at most ${mostGroups} at once in /proc`);
  assert.equal(await f.daemon.stop(), 0);
});

test('events held while the old command runs are run by the new definition, after it', async (t) => {
  const define = (dir: string, v: string, command: string): YamlEntry => ({
    name: 'e',
    path: join(dir, 'in'),
    events: ['create'],
    delay: 0,
    command: `echo "${v} start $WATCHTAB_PATH" >> ${join(dir, 'out')}; ${command}; echo "${v} end" >> ${join(dir, 'out')}`,
  });
  const release = (dir: string): string => join(dir, 'release');
  const f = await start(
    t,
    (dir) => [define(dir, 'v1', `while [ ! -e ${release(dir)} ]; do sleep 0.02; done`)],
    ['--log-level', 'debug'],
  );
  const out = join(f.dir, 'out');
  const one = join(f.dir, 'in', 'one');
  const two = join(f.dir, 'in', 'two');
  await writeFile(one, '');
  await waitFor(
    () => readLines(out),
    (l) => l.includes(`v1 start ${one}`),
    { withinMs: 10_000 },
  );
  let from = f.daemon.lines.length;
  await writeFile(two, '');
  await f.daemon.waitForLine(new RegExp(`\\btrigger\\b.*${two}`), { fromLine: from });
  from = f.daemon.lines.length;
  await saveTable(f.tab, [define(f.dir, 'v2', 'true')]);
  await f.daemon.waitForLine(/\breloaded\b.*changed=\["e"\]/, { fromLine: from });
  await writeFile(release(f.dir), '');
  const lines = await waitFor(
    () => readLines(out),
    (l) => l.includes('v2 end'),
    { withinMs: 10_000 },
  );
  assert.deepEqual(lines, [`v1 start ${one}`, 'v1 end', `v2 start ${two}`, 'v2 end']);
});

test('a reload resumes an entry the runaway guard paused, kept or changed', async (t) => {
  const define = (dir: string, v: string): YamlEntry => ({
    name: 'e',
    path: join(dir, 'in'),
    events: ['create'],
    delay: 0,
    'trigger-limit-burst': 1,
    'trigger-limit-interval': 3600,
    command: `echo "${v} $WATCHTAB_PATH" >> ${join(dir, 'out')}`,
  });
  const f = await start(t, (dir) => [define(dir, 'v1')]);
  const out = join(f.dir, 'out');
  const fire = async (name: string, expected: string): Promise<void> => {
    await writeFile(join(f.dir, 'in', name), '');
    await waitFor(
      () => readLines(out),
      (l) => l.includes(expected),
      { withinMs: 10_000, what: expected },
    );
  };
  const pause = async (name: string): Promise<void> => {
    const from = f.daemon.lines.length;
    await writeFile(join(f.dir, 'in', name), '');
    await f.daemon.waitForLine(/paused as a runaway/, { fromLine: from });
  };
  await fire('one', `v1 ${join(f.dir, 'in', 'one')}`);
  await pause('two');
  // SIGHUP with the same definition: the entry is kept, and resumed.
  f.daemon.child.kill('SIGHUP');
  await waitFor(
    () => readLines(out),
    (l) => l.includes(`v1 ${join(f.dir, 'in', 'two')}`),
    {
      withinMs: 10_000,
      what: 'the held run after SIGHUP',
    },
  );
  await pause('three');
  // An edit that changes it: resumed, and the held events run the new definition.
  await saveTable(f.tab, [define(f.dir, 'v2')]);
  await waitFor(
    () => readLines(out),
    (l) => l.some((x) => x.startsWith('v2 ')),
    {
      withinMs: 10_000,
      what: 'the held run under the new definition',
    },
  );
  assert.ok(f.daemon.lines.filter((l) => /resumed after the runaway pause/.test(l)).length >= 2);
  assert.ok(!(await readLines(out)).some((l) => l.startsWith('v1 ') && l.includes('three')));
});

test('SIGTERM after a reload stops the commands of removed and changed entries, and exits 0', async (t) => {
  const define = (dir: string, name: 'r' | 'c', tag: string): YamlEntry => ({
    name,
    path: join(dir, name),
    events: ['create'],
    command: `echo $$ > ${join(dir, `${name}.pid`)}; exec sleep 300 # ${tag}`,
  });
  const f = await start(t, (dir) => [define(dir, 'r', 'v1'), define(dir, 'c', 'v1')]);
  await writeFile(join(f.dir, 'r', 'go'), '');
  await writeFile(join(f.dir, 'c', 'go'), '');
  const removedPid = await readPid(join(f.dir, 'r.pid'));
  const changedPid = await readPid(join(f.dir, 'c.pid'));
  const from = f.daemon.lines.length;
  await saveTable(f.tab, [define(f.dir, 'c', 'v2')]);
  await f.daemon.waitForLine(/\breloaded\b.*removed=\["r"\].*changed=\["c"\]/, { fromLine: from });
  assert.ok(await isRunning(removedPid), "the removed entry's command was stopped by the reload");
  assert.ok(await isRunning(changedPid), "the changed entry's command was stopped by the reload");
  assert.equal(await f.daemon.stop(), 0);
  assert.ok(!(await isRunning(removedPid)), "the removed entry's command outlived the daemon");
  assert.ok(!(await isRunning(changedPid)), "the changed entry's command outlived the daemon");
  assert.ok(!f.daemon.lines.some((l) => /write after end/.test(l)), f.daemon.lines.join('\n'));
});

/** When the daemon wrote a log line (its ISO timestamp), in epoch milliseconds. */
function loggedAt(line: string): number {
  return Date.parse(line.split(' ')[0] ?? '');
}

/** For each write, how long until a reload that began after it had ended (null: none yet). */
function inForceDelays(writes: readonly number[], lines: readonly string[]): (number | null)[] {
  const began = lines.filter((l) => /watchtab changed/.test(l)).map(loggedAt);
  const ended = lines.filter((l) => /\breloaded\b/.test(l)).map(loggedAt);
  return writes.map((w) => {
    const start = began.find((b) => b >= w);
    const end = start === undefined ? undefined : ended.find((e) => e >= start);
    return end === undefined ? null : end - w;
  });
}

test('a storm of edits is reloaded while it lasts: every edit is in force soon after it', async (t) => {
  const define = (dir: string, n: number): YamlEntry => ({
    name: `storm-${n}`,
    path: join(dir, 'in'),
    events: ['create'],
    command: 'true',
  });
  const f = await start(t, (dir) => [define(dir, 0)]);
  const from = f.daemon.lines.length;
  const writes: number[] = [];
  // Three seconds of edits, 10 ms apart: each one restarts the settle time, not the bound on it.
  while (writes.length === 0 || Date.now() - (writes[0] ?? 0) < 3000) {
    await saveTable(f.tab, [define(f.dir, writes.length + 1)]);
    writes.push(Date.now());
    await sleep(10);
  }
  // The last edit's reload, under a deadline from the last write (the contract's 1 s, plus room
  // for a loaded machine); then every edit's delay from the daemon's own log times.
  await f.daemon.waitForLine(new RegExp(`\\breloaded\\b.*added=\\["storm-${writes.length}"\\]`), {
    fromLine: from,
    withinMs: 3000,
  });
  const delays = inForceDelays(writes, f.daemon.lines.slice(from));
  const worst = Math.max(...delays.map((d) => d ?? Infinity));
  const gaps = writes.slice(1).map((w, i) => w - (writes[i] ?? w));
  console.log(
    `# ${writes.length} edits (longest gap ${Math.max(...gaps)} ms): each in force at most ${worst} ms ` +
      `after it, the last ${delays.at(-1)} ms after it`,
  );
  assert.ok(worst <= 2500, `an edit of the storm waited ${worst} ms to be in force`);
});
