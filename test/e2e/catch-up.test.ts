// Catch-up against the real daemon, stopped and started again on one state folder: what changed
// while it was stopped (SIGTERM) or dead (SIGKILL) runs once with the contract's events on stdin
// and WATCHTAB_CATCHUP=1; nothing runs when nothing changed, with catch-up false, or for new paths.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { startDaemon, type RunningDaemon } from '../helpers/daemon.js';

interface Setup {
  readonly inbox: string;
  readonly out: string;
  readonly state: string;
  readonly tab: string;
}

interface SavedRun {
  readonly isCatchUp: boolean;
  /** stdin's JSON lines: path and events. */
  readonly paths: Map<string, string[]>;
}

/**
 * Each run saves WATCHTAB_CATCHUP and its stdin (json) in a file of its own in out/ (never
 * watched), named run.* only once whole.
 */
const SAVE_RUN =
  `'f=$(mktemp "$OUT/part.XXXXXX") && { echo "catchup=\${WATCHTAB_CATCHUP:-}"; cat; } > "$f"` +
  ` && mv "$f" "$OUT/run.\${f##*.}"'`;

async function setUp(t: TestContext): Promise<Setup> {
  const dir = await tempDir(t);
  const s = {
    inbox: join(dir, 'inbox'),
    out: join(dir, 'out'),
    state: join(dir, 'state'),
    tab: join(dir, 'tab.yaml'),
  };
  await mkdir(s.inbox);
  await mkdir(s.out);
  return s;
}

async function writeTab(s: Setup, keys: string, path = `${s.inbox}/*`, command = SAVE_RUN): Promise<void> {
  await writeFile(
    s.tab,
    `entries:\n  - name: mirror\n    path: ${path}\n    stdin: json\n${keys}` +
      `    env: { OUT: ${s.out} }\n    command: ${command}\n`,
  );
}

async function start(t: TestContext, s: Setup): Promise<RunningDaemon> {
  const socket = join(s.state, '..', 'status.sock');
  const daemon = startDaemon(t, { args: ['--watchtab', s.tab, '--state-dir', s.state, '--socket', socket] });
  // Generous: two daemons start one after the other, on a machine that may be shared.
  await daemon.waitForLine(/\bready\b/, { withinMs: 30_000 });
  return daemon;
}

/** Waits until the daemon has written what it knows of the entry (its first picture). */
async function knowledgeWritten(s: Setup): Promise<string> {
  const names = await waitFor(
    () => readdir(s.state),
    (n) => n.some((name) => name.startsWith('catch-up.')),
    { withinMs: 15_000, what: 'a catch-up state file' },
  );
  return join(s.state, names.find((n) => n.startsWith('catch-up.')) as string);
}

async function savedRuns(s: Setup): Promise<SavedRun[]> {
  const names = (await readdir(s.out)).filter((n) => n.startsWith('run.'));
  const texts = await Promise.all(names.map((n) => readFile(join(s.out, n), 'utf8')));
  return texts.map((text) => {
    const [head = '', ...lines] = text.split('\n').filter((l) => l !== '');
    const paths = new Map<string, string[]>();
    for (const line of lines) {
      const record = JSON.parse(line) as { path: string; events: string[] };
      paths.set(record.path, record.events);
    }
    return { isCatchUp: head === 'catchup=1', paths };
  });
}

/** Writes a marker and waits for its run: every run before it has been saved by then. */
async function runsUpToMarker(s: Setup): Promise<SavedRun[]> {
  const marker = join(s.inbox, 'zz-marker');
  await writeFile(marker, 'm');
  return waitFor(
    () => savedRuns(s),
    (runs) => runs.some((r) => r.paths.has(marker)),
    { withinMs: 15_000, what: 'the marker run' },
  );
}

/** Asserts that the only run was the marker's own, not a catch-up. */
async function assertNoCatchUp(s: Setup): Promise<void> {
  const runs = await runsUpToMarker(s);
  assert.equal(runs.length, 1, JSON.stringify(runs.map((r) => [...r.paths])));
  assert.equal(runs[0]?.isCatchUp, false);
  assert.deepEqual([...(runs[0]?.paths.keys() ?? [])], [join(s.inbox, 'zz-marker')]);
}

