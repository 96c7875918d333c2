// A list of paths in one entry, with the real daemon: one process at a time across bases, every base's events arrive, auto mixes fanotify and inotify, a reload re-arms only the changed path, list/status show every path, and WATCHTAB_PATH is the last of stdin.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../helpers/temp.js';
import { saveTable, table, type YamlEntry } from '../helpers/watchtab-file.js';
import { waitFor } from '../helpers/wait.js';
import { WATCHTAB_BIN } from '../helpers/paths.js';
import { readLines, startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import { groupsRunning } from '../helpers/proc-groups.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

interface Fixture {
  readonly dir: string;
  readonly tab: string;
  readonly socket: string;
  readonly daemon: RunningDaemon;
}

/** A temp folder with `a/`, `b/` and `out/`, and a daemon on a watchtab made from it. */
async function start(
  t: TestContext,
  entries: (dir: string) => readonly YamlEntry[],
  args: readonly string[] = [],
): Promise<Fixture> {
  const dir = await tempDir(t);
  for (const name of ['a', 'b', 'out']) await mkdir(join(dir, name));
  const tab = join(dir, 'watchtab');
  const socket = join(dir, 'status.sock');
  await writeFile(tab, table(entries(dir)));
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', socket, ...args] });
  await daemon.waitForLine(/\bready\b/);
  return { dir, tab, socket, daemon };
}

/** The daemon's status document, through `watchtab status --json`. */
async function statusOf(f: Fixture): Promise<{ entries: Record<string, unknown>[] }> {
  const { stdout } = await run(process.execPath, [WATCHTAB_BIN, 'status', '--json', '--socket', f.socket]);
  return JSON.parse(stdout) as { entries: Record<string, unknown>[] };
}

interface PathStatus {
  readonly path: string;
  readonly backend: string | null;
  readonly armed: boolean;
}

/** An entry's `watching` list, each path as the watchtab wrote it (a glob's pattern, or the path). */
function watchingOf(entry: Record<string, unknown> | undefined): PathStatus[] {
  const watching = entry?.['watching'] as {
    path: { pattern?: string; path?: string };
    backend: string | null;
    armed: boolean;
  }[];
  return watching.map((w) => ({
    path: w.path.pattern ?? w.path.path ?? '',
    backend: w.backend,
    armed: w.armed,
  }));
}

async function pathsOf(f: Fixture, name: string): Promise<PathStatus[]> {
  const entry = (await statusOf(f)).entries.find((e) => e['name'] === name);
  assert.ok(entry !== undefined, `the daemon has no entry ${name}`);
  return watchingOf(entry);
}

/** Runs recorded as "start PID NS" and "end PID NS" lines: each must end before the next starts. */
function assertOneAtATime(lines: readonly string[]): number {
  let open: string | null = null;
  let runs = 0;
  for (const line of lines) {
    const [kind, pid = ''] = line.split(' ');
    if (kind === 'start') {
      assert.equal(open, null, `run ${pid} started while run ${open ?? ''} still ran`);
      open = pid;
      runs += 1;
    } else if (kind === 'end') {
      assert.equal(pid, open, `run ${pid} ended but ${open ?? 'none'} was the one running`);
      open = null;
    }
  }
  assert.equal(open, null, 'a run never ended');
  return runs;
}

test('writes under two bases of one entry, with a slow command, never give two processes; every path arrives', async (t) => {
  const f = await start(t, (dir) => [
    {
      name: 'two',
      path: [join(dir, 'a/**'), join(dir, 'b/*')],
      events: ['close_write'],
      stdin: 'paths',
      // The run records its own start and end, and appends its stdin (the run's paths) to `seen`;
      // the out folder in its command line is what /proc is sampled for.
      command: `echo "start $$" >> ${dir}/out/runs; cat >> ${dir}/out/seen; sleep 0.2; echo "end $$" >> ${dir}/out/runs`,
    },
  ]);
  const out = join(f.dir, 'out');
  const marker = `${out}/runs`;
  let mostGroups = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      mostGroups = Math.max(mostGroups, (await groupsRunning(marker)).size);
      await sleep(5);
    }
  })();
  const written: string[] = [];
  try {
    await mkdir(join(f.dir, 'a', 'deep'));
    // About 2 s of writes alternating between the bases (one in a sub-folder of the recursive one).
    for (let step = 0; step < 40; step++) {
      const path = step % 2 === 0 ? join(f.dir, 'a', 'deep', `f${step}`) : join(f.dir, 'b', `f${step}`);
      await writeFile(path, String(step));
      written.push(path);
      await sleep(50);
    }
    await waitFor(
      async () => new Set(await readLines(join(out, 'seen'))),
      (seen) => written.every((p) => seen.has(p)),
      { withinMs: 20_000, what: 'every written path on some run stdin' },
    );
    await waitFor(
      () => groupsRunning(marker),
      (g) => g.size === 0,
      { withinMs: 10_000, what: 'no run left' },
    );
  } finally {
    sampling = false;
    await sampler;
  }
  const runs = assertOneAtATime(await readLines(join(out, 'runs')));
  assert.ok(runs >= 2, `the writes made ${runs} run(s); a slow command should have queued more`);
  const seen = await readLines(join(out, 'seen'));
  assert.ok(
    seen.some((p) => p.startsWith(join(f.dir, 'a'))) && seen.some((p) => p.startsWith(join(f.dir, 'b'))),
  );
  // 1, not 0: the sampler did see the runs (each lasts 0.2 s; it looks every few ms).
  assert.equal(mostGroups, 1, `${mostGroups} runs of one entry were seen in /proc at once`);
  console.log(`# ${runs} runs for ${written.length} writes, at most ${mostGroups} at once in /proc`);
  assert.equal(await f.daemon.stop(), 0);
});

