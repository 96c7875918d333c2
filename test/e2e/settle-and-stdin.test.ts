// settle, max-wait and stdin against the real daemon: a burst settles into one run that reads every
// path; max-wait bounds a stream that never goes quiet; paths0 and json carry names byte-exact and
// a rename's old name; a command that never reads 20,000 paths holds up nothing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { startDaemon, type RunningDaemon } from '../helpers/daemon.js';

/** The daemon's status document, read from its socket; rejects when it takes longer than `ms`. */
function statusWithin(socket: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const connection = createConnection(socket);
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`the daemon did not answer its status socket within ${ms} ms`));
    }, ms);
    connection.on('data', (chunk: Buffer) => chunks.push(chunk));
    connection.once('error', reject);
    connection.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
const isRoot = process.getuid?.() === 0;

interface Setup {
  readonly dir: string;
  readonly inbox: string;
  readonly out: string;
  readonly socket: string;
  readonly daemon: RunningDaemon;
}

/** Each run copies its stdin into a file of its own in out/ (never watched). */
const SAVE_STDIN = `'f=$(mktemp "$OUT/run.XXXXXX") && cat > "$f"'`;

async function daemonWith(t: TestContext, keys: string, command = SAVE_STDIN): Promise<Setup> {
  const dir = await tempDir(t);
  const inbox = join(dir, 'inbox');
  const out = join(dir, 'out');
  await mkdir(inbox);
  await mkdir(out);
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(
    tab,
    `entries:\n  - name: settle\n    path: ${inbox}/*\n${keys}` +
      `    env: { OUT: ${out} }\n    command: ${command}\n`,
  );
  const socket = join(dir, 's.sock');
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', socket] });
  await daemon.waitForLine(/\bready\b/);
  return { dir, inbox, out, socket, daemon };
}

/** The stdin each run saved, in the order the runs happened (mktemp names do not sort by time: by start log). */
async function savedRuns(out: string): Promise<Buffer[]> {
  const names = (await readdir(out)).filter((n) => n.startsWith('run.'));
  return Promise.all(names.map((n) => readFile(join(out, n))));
}

const linesOf = (b: Buffer): string[] =>
  b
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');

test('a burst of writes 0.2 s apart with settle 0.5 makes one settled run that reads every path', async (t) => {
  const s = await daemonWith(t, '    events: [close_write]\n    settle: 0.5\n    stdin: paths\n');
  const names = Array.from({ length: 8 }, (_, i) => `file-${i}`);
  for (const name of names) {
    await writeFile(join(s.inbox, name), name);
    await sleep(200); // the pace of the burst, not a wait for a result
  }
  const expected = names.map((n) => join(s.inbox, n));
  const [first] = await waitFor(
    () => savedRuns(s.out),
    (runs) => runs.length >= 1 && linesOf(runs[0] ?? Buffer.alloc(0)).length === expected.length,
    { withinMs: 15_000, what: 'a run that read every path of the burst' },
  );
  assert.deepEqual(linesOf(first ?? Buffer.alloc(0)), expected);
  // Nothing else ran: a later marker makes exactly the second run.
  await writeFile(join(s.inbox, 'marker'), 'm');
  const runs = await waitFor(
    () => savedRuns(s.out),
    (r) => r.some((b) => linesOf(b).includes(join(s.inbox, 'marker'))),
    { withinMs: 15_000, what: 'the marker run' },
  );
  assert.equal(runs.length, 2, runs.map((b) => b.toString()).join('\n---\n'));
  assert.equal(await s.daemon.stop(), 0);
});

test('max-wait bounds a stream that never goes quiet: a run happens while the writes go on', async (t) => {
  const s = await daemonWith(
    t,
    '    events: [close_write]\n    settle: 1\n    max-wait: 1.5\n    stdin: paths\n',
  );
  let written = 0;
  let runsSeenWhileWriting = 0;
  // Writes every 0.1 s for at most 8 s; stops once a run is seen (it must be seen while writing).
  while (written < 80) {
    await writeFile(join(s.inbox, `file-${written}`), 'x');
    written += 1;
    await sleep(100); // the stream's pace
    runsSeenWhileWriting = (await savedRuns(s.out)).length;
    if (runsSeenWhileWriting > 0 && written >= 30) break;
  }
  assert.ok(runsSeenWhileWriting >= 1, `no run during ${written} writes 0.1 s apart`);
  const first = (await savedRuns(s.out)).find((b) => linesOf(b)[0] === join(s.inbox, 'file-0'));
  const paths = linesOf(first ?? Buffer.alloc(0));
  assert.ok(paths.length > 0, 'no run began with the first write');
  assert.ok(paths.length < written, `the first run folded ${paths.length} of ${written} writes`);
  assert.equal(await s.daemon.stop(), 0);
});

