// Loading a watchtab with its FILE.d/ drop-ins: order, missing files, entry names and duplicates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { createNssResolver, lookupUser } from '../../src/system/nss.js';
import { formatProblem } from '../../src/log/messages/watchtab.js';
import { dropInFolder, loadWatchtab } from '../../src/watchtab/load.js';

const isRoot = process.geteuid?.() === 0;
const needsRoot = isRoot ? false : 'needs root: chown, and files owned by root';
const resolver = createNssResolver();

test('the main file comes first, then *.tab, *.yaml, *.yml of FILE.d/ in name order', async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  await writeFile(main, '/a\twrite\tmain\n');
  const drop = dropInFolder(main);
  assert.equal(drop, `${main}.d`);
  await mkdir(drop);
  await writeFile(join(drop, 'b.yaml'), 'entries:\n  - {path: /b, events: write, command: b}\n');
  await writeFile(join(drop, 'a.tab'), '/a\twrite\ta\n');
  await writeFile(join(drop, 'c.yml'), 'entries: []\n');
  await writeFile(join(drop, 'ignored.conf'), 'not read\n');
  await writeFile(join(drop, '.hidden.tab'), 'not read\n');
  await writeFile(join(drop, 'z.tab~'), 'not read\n');
  await mkdir(join(drop, 'sub.tab'));
  const result = await loadWatchtab(main, { isRoot, resolver });
  assert.deepEqual(
    result.files.map((f) => [f.file, f.entries.map((e) => e.command), f.problems.map(formatProblem)]),
    [
      [main, ['main'], []],
      [`${drop}/a.tab`, ['a'], []],
      [`${drop}/b.yaml`, ['b'], []],
      [`${drop}/c.yml`, [], []],
      [`${drop}/sub.tab`, [], [`${drop}/sub.tab: is not a regular file`]],
    ],
  );
});

test('a missing main file is not a problem; its drop-ins are still read', async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  assert.deepEqual((await loadWatchtab(main, { isRoot, resolver })).files, [
    { file: main, exists: false, refused: null, entries: [], problems: [], warnings: [] },
  ]);
  await mkdir(`${main}.d`);
  await writeFile(`${main}.d/x.tab`, '/x\twrite\tx\n');
  const result = await loadWatchtab(main, { isRoot, resolver });
  assert.deepEqual(
    result.files.map((f) => [f.exists, f.entries.length]),
    [
      [false, 0],
      [true, 1],
    ],
  );
});

test('entry names: name or FILE:LINE; a duplicate is a problem in the second file, which then contributes nothing', async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  await writeFile(main, '---\nentries:\n  - {name: site, path: /a, events: write, command: a}\n');
  await mkdir(`${main}.d`);
  await writeFile(
    `${main}.d/x.yaml`,
    'entries:\n  - {name: other, path: /b, events: write, command: b}\n  - {name: site, path: /c, events: write, command: c}\n',
  );
  await writeFile(`${main}.d/y.tab`, '/d\twrite\td\n');
  const [first, second, third] = (await loadWatchtab(main, { isRoot, resolver })).files;
  assert.deepEqual(
    first?.entries.map((e) => e.name),
    ['site'],
  );
  assert.deepEqual(second?.entries, []);
  assert.deepEqual(second?.problems.map(formatProblem), [
    `${main}.d/x.yaml:3: name: the entry name "site" is already used at ${main}:3`,
  ]);
  assert.deepEqual(
    third?.entries.map((e) => e.name),
    [`${main}.d/y.tab:1`],
  );
});

test('the file name in entry names and problems is the one the loader was given', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'watchtab'), '/a\twrite\ta\n/b\tnope\tb\n');
  const previous = process.cwd();
  process.chdir(dir);
  t.after(() => process.chdir(previous));
  const [result] = (await loadWatchtab('watchtab', { isRoot, resolver })).files;
  assert.deepEqual(result?.problems.map(formatProblem), [
    'watchtab:2:4: events: unknown event "nope" (allowed: *, create, write, close_write, delete, rename, attrib, extend, link, revoke, access, open, close_nowrite)',
  ]);
});

