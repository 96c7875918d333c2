// What `check` refuses because it could never run (NUL, PATH_MAX, NAME_MAX, bad UTF-8, size), its
// warnings, one read per file whatever its names, and the escaped backslash from text to path.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { createNssResolver } from '../../src/system/nss.js';
import { formatProblem } from '../../src/log/messages/watchtab.js';
import { dropInFolder, loadWatchtab, MAX_WATCHTAB_BYTES, type FileResult } from '../../src/watchtab/load.js';

const isRoot = process.geteuid?.() === 0;
const resolver = createNssResolver();

async function loadText(t: TestContext, text: string | Buffer, name = 'watchtab'): Promise<FileResult> {
  const file = join(await tempDir(t), name);
  await writeFile(file, text);
  const [first] = (await loadWatchtab(file, { isRoot, resolver })).files;
  assert.ok(first);
  return first;
}

const lines = (r: FileResult): string[] => r.problems.map((p) => formatProblem(p).replace(/^.*?:(\d)/, '$1'));

test('a NUL byte in a command, path, cwd, user or environment value is refused with its place', async (t) => {
  const classic = await loadText(t, 'A = x\0y\n/srv/a\twrite\techo \0 hi\n');
  assert.deepEqual(lines(classic), [
    '2: env: A: holds a NUL byte, which no command, path or environment can carry',
    '2:14: command: holds a NUL byte, which no command, path or environment can carry',
  ]);
  const yaml = await loadText(
    t,
    'entries:\n  - path: "/srv/a\\0b"\n    events: write\n    cwd: "/x\\0"\n    command: "echo \\0"\n    env: {V: "a\\0"}\n',
    'w.yaml',
  );
  assert.deepEqual(
    yaml.problems.map((p) => [p.line, p.key]),
    [
      [2, 'path'],
      [4, 'cwd'],
      [5, 'command'],
      [6, 'env'],
      [6, 'env'],
    ],
  );
  assert.equal(yaml.entries.length, 0);
});

test('paths over PATH_MAX or with a name over NAME_MAX are refused, a 10 MB path at once', async (t) => {
  const long = `/${'a'.repeat(300)}/x`;
  const r = await loadText(t, `${long}\twrite\ttrue\n`);
  assert.match(lines(r)[0] ?? '', /^1:1: path: the component "a{40}"… is 300 bytes long, over the 255 bytes/);
  // 50,000 components: refused by length (a 10 MB one is over the file size bound before that).
  const many = await loadText(
    t,
    `entries:\n  - {path: /ok, events: write, command: x, chroot: "${'/d'.repeat(50_000)}"}\n`,
    'w.yaml',
  );
  assert.deepEqual(lines(many), [
    '2:52: chroot: is 100000 bytes long, over the 4095 bytes a path can have (PATH_MAX)',
  ]);
  const huge = await loadText(t, `${'/d'.repeat(5_000_000)}\twrite\ttrue\n`);
  assert.deepEqual(
    huge.problems.map((p) => p.code),
    ['E_TOO_BIG'],
  );
  const deep = await loadText(t, `${'/d'.repeat(2100)}\twrite\ttrue\n`);
  assert.match(lines(deep)[0] ?? '', /path: is 4200 bytes long, over the 4095 bytes a path can have/);
});

test('a watchtab over the size bound is one clear problem, read no further', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'watchtab');
  const handle = await open(file, 'w');
  await handle.truncate(600 * 1024 * 1024);
  await handle.close();
  const [result] = (await loadWatchtab(file, { isRoot, resolver })).files;
  assert.deepEqual(result?.problems.map(formatProblem), [
    `${file}: is ${600 * 1024 * 1024} bytes, over the ${MAX_WATCHTAB_BYTES} bytes (4 MiB) a watchtab file may have`,
  ]);
});

test('bytes that are not UTF-8 are refused with the line and the key', async (t) => {
  const r = await loadText(
    t,
    Buffer.concat([
      Buffer.from('/srv/ok\twrite\ttrue\n/srv/x'),
      Buffer.from([0xff]),
      Buffer.from('\twrite\ttrue\n'),
    ]),
  );
  assert.deepEqual(lines(r), ['2:1: path: is not valid UTF-8 (a watchtab is UTF-8 text)']);
});

test('chroot without user is a warning, the file stays valid', async (t) => {
  const r = await loadText(
    t,
    'entries:\n  - {path: /srv, events: write, command: x, chroot: /jail}\n',
    'w.yaml',
  );
  assert.deepEqual(r.problems, []);
  assert.equal(r.entries.length, 1);
  assert.deepEqual(
    r.warnings.map((w) => [w.line, w.key, w.severity]),
    [[2, 'chroot', 'warning']],
  );
  assert.match(
    formatProblem(r.warnings[0]!),
    /chroot: warning: chroot without user runs the command as root/,
  );
});

test('a drop-in that is another name for the main file is read once, with both names reported', async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  await writeFile(main, '/srv/a\twrite\ttrue\n');
  await mkdir(dropInFolder(main));
  await symlink(main, join(dropInFolder(main), 'again.tab'));
  const result = await loadWatchtab(main, { isRoot, resolver });
  assert.deepEqual(
    result.files.map((f) => [f.file, f.entries.length, f.problems.length, f.warnings.map(formatProblem)]),
    [
      [main, 1, 0, []],
      [
        `${main}.d/again.tab`,
        0,
        0,
        [
          `${main}.d/again.tab: warning: is another name for ${main}, already read; its entries are loaded once`,
        ],
      ],
    ],
  );
});

test('the classic path /srv/back\\\\slash watches the folder named with a backslash', async (t) => {
  const r = await loadText(t, '/srv/back\\\\slash\twrite\ttrue\n/srv/b\\\\s/*.txt\twrite\ttrue\n');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.entries[0]?.paths[0], { kind: 'exact', path: '/srv/back\\slash' });
  assert.deepEqual(r.entries[1]?.paths[0], {
    kind: 'glob',
    base: '/srv/b\\s',
    pattern: '/srv/b\\\\s/*.txt',
    maxDepth: 1,
  });
});