for (const backend of ['inotify', 'poll'] as const) {
  test(`${backend}: created, changed, deleted and chmodded files while stopped run once, with their events`, async (t) => {
    const s = await setUp(t);
    const keys = `    events: [create, write, close_write, delete, attrib]\n    backend: ${backend}\n    poll-interval: 0.2\n`;
    await writeTab(s, keys);
    const [changed, gone, mode, kept] = ['changed', 'gone', 'mode', 'kept'].map((n) => join(s.inbox, n));
    for (const p of [changed, gone, mode, kept]) await writeFile(p as string, 'before');
    const first = await start(t, s);
    await knowledgeWritten(s);
    assert.equal(await first.stop('SIGTERM'), 0);

    const added = join(s.inbox, 'added');
    await writeFile(changed as string, 'after, longer');
    await rm(gone as string);
    await chmod(mode as string, 0o600);
    await writeFile(added, 'new');
    const second = await start(t, s);
    const [run] = await waitFor(
      () => savedRuns(s),
      (runs) => runs.length >= 1,
      { withinMs: 15_000, what: 'the catch-up run' },
    );
    assert.equal(run?.isCatchUp, true);
    assert.deepEqual(
      new Map([...(run?.paths ?? [])].sort()),
      new Map([
        [added, ['create', 'write', 'close_write']],
        [changed as string, ['write', 'close_write']],
        [gone as string, ['delete']],
        [mode as string, ['attrib']],
      ]),
    );
    // One run: the marker's is the second, and no catch-up.
    const runs = await runsUpToMarker(s);
    assert.equal(runs.length, 2);
    assert.equal(runs.filter((r) => r.isCatchUp).length, 1);
    assert.equal(await second.stop('SIGTERM'), 0);
  });
}

test('after SIGKILL, a change made while the daemon was dead runs when it starts again', async (t) => {
  const s = await setUp(t);
  await writeTab(s, '    events: [close_write]\n');
  const file = join(s.inbox, 'page');
  await writeFile(file, 'one');
  const first = await start(t, s);
  await knowledgeWritten(s);
  assert.equal(await first.stop('SIGKILL'), null);
  await writeFile(file, 'two, changed while the daemon was dead');
  const second = await start(t, s);
  const [run] = await waitFor(
    () => savedRuns(s),
    (runs) => runs.length >= 1,
    { withinMs: 15_000, what: 'the catch-up run' },
  );
  assert.equal(run?.isCatchUp, true);
  assert.deepEqual([...(run?.paths ?? [])], [[file, ['close_write']]]);
  assert.equal(await second.stop(), 0);
});

test('a change run before a SIGKILL is written down: a change after it runs alone after the restart', async (t) => {
  const s = await setUp(t);
  await writeTab(s, '    events: [close_write]\n');
  const [early, late] = [join(s.inbox, 'early'), join(s.inbox, 'late')];
  await writeFile(early, '1');
  await writeFile(late, '1');
  const first = await start(t, s);
  const file = await knowledgeWritten(s);
  const before = await readFile(file);
  await writeFile(early, '2');
  await waitFor(
    () => savedRuns(s),
    (r) => r.length === 1,
    { withinMs: 15_000, what: 'the live run' },
  );
  // The knowledge after that run is written within 5 s of it.
  await waitFor(
    () => readFile(file),
    (now) => !now.equals(before),
    { withinMs: 10_000, what: 'a rewrite' },
  );
  assert.equal(await first.stop('SIGKILL'), null);
  await writeFile(late, '2');
  const second = await start(t, s);
  const runs = await waitFor(
    () => savedRuns(s),
    (r) => r.some((x) => x.isCatchUp),
    {
      withinMs: 15_000,
      what: 'the catch-up run',
    },
  );
  assert.deepEqual([...(runs.find((r) => r.isCatchUp)?.paths ?? [])], [[late, ['close_write']]]);
  assert.equal(await second.stop(), 0);
});

test('a run cut short by SIGTERM has not carried its change out: it runs again at start', async (t) => {
  const s = await setUp(t);
  // Saves its stdin, then works for longer than the test waits: the stop cuts it short.
  await writeTab(s, '    events: [close_write]\n', `${s.inbox}/*`, `${SAVE_RUN.slice(0, -1)}; sleep 20'`);
  const page = join(s.inbox, 'page');
  await writeFile(page, 'one');
  const first = await start(t, s);
  await knowledgeWritten(s);
  await writeFile(page, 'two');
  await waitFor(
    () => savedRuns(s),
    (r) => r.length === 1,
    { withinMs: 15_000, what: 'the live run' },
  );
  assert.equal(await first.stop('SIGTERM'), 0);
  const second = await start(t, s);
  const runs = await waitFor(
    () => savedRuns(s),
    (r) => r.length === 2,
    {
      withinMs: 15_000,
      what: 'the catch-up run',
    },
  );
  const caught = runs.filter((r) => r.isCatchUp);
  assert.equal(caught.length, 1);
  assert.deepEqual([...(caught[0]?.paths ?? [])], [[page, ['close_write']]]);
  assert.equal(await second.stop('SIGTERM'), 0);
});

