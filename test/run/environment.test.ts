// What a command sees: exactly cron's environment plus the watchtab's and WATCHTAB_*, its working
// folder, hostile file names byte for byte; and how its end is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CRON_PATH } from '../../src/run/env.js';
import { tempDir } from '../helpers/temp.js';
import { endings, makeEntry, records, slotFor, waitForEndings } from './entry-fixture.js';

function parseEnv0(bytes: Buffer): Map<string, string> {
  const vars = new Map<string, string>();
  for (const item of bytes.toString('utf8').split('\0')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    vars.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return vars;
}

test("the environment is exactly the contract's, key by key; nothing of the daemon's leaks", async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'env');
  process.env['WATCHTAB_TEST_LEAK'] = 'daemon-secret';
  t.after(() => delete process.env['WATCHTAB_TEST_LEAK']);
  const entry = makeEntry({
    name: 'env-probe',
    dir,
    command: 'env -0 > "$OUT"',
    env: { OUT: out, LANG: 'C.UTF-8' },
  });
  const { slot, log } = slotFor(t, entry, { isRoot: false });
  slot.trigger({ path: join(dir, 'new name'), event: 'rename', oldPath: join(dir, 'old name') });
  await waitForEndings(log, 1);
  const me = userInfo();
  const expected = new Map([
    ['PATH', CRON_PATH],
    ['SHELL', '/bin/sh'],
    ['HOME', me.homedir],
    ['USER', me.username],
    ['LOGNAME', me.username],
    ['OUT', out],
    ['LANG', 'C.UTF-8'],
    ['WATCHTAB_ENTRY', 'env-probe'],
    ['WATCHTAB_PATH', join(dir, 'new name')],
    ['TRIGGER', join(dir, 'new name')],
    ['WATCHTAB_EVENT', 'rename'],
    ['WATCHTAB_OLD_PATH', join(dir, 'old name')],
    // Always set (watchtab(5)); these names have neither a backslash nor a byte that is not UTF-8.
    ['WATCHTAB_PATH_ESCAPED', join(dir, 'new name')],
    ['WATCHTAB_OLD_PATH_ESCAPED', join(dir, 'old name')],
    ['WATCHTAB_COUNT', '1'],
    ['PWD', dir], // exported by /bin/sh itself: the working folder, the watched folder here
  ]);
  const got = parseEnv0(await readFile(out));
  assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
  for (const [key, value] of expected) assert.equal(got.get(key), value, key);
});

const HOSTILE = [
  'line\nbreak',
  '$(touch pwned)',
  '`touch pwned`',
  'it\'s "quoted"',
  'a; touch pwned; b',
  '-n && touch pwned || $HOME ${PATH} \\ * ? [x] | > < &',
  ' leading and trailing spaces ',
  'ünïcødé\ttab',
];

test('hostile file names arrive byte-exact through the environment and inject nothing', async (t) => {
  const dir = await tempDir(t);
  const outDir = join(dir, 'out');
  await mkdir(outDir);
  const command =
    'printf "%s" "$WATCHTAB_PATH" > "$OUT/$WATCHTAB_COUNT.$RANDOM_ID"; printf "%s" "$TRIGGER" > "$OUT/t.$RANDOM_ID"';
  for (const [i, name] of HOSTILE.entries()) {
    const path = join(dir, name);
    const entry = makeEntry({ dir, command, env: { OUT: outDir, RANDOM_ID: String(i) } });
    const { slot, log } = slotFor(t, entry);
    slot.trigger({ path, event: 'create' });
    await waitForEndings(log, 1);
    assert.equal(endings(log)[0]?.message, 'run ended: exited successfully', JSON.stringify(name));
    assert.equal(await readFile(join(outDir, `1.${i}`), 'utf8'), path);
    assert.equal(await readFile(join(outDir, `t.${i}`), 'utf8'), path);
  }
  const made = await readdir(dir);
  assert.deepEqual(made, ['out'], 'no file named pwned (or anything else) was created');
});

test('exit statuses are logged in words, with the entry and the duration', async (t) => {
  const dir = await tempDir(t);
  await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'plain.txt'), 'not a program'));
  const cases: [string, string, 'info' | 'error'][] = [
    ['true', 'run ended: exited successfully', 'info'],
    ['exit 3', 'run failed: exit status 3', 'error'],
    ['no-such-command-here', 'run failed: command not found (exit status 127)', 'error'],
    ['./plain.txt', 'run failed: not executable (exit status 126)', 'error'],
    ['kill -SEGV $$', 'run failed: killed by SIGSEGV', 'error'],
  ];
  for (const [command, message, level] of cases) {
    const { slot, log } = slotFor(t, makeEntry({ name: `words ${command}`, dir, command }));
    slot.trigger({ path: join(dir, 'x'), event: 'write' });
    const [ended] = await waitForEndings(log, 1);
    assert.equal(ended?.message, message);
    assert.equal(ended?.level, level);
    assert.equal(ended?.fields['entry'], `words ${command}`);
    assert.equal(typeof ended?.fields['durationMs'], 'number');
  }
});

test('a missing working folder is a command that cannot start, and the entry stays armed', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const missing = join(dir, 'gone');
  const { slot, log } = slotFor(
    t,
    makeEntry({ dir, command: 'echo ran > "$OUT"', cwd: missing, env: { OUT: out } }),
  );
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const [ended] = await waitForEndings(log, 1);
  assert.equal(
    ended?.message,
    `run failed: cannot start: the working folder ${missing} does not exist or is not a folder`,
  );
  assert.equal(slot.status().state, 'idle');
  await mkdir(missing);
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  const after = await waitForEndings(log, 2);
  assert.equal(after[1]?.message, 'run ended: exited successfully');
  assert.equal(await readFile(out, 'utf8'), 'ran\n');
  assert.equal(records(log, (m) => m.startsWith('the previous failure')).length, 0);
});

test('repeated identical failures are logged once, then summarised when the outcome changes', async (t) => {
  const dir = await tempDir(t);
  const flag = join(dir, 'ok');
  const { slot, log } = slotFor(t, makeEntry({ dir, command: 'test -e "$FLAG"', env: { FLAG: flag } }));
  for (let i = 1; i <= 4; i += 1) {
    slot.trigger({ path: join(dir, 'x'), event: 'write' });
    await waitForEndings(log, i);
  }
  await import('node:fs/promises').then((fs) => fs.writeFile(flag, ''));
  slot.trigger({ path: join(dir, 'x'), event: 'write' });
  await waitForEndings(log, 5);
  const loud = log.records
    .filter((r) => r.level !== 'debug' && /^run (ended|failed)|failure/.test(r.message))
    .map((r) => r.message);
  assert.deepEqual(loud, [
    'run failed: exit status 1',
    'the previous failure (exit status 1) happened 4 times in a row',
    'run ended: exited successfully',
  ]);
  assert.deepEqual(slot.status().counters, { triggers: 5, runs: 5, failures: 4, dropped: 0 });
});