/** Names an attacker would choose; each is one file, written twice. */
const HOSTILE = ['new\nline', 'tab\there', ' spaced out ', `q"uo'te`, '-leading-dash', '--', 'ok'];

/** Writes each name in `dir` twice, as nobody when root (the attacker's side); names travel as argv, never in a shell string. */
function writeAsAttacker(dir: string, names: readonly string[]): void {
  const paths = names.map((n) => join(dir, n));
  const script = 'for n; do printf x >> "$n"; done; for n; do printf x >> "$n"; done';
  const writer = ['-c', script, 'writer', ...paths];
  if (isRoot) execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', ...writer]);
  else execFileSync('sh', writer);
}

test('paths0 carries hostile names byte-exact, each path once, in the order first seen', async (t) => {
  const s = await daemonWith(t, '    events: [close_write]\n    settle: 0.5\n    stdin: paths0\n');
  if (isRoot) {
    await chmod(s.dir, 0o755);
    await chmod(s.inbox, 0o777);
  }
  writeAsAttacker(s.inbox, HOSTILE);
  const expected = Buffer.concat(HOSTILE.map((n) => Buffer.from(`${join(s.inbox, n)}\0`)));
  const runs = await waitFor(
    () => savedRuns(s.out),
    (r) => r.length >= 1 && r[0]?.subarray(-1)[0] === 0 && (r[0]?.length ?? 0) >= expected.length,
    { withinMs: 15_000, what: 'a run that read the hostile names' },
  );
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0]?.toString('utf8').split('\0'), expected.toString('utf8').split('\0'));
  assert.ok(runs[0]?.equals(expected));
  assert.equal(await s.daemon.stop(), 0);
});

test('json carries every path with its events, and the old name of a rename', async (t) => {
  const s = await daemonWith(t, '    events: [close_write, rename]\n    settle: 0.5\n    stdin: json\n');
  await writeFile(join(s.inbox, 'draft'), 'x');
  await rename(join(s.inbox, 'draft'), join(s.inbox, 'final name'));
  const runs = await waitFor(
    () => savedRuns(s.out),
    (r) => r.some((b) => b.toString().includes('final name')),
    { withinMs: 15_000, what: 'a run that read the rename' },
  );
  const records = runs.flatMap((b) => linesOf(b).map((l) => JSON.parse(l) as Record<string, unknown>));
  assert.deepEqual(records[0], { path: join(s.inbox, 'draft'), events: ['close_write'] });
  const renamed = records[1];
  assert.equal(records.length, 2, JSON.stringify(records));
  assert.equal(renamed?.['path'], join(s.inbox, 'final name'));
  assert.equal(renamed?.['old_path'], join(s.inbox, 'draft'));
  assert.ok(
    Array.isArray(renamed?.['events']) && renamed['events'].includes('rename'),
    JSON.stringify(renamed),
  );
  assert.equal(await s.daemon.stop(), 0);
});

test('20,000 folded paths to a command that never reads stdin hold up nothing', async (t) => {
  // The command reports how many paths were folded, then sleeps without reading its stdin.
  const command = `'echo "$WATCHTAB_COUNT" > "$OUT/count.$$"; sleep 2'`;
  const s = await daemonWith(
    t,
    '    events: [create]\n    delay: 20\n    settle: 2\n    max-wait: 120\n    stdin: paths\n',
    command,
  );
  const total = 20_000;
  const padding = 'x'.repeat(60); // about 1.6 MB of names: far more than a pipe holds
  for (let i = 0; i < total; i += 1) {
    closeSync(openSync(join(s.inbox, `${padding}-${i}`), 'w'));
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  const counts = async (): Promise<string[]> => {
    const names = (await readdir(s.out)).filter((n) => n.startsWith('count.'));
    return Promise.all(names.map(async (n) => (await readFile(join(s.out, n), 'utf8')).trim()));
  };
  await waitFor(counts, (c) => c.includes(String(total)), {
    withinMs: 60_000,
    what: `a run with ${total} paths folded`,
  });
  // While that command sleeps with its stdin unread, the daemon answers its status socket (what
  // `watchtab status` reads) within 2 s.
  const status = await statusWithin(s.socket, 2000);
  assert.match(status, /"state": ?"running"/);
  await s.daemon.waitForLine(/run ended/, { withinMs: 15_000 });
  await writeFile(join(s.inbox, 'after'), 'x');
  await waitFor(counts, (c) => c.includes('1'), {
    withinMs: 60_000,
    what: 'the next run (after its own delay)',
  });
  assert.equal(await s.daemon.stop(), 0);
});