const fanotify = isRoot ? probeFanotify() : null;
const mixedSkip =
  fanotify === null
    ? 'needs root: fanotify'
    : fanotify.ok
      ? false
      : `fanotify unavailable here: ${fanotify.reason}`;

test(
  'auto watches a recursive glob with fanotify and a file with inotify in one entry; both arrive',
  { skip: mixedSkip },
  async (t) => {
    const f = await start(t, (dir) => [
      {
        name: 'site',
        path: [join(dir, 'a/**'), join(dir, 'b/site.conf')],
        events: ['close_write'],
        settle: 0.3,
        'max-wait': 5,
        stdin: 'paths',
        command: `cat >> ${dir}/out/seen`,
      },
    ]);
    const conf = join(f.dir, 'b', 'site.conf');
    assert.deepEqual(
      (await pathsOf(f, 'site')).map((p) => [p.path, p.backend, p.armed]),
      [
        [join(f.dir, 'a/**'), 'fanotify', true],
        [conf, 'inotify', true],
      ],
    );
    await mkdir(join(f.dir, 'a', 'x'));
    const deep = join(f.dir, 'a', 'x', 'page.md');
    await writeFile(deep, 'page');
    await writeFile(conf, 'conf');
    await waitFor(
      async () => readLines(join(f.dir, 'out', 'seen')),
      (seen) => seen.includes(deep) && seen.includes(conf),
      { withinMs: 10_000, what: 'the fanotify path and the inotify path on stdin' },
    );

    assert.equal(await f.daemon.stop(), 0);
  },
);