test('no run when nothing changed while stopped', async (t) => {
  const s = await setUp(t);
  await writeTab(s, '    events: [create, write, close_write, delete, attrib]\n');
  await writeFile(join(s.inbox, 'a'), 'a');
  await start(t, s).then(async (d) => {
    await knowledgeWritten(s);
    assert.equal(await d.stop(), 0);
  });
  const second = await start(t, s);
  await assertNoCatchUp(s);
  assert.equal(await second.stop(), 0);
});

test('catch-up: false does not run what changed while stopped', async (t) => {
  const s = await setUp(t);
  await writeTab(s, '    events: [close_write]\n');
  await writeFile(join(s.inbox, 'a'), 'a');
  await start(t, s).then(async (d) => {
    await knowledgeWritten(s);
    assert.equal(await d.stop(), 0);
  });
  await writeFile(join(s.inbox, 'a'), 'changed');
  await writeTab(s, '    events: [close_write]\n    catch-up: false\n');
  const second = await start(t, s);
  await assertNoCatchUp(s);
  assert.equal(await second.stop(), 0);
});

test('an entry that now watches other paths does not run (and its old knowledge is pruned)', async (t) => {
  const s = await setUp(t);
  await writeTab(s, '    events: [close_write]\n');
  await writeFile(join(s.inbox, 'a'), 'a');
  await start(t, s).then(async (d) => {
    await knowledgeWritten(s);
    assert.equal(await d.stop(), 0);
  });
  const oldFiles = (await readdir(s.state)).filter((n) => n.startsWith('catch-up.'));
  await writeFile(join(s.inbox, 'a'), 'changed');
  await writeTab(s, '    events: [close_write]\n', `${s.inbox}/**`);
  const second = await start(t, s);
  await assertNoCatchUp(s);
  const now = (await readdir(s.state)).filter((n) => n.startsWith('catch-up.'));
  assert.equal(oldFiles.length, 1);
  assert.ok(!now.includes(oldFiles[0] as string), `${oldFiles[0]} was not pruned`);
  assert.equal(await second.stop(), 0);
});

test('a corrupt state file is logged, the daemon runs, and the entry does not catch up', async (t) => {
  const s = await setUp(t);
  await writeTab(s, '    events: [close_write]\n');
  await writeFile(join(s.inbox, 'a'), 'a');
  let stateFile = '';
  await start(t, s).then(async (d) => {
    stateFile = await knowledgeWritten(s);
    assert.equal(await d.stop(), 0);
  });
  await writeFile(stateFile, 'not gzip, not ours\n');
  await writeFile(join(s.inbox, 'a'), 'changed');
  const second = await start(t, s);
  await second.waitForLine(/catch-up state .* is unreadable/);
  await assertNoCatchUp(s);
  assert.equal(await second.stop(), 0);
});

test('content-only: a file touched with the same content does not run, one with new content does', async (t) => {
  const s = await setUp(t);
  await writeTab(s, '    events: [write, close_write]\n    content-only: true\n');
  const [same, other] = [join(s.inbox, 'same'), join(s.inbox, 'other')];
  await writeFile(same, 'same content');
  await writeFile(other, 'old content');
  await start(t, s).then(async (d) => {
    await knowledgeWritten(s);
    assert.equal(await d.stop(), 0);
  });
  await writeFile(same, 'same content');
  const later = new Date(Date.now() + 60_000);
  await utimes(same, later, later);
  await writeFile(other, 'new content');
  const second = await start(t, s);
  const runs = await runsUpToMarker(s);
  const caught = runs.filter((r) => r.isCatchUp);
  assert.equal(caught.length, 1);
  assert.deepEqual([...(caught[0]?.paths ?? [])], [[other, ['write', 'close_write']]]);
  assert.equal(await second.stop(), 0);
});