test(
  'as root, a file not owned by root or writable by group or others is refused, saying how to fix it',
  { skip: needsRoot },
  async (t) => {
    const dir = await tempDir(t);
    const main = join(dir, 'watchtab');
    await writeFile(main, '/a\twrite\ta\n', { mode: 0o644 });
    const nobody = lookupUser('nobody');
    assert.equal(nobody.kind, 'found');
    if (nobody.kind !== 'found') return;
    await chmod(main, 0o664);
    let [result] = (await loadWatchtab(main, { isRoot: true, resolver })).files;
    assert.equal(result?.refused, `writable by group or others (mode 0664); fix: chmod go-w ${main}`);
    assert.deepEqual([result?.entries, result?.problems], [[], []]);
    await chown(main, nobody.value.uid, nobody.value.gid);
    [result] = (await loadWatchtab(main, { isRoot: true, resolver })).files;
    assert.equal(
      result?.refused,
      `not owned by root (owner uid ${nobody.value.uid}); fix: chown root:root ${main}; writable by group or others (mode 0664); fix: chmod go-w ${main}`,
    );
    await chmod(main, 0o600);
    [result] = (await loadWatchtab(main, { isRoot: true, resolver })).files;
    assert.equal(
      result?.refused,
      `not owned by root (owner uid ${nobody.value.uid}); fix: chown root:root ${main}`,
    );
    [result] = (await loadWatchtab(main, { isRoot: false, resolver })).files;
    assert.equal(result?.refused, null, 'the rule applies only when the reader is root');
    assert.equal(result?.entries.length, 1);
    await chown(main, 0, 0);
    [result] = (await loadWatchtab(main, { isRoot: true, resolver })).files;
    assert.deepEqual([result?.refused, result?.entries.length], [null, 1]);
  },
);

test(
  'as root, a drop-in folder writable by others is refused with its files',
  { skip: needsRoot },
  async (t) => {
    const dir = await tempDir(t);
    const main = join(dir, 'watchtab');
    await mkdir(`${main}.d`);
    await writeFile(`${main}.d/x.tab`, '/x\twrite\tx\n');
    await chmod(`${main}.d`, 0o777);
    const files = (await loadWatchtab(main, { isRoot: true, resolver })).files;
    assert.deepEqual(
      files.map((f) => [f.file, f.refused]),
      [
        [main, null],
        [`${main}.d`, `writable by group or others (mode 0777); fix: chmod go-w ${main}.d`],
      ],
    );
  },
);

test(
  'a symbolic link is checked and read through: what counts is the file read',
  { skip: needsRoot },
  async (t) => {
    const dir = await tempDir(t);
    const target = join(dir, 'real');
    await writeFile(target, '/a\twrite\ta\n', { mode: 0o666 });
    await chmod(target, 0o666);
    await symlink(target, join(dir, 'watchtab'));
    const [result] = (await loadWatchtab(join(dir, 'watchtab'), { isRoot: true, resolver })).files;
    assert.match(result?.refused ?? '', /writable by group or others \(mode 0666\)/);
  },
);

test('a reader that is not root may only name its own user', { skip: needsRoot }, async (t) => {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  await writeFile(main, '/a\twrite\t0\troot\tok\n/a\twrite\t0\tnobody\tnot-ok\n');
  const [result] = (await loadWatchtab(main, { isRoot: false, resolver })).files;
  assert.deepEqual(
    result?.problems.map((p) => [p.line, p.code]),
    [[2, 'E_USER_NOT_SELF']],
  );
  const [asRoot] = (await loadWatchtab(main, { isRoot: true, resolver })).files;
  assert.deepEqual(
    asRoot?.entries.map((e) => e.runAs?.user),
    ['root', 'nobody'],
  );
});