test('list and status show every path of an entry (status with its back-end), its settle, max-wait and stdin', async (t) => {
  const f = await start(t, (dir) => [
    {
      name: 'site',
      path: [join(dir, 'a/**'), join(dir, 'b/site.conf')],
      events: ['close_write'],
      settle: 0.3,
      'max-wait': 5,
      stdin: 'paths',
      command: `cat >> ${dir}/out/seen`,
    },
  ]);
  const conf = join(f.dir, 'b', 'site.conf');
  const tree = join(f.dir, 'a/\\*\\*');
  const { stdout: statusText } = await run(process.execPath, [WATCHTAB_BIN, 'status', '--socket', f.socket]);
  assert.match(
    statusText,
    new RegExp(`0\\.3s<=5s +paths +${tree} \\[(fanotify|inotify)\\] ${conf} \\[inotify\\]$`, 'm'),
  );
  const { stdout: entryText } = await run(process.execPath, [
    WATCHTAB_BIN,
    'status',
    'site',
    '--socket',
    f.socket,
  ]);
  assert.match(entryText, new RegExp(`^path: ${tree} \\((fanotify|inotify), \\d+ watches\\)$`, 'm'));
  assert.match(entryText, new RegExp(`^path: ${conf} \\(inotify, \\d+ watches\\)$`, 'm'));
  assert.match(entryText, /^settle: 0\.3s<=5s$/m);
  assert.match(entryText, /^stdin: paths$/m);
  const [entryJson] = (await statusOf(f)).entries;
  assert.equal(entryJson?.['settle'], 0.3);
  assert.equal(entryJson?.['max-wait'], 5);
  assert.equal(entryJson?.['stdin'], 'paths');
  assert.deepEqual(
    watchingOf(entryJson).map((p) => [p.path, p.armed]),
    [
      [join(f.dir, 'a/**'), true],
      [conf, true],
    ],
  );

  const { stdout: listText } = await run(process.execPath, [WATCHTAB_BIN, 'list', f.tab]);
  const rows = listText.split('\n').slice(1, 3);
  assert.match(
    rows[0] ?? '',
    new RegExp(`^site +${join(f.dir, 'a')} +${tree} +any +close_write +0s +0\\.3s<=5s +paths `),
  );
  assert.match(rows[1] ?? '', new RegExp(`^ +${conf} +- +exact *$`));
  const { stdout: listJson } = await run(process.execPath, [WATCHTAB_BIN, 'list', '--json', f.tab]);
  const [listed] = JSON.parse(listJson) as Record<string, unknown>[];
  assert.deepEqual(listed?.['path'], [
    { kind: 'glob', base: join(f.dir, 'a'), pattern: join(f.dir, 'a/**'), maxDepth: null },
    { kind: 'exact', path: conf },
  ]);
  assert.equal(listed?.['settle'], 0.3);
  assert.equal(listed?.['max-wait'], 5);
  assert.equal(listed?.['stdin'], 'paths');
  assert.equal(await f.daemon.stop(), 0);
});

test('a reload that adds a path arms only it, one that removes a path stops only it; still one entry', async (t) => {
  const entry = (dir: string, paths: readonly string[]): YamlEntry => ({
    name: 'grow',
    path: paths.map((p) => join(dir, p)),
    events: ['close_write'],
    stdin: 'paths',
    command: `cat >> ${dir}/out/seen`,
  });
  const f = await start(t, (dir) => [entry(dir, ['a'])], ['--log-level', 'debug']);
  const seen = join(f.dir, 'out', 'seen');
  const armedLines = (path: string) =>
    f.daemon.lines.filter((l) => l.includes('entry armed') && l.includes(JSON.stringify(join(f.dir, path))));
  assert.equal(armedLines('a').length, 1);

  let fromLine = f.daemon.lines.length;
  await saveTable(f.tab, [entry(f.dir, ['a', 'b'])]);
  await f.daemon.waitForLine(/\breloaded\b.*changed=\["grow"\]/, { fromLine });
  assert.equal(armedLines('b').length, 1, 'the added path is armed');
  assert.equal(armedLines('a').length, 1, 'the path that stayed keeps its watch (it is not armed again)');
  await writeFile(join(f.dir, 'b', 'added'), 'x');
  await writeFile(join(f.dir, 'a', 'kept'), 'x');
  await waitFor(
    () => readLines(seen),
    (l) => l.includes(join(f.dir, 'b', 'added')) && l.includes(join(f.dir, 'a', 'kept')),
    { withinMs: 10_000, what: 'events from the added and the kept path' },
  );

  fromLine = f.daemon.lines.length;
  await saveTable(f.tab, [entry(f.dir, ['b'])]);
  await f.daemon.waitForLine(/\breloaded\b.*changed=\["grow"\]/, { fromLine });
  assert.equal(armedLines('b').length, 1, 'the path that stayed keeps its watch');
  await writeFile(join(f.dir, 'a', 'after-removal'), 'x');
  // The marker is written after the removed path's file: once it is seen, the other would have been.
  await writeFile(join(f.dir, 'b', 'marker'), 'x');
  await waitFor(
    () => readLines(seen),
    (l) => l.includes(join(f.dir, 'b', 'marker')),
    { withinMs: 10_000, what: 'the marker' },
  );
  assert.ok(
    !(await readLines(seen)).includes(join(f.dir, 'a', 'after-removal')),
    'a removed path still triggered',
  );
  const status = await statusOf(f);
  assert.equal(status.entries.length, 1);
  assert.deepEqual(
    (await pathsOf(f, 'grow')).map((p) => p.path),
    [join(f.dir, 'b')],
  );
  assert.equal(await f.daemon.stop(), 0);
});

