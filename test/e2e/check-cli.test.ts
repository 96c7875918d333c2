// watchtab check, watchtabd --check and watchtab list on real files: exit statuses and output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, WATCHTAB_BIN, WATCHTABD_BIN } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(bin: string, args: readonly string[], cwd = REPO_ROOT): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('watchtab check: 0 for a valid watchtab with its drop-ins, 1 with every problem printed', async (t) => {
  const dir = await tempDir(t);
  const good = join(dir, 'good');
  await writeFile(good, '/a\twrite\ta\n');
  await mkdir(`${good}.d`);
  await writeFile(`${good}.d/x.yaml`, 'entries:\n  - {path: /b, events: write, command: b}\n');
  const ok = await run(WATCHTAB_BIN, ['check', good]);
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, `${good}: 2 entries, valid\n`, '']);

  const bad = join(dir, 'bad');
  await writeFile(bad, '/a\tmodfy\ta\nrel\twrite\tb\n');
  const ko = await run(WATCHTAB_BIN, ['check', good, bad]);
  assert.equal(ko.code, 1);
  assert.equal(ko.stdout, `${good}: 2 entries, valid\n`);
  assert.match(
    ko.stderr,
    new RegExp(`^${bad}:1:4: events: unknown event "modfy" \\(allowed: \\*, create,`, 'm'),
  );
  assert.match(ko.stderr, new RegExp(`^${bad}:2:1: path: "rel" is not an absolute path$`, 'm'));
  assert.match(ko.stderr, new RegExp(`^${bad}: 2 problems found$`, 'm'));
});

test('watchtab check: a FILE that does not exist is invalid; bad usage exits 2', async (t) => {
  const dir = await tempDir(t);
  const missing = await run(WATCHTAB_BIN, ['check', join(dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope: no such file/);
  const usage = await run(WATCHTAB_BIN, ['check', '--frobnicate']);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr, `watchtab check: unknown option "--frobnicate"\nTry 'watchtab check --help'.\n`);
});

test('watchtabd --check and -n: exit 0 valid, 1 invalid, 2 bad usage', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'watchtab');
  await writeFile(file, '/a\twrite\ta\n');
  assert.equal((await run(WATCHTABD_BIN, ['--check', '--watchtab', file])).code, 0);
  await writeFile(file, '/a\twrite\t1\t2\t3\t4\t5\n');
  const invalid = await run(WATCHTABD_BIN, ['-n', '-c', file]);
  assert.equal(invalid.code, 1);
  assert.match(
    invalid.stderr,
    /watchtab:1:1: an entry line has at most 6 tab-separated fields, this one has 7/,
  );
  const usage = await run(WATCHTABD_BIN, ['--check', '--log-level', 'loud']);
  assert.equal(usage.code, 2);
  assert.match(
    usage.stderr,
    /^watchtabd: --log-level: "loud" is not one of error, warn, info, debug\nTry 'watchtabd --help'\.\n$/,
  );
  const help = await run(WATCHTABD_BIN, ['--help']);
  assert.deepEqual([help.code, help.stdout.startsWith('usage: watchtabd')], [0, true]);
  const version = await run(WATCHTABD_BIN, ['--version']);
  assert.match(version.stdout, /^watchtabd \d+\.\d+\.\d+\n$/);
});

test('watchtab.example and its YAML drop-in pass the check, wherever the checkout is', async (t) => {
  const inPlace = await run(WATCHTAB_BIN, ['check', 'watchtab.example']);
  assert.deepEqual([inPlace.code, inPlace.stderr], [0, '']);
  assert.match(inPlace.stdout, /^watchtab\.example: 4 entries, valid$/m);
  const dir = await tempDir(t);
  await cp(join(REPO_ROOT, 'watchtab.example'), join(dir, 'watchtab.example'));
  await cp(join(REPO_ROOT, 'watchtab.example.d'), join(dir, 'watchtab.example.d'), { recursive: true });
  const list = await run(WATCHTAB_BIN, ['list', 'watchtab.example', '--json'], dir);
  assert.equal(list.code, 0, list.stderr);
  const entries = JSON.parse(list.stdout) as { name: string; path: { base?: string; path?: string }[] }[];
  assert.deepEqual(
    entries.flatMap((e) => e.path.map((p) => p.base ?? p.path)),
    [`${dir}/demo/src`, `${dir}/demo/app.conf`, `${dir}/demo/inbox`, `${dir}/demo/notes`],
  );
});