test('for writes to a, b, a folded into one run, stdin lists a then b and WATCHTAB_PATH is b', async (t) => {
  const f = await start(t, (dir) => [
    {
      name: 'aba',
      path: [join(dir, 'a/*'), join(dir, 'b/*')],
      events: ['close_write'],
      stdin: 'paths',
      // The first run waits for the gate: the writes made meanwhile fold, in order, into the next run.
      command: [
        `cat > ${dir}/out/stdin.$$`,
        `printf '%s|%s|%s\\n' "$WATCHTAB_PATH" "$TRIGGER" "$WATCHTAB_EVENT" >> ${dir}/out/env`,
        `until [ -e ${dir}/out/gate ]; do sleep 0.01; done`,
      ].join('; '),
    },
  ]);
  const out = join(f.dir, 'out');
  const [a, b, start1] = [join(f.dir, 'a', 'one'), join(f.dir, 'b', 'two'), join(f.dir, 'a', 'start')];
  await writeFile(start1, '');
  await waitFor(
    () => readLines(join(out, 'env')).catch(() => []),
    (l) => l.length === 1,
    { withinMs: 10_000, what: 'the first run' },
  );
  await writeFile(a, '1');
  await writeFile(b, '2');
  await writeFile(a, '3');
  // The third write's event must be in the fold before the gate opens: wait for the daemon to count it.
  await waitFor(
    async () => (await statusOf(f)).entries[0]?.['counters'] as { triggers: number },
    (c) => c.triggers >= 4,
    { withinMs: 10_000, what: 'four triggers' },
  );
  await writeFile(join(out, 'gate'), '');
  await waitFor(
    () => readLines(join(out, 'env')),
    (l) => l.length === 2,
    { withinMs: 10_000, what: 'the folded run' },
  );
  const env = await readLines(join(out, 'env'));
  assert.deepEqual(env, [`${start1}|${start1}|close_write`, `${b}|${b}|close_write`]);
  const stdins = await Promise.all(
    (await readdir(out)).filter((n) => n.startsWith('stdin.')).map((n) => readLines(join(out, n))),
  );
  assert.deepEqual(
    stdins.sort((x, y) => x.length - y.length),
    [[start1], [a, b]],
  );
  assert.equal(await f.daemon.stop(), 0);
});

test('two names for one folder in a path list (a symbolic link) are warned about and watched once', async (t) => {
  const f = await start(t, (dir) => {
    symlinkSync(join(dir, 'a'), join(dir, 'link-to-a')); // before the daemon starts
    return [
      {
        name: 'twice',
        path: [join(dir, 'a'), join(dir, 'link-to-a'), join(dir, 'b')],
        events: ['close_write'],
        stdin: 'paths',
        command: `cat >> ${dir}/out/seen`,
      },
    ];
  });
  await f.daemon.waitForLine(/link-to-a is another name for .*\/a, which this entry already watches/);
  assert.deepEqual(
    (await pathsOf(f, 'twice')).map((p) => p.path),
    [join(f.dir, 'a'), join(f.dir, 'b')],
  );
  await writeFile(join(f.dir, 'a', 'x'), 'x');
  await writeFile(join(f.dir, 'b', 'y'), 'y');
  await waitFor(
    () => readLines(join(f.dir, 'out', 'seen')),
    (l) => l.includes(join(f.dir, 'a', 'x')) && l.includes(join(f.dir, 'b', 'y')),
    { withinMs: 10_000, what: 'the writes under a and b' },
  );
  assert.equal(await f.daemon.stop(), 0);
});