test('watchtab list: an aligned table, or JSON with unlimited depth as null', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'watchtab');
  await writeFile(file, '/srv/site/**\t*\t0.5\tmake\n/etc/hosts\twrite\tx\n');
  const table = await run(WATCHTAB_BIN, ['list', file]);
  assert.equal(table.code, 0);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(
    lines[0] ?? '',
    /^NAME +BASE +PATTERN +DEPTH +EVENTS +DELAY +SETTLE +STDIN +CATCH-UP +USER +ON-BUSY +TIMEOUT +COMMAND$/,
  );
  assert.equal(lines[1]?.indexOf('/srv/site '), lines[0]?.indexOf('BASE'), 'columns are aligned');
  assert.match(lines[1] ?? '', /\/srv\/site\/\*\* +any +\* +0\.5s +- +none +yes +- +queue +- +make$/);
  assert.match(lines[2] ?? '', /\/etc\/hosts +- +exact +write +0s +- +none +yes +- +queue +- +x$/);
  const json = await run(WATCHTAB_BIN, ['list', '--json', file]);
  const entries = JSON.parse(json.stdout) as { path: { maxDepth?: number | null }[] }[];
  assert.equal(entries[0]?.path[0]?.maxDepth, null);
  const yaml = join(dir, 'watchtab.yaml');
  await writeFile(
    yaml,
    'entries:\n  - path: /srv\n    events: write\n    settle: 2\n    stdin: paths0\n    command: sync\n',
  );
  const settled = await run(WATCHTAB_BIN, ['list', yaml]);
  assert.match(
    settled.stdout.trimEnd().split('\n')[1] ?? '',
    / +0s +2s<=60s +paths0 +yes +- +queue +- +sync$/,
  );
  const usage = await run(WATCHTAB_BIN, ['list', 'a', 'b']);
  assert.equal(usage.code, 2);
});

test('watchtab check: a problem in a drop-in, or a refused file as root, makes the check fail', async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  await writeFile(main, '/a\twrite\ta\n');
  await mkdir(`${main}.d`);
  await writeFile(
    `${main}.d/site.yaml`,
    'entries:\n  - {path: /b, events: write, command: b, colour: red}\n',
  );
  const dropIn = await run(WATCHTAB_BIN, ['check', main]);
  assert.equal(dropIn.code, 1);
  assert.match(dropIn.stderr, new RegExp(`^${main}\\.d/site\\.yaml:2:43: colour: unknown key "colour"`, 'm'));
  if (process.geteuid?.() !== 0) return t.skip('the ownership rule applies only when run as root');
  await writeFile(`${main}.d/site.yaml`, 'entries: []\n');
  await chmod(main, 0o646);
  const refused = await run(WATCHTAB_BIN, ['check', main]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    new RegExp(
      `^${main}: refused: writable by group or others \\(mode 0646\\); fix: chmod go-w ${main}$`,
      'm',
    ),
  );
});

test('watchtabd --check: a missing main file is a warning (exit 0), its drop-ins still count', async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  const missing = await run(WATCHTABD_BIN, ['--check', '--watchtab', main]);
  assert.deepEqual(
    [missing.code, missing.stderr],
    [0, `${main}: warning: no such file; the daemon runs without it and loads it when it appears\n`],
  );
  assert.equal(missing.stdout, `${main}: 0 entries, valid\n`);
  await mkdir(`${main}.d`);
  await writeFile(`${main}.d/a.yaml`, 'entries:\n  - {path: /a, events: write, command: a}\n');
  const dropIn = await run(WATCHTABD_BIN, ['-n', '-c', main]);
  assert.deepEqual([dropIn.code, dropIn.stdout], [0, `${main}: 1 entry, valid\n`]);
  await writeFile(`${main}.d/a.yaml`, 'entries:\n  - {path: rel, events: write, command: a}\n');
  assert.equal((await run(WATCHTABD_BIN, ['-n', '-c', main])).code, 1);
  const named = await run(WATCHTAB_BIN, ['check', main]);
  assert.equal(named.code, 1, 'watchtab check keeps a named missing file an error');
  assert.match(named.stderr, new RegExp(`^${main}: no such file$`, 'm'));
});

test('watchtab check: an alias bomb is a problem with its line, not a stack trace', async (t) => {
  const dir = await tempDir(t);
  const bomb = join(dir, 'bomb.yaml');
  const levels = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
  for (const [name, prev] of [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
  ] as const)
    levels.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${prev}`).join(', ')}]`);
  await writeFile(bomb, `${levels.join('\n')}\nenv: *d\nentries: []\n`);
  const checked = await run(WATCHTAB_BIN, ['check', bomb]);
  assert.equal(checked.code, 1);
  assert.match(checked.stderr, new RegExp(`^${bomb}:5:6: env: too many aliases to expand`, 'm'));
  assert.doesNotMatch(checked.stderr, /ReferenceError|\n\s+at /);
});
