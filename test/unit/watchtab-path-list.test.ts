// `path` as a list (YAML): each item checked as one path, problems naming the item and its line.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { createNssResolver } from '../../src/system/nss.js';
import { formatProblem } from '../../src/log/messages/watchtab.js';
import { loadWatchtab, type FileResult } from '../../src/watchtab/load.js';

const isRoot = process.geteuid?.() === 0;

async function load(t: TestContext, text: string | Buffer): Promise<FileResult> {
  const file = join(await tempDir(t), 'site.yaml');
  await writeFile(file, text);
  const [first] = (await loadWatchtab(file, { isRoot, resolver: createNssResolver() })).files;
  assert.ok(first);
  return first;
}

const placeless = (problems: FileResult['problems']): string[] =>
  problems.map((p) => formatProblem(p).replace(/^[^:]*\/site\.yaml/, 'site.yaml'));
const lines = (result: FileResult): string[] => placeless(result.problems);

const entryWith = (...pathLines: string[]): string =>
  ['entries:', '  - name: site', ...pathLines, '    events: write', '    command: make'].join('\n');

test('a list of paths is one entry with one watch spec per path; a relative exclude applies below each base', async (t) => {
  const result = await load(
    t,
    entryWith(
      '    path:',
      '      - /srv/site/src/**',
      '      - /etc/site.conf',
      '      - /srv/other/*.md',
      "    exclude: ['*~', '/srv/site/src/drafts/**']",
    ),
  );
  assert.deepEqual(result.problems, []);
  assert.equal(result.entries.length, 1);
  const [entry] = result.entries;
  assert.deepEqual(entry?.paths, [
    { kind: 'glob', base: '/srv/site/src', pattern: '/srv/site/src/**', maxDepth: Infinity },
    { kind: 'exact', path: '/etc/site.conf' },
    { kind: 'glob', base: '/srv/other', pattern: '/srv/other/*.md', maxDepth: 1 },
  ]);
  assert.deepEqual(entry?.exclude, [
    '/srv/site/src/*~',
    '/etc/site.conf/*~',
    '/srv/other/*~',
    '/srv/site/src/drafts/**',
  ]);
});

test('a single path (a string, or a list of one) gives a list of one', async (t) => {
  const asString = await load(t, entryWith('    path: /srv/a'));
  const asList = await load(t, entryWith('    path: [/srv/a]'));
  assert.deepEqual(asString.entries[0]?.paths, [{ kind: 'exact', path: '/srv/a' }]);
  assert.deepEqual(asList.entries[0]?.paths, [{ kind: 'exact', path: '/srv/a' }]);
});

test('each item is checked as a single path; its problems name the file, the line and the item', async (t) => {
  const result = await load(
    t,
    entryWith(
      '    path:',
      '      - /srv/ok',
      '      - srv/relative',
      '      - /srv/*/../x',
      `      - /${'a'.repeat(250)}/${'b'.repeat(250)}/${'c'.repeat(250)}/${'d'.repeat(250)}/${'e'.repeat(250)}/${'f'.repeat(250)}/${'g'.repeat(250)}/${'h'.repeat(250)}/${'i'.repeat(250)}/${'j'.repeat(250)}/${'k'.repeat(250)}/${'l'.repeat(250)}/${'m'.repeat(250)}/${'n'.repeat(250)}/${'o'.repeat(250)}/${'p'.repeat(250)}/${'q'.repeat(250)}`,
      `      - /${'x'.repeat(256)}`,
      '      - 42',
      '      - "/srv/nul\\0byte"',
      '      - ""',
    ),
  );
  assert.equal(result.entries.length, 0, 'a file with problems contributes no entries');
  assert.deepEqual(lines(result), [
    'site.yaml:5:9: path[1]: "srv/relative" is not an absolute path',
    'site.yaml:6:9: path[2]: "/srv/*/../x": ".." after a glob component cannot be resolved',
    'site.yaml:7:9: path[3]: is 4267 bytes long, over the 4095 bytes a path can have (PATH_MAX)',
    `site.yaml:8:9: path[4]: the component "${'x'.repeat(40)}"… is 256 bytes long, over the 255 bytes a file name can have (NAME_MAX)`,
    'site.yaml:9:9: path[5]: expected a string, found a number',
    'site.yaml:10:9: path[6]: holds a NUL byte, which no command, path or environment can carry',
    'site.yaml:11:9: path[7]: the path is empty',
  ]);
});

test('an item that is not UTF-8 is named with its own line', async (t) => {
  const text = Buffer.concat([
    Buffer.from(entryWith('    path:', '      - /srv/ok', '      - /srv/bad').replace('/srv/bad', '/srv/b')),
  ]);
  const bad = Buffer.from(text.toString().replace('/srv/b\n', '/srv/b\u0000\n'));
  bad[bad.indexOf(0)] = 0xff; // one byte that is not UTF-8, in the second item
  const result = await load(t, bad);
  assert.equal(result.entries.length, 0);
  assert.deepEqual(lines(result), ['site.yaml:5:9: path[1]: is not valid UTF-8 (a watchtab is UTF-8 text)']);
});

test('an empty list is an error, as is a path list of the wrong type', async (t) => {
  assert.deepEqual(lines(await load(t, entryWith('    path: []'))), [
    'site.yaml:3:11: path: an empty list watches nothing; give at least one path or glob',
  ]);
  assert.deepEqual(lines(await load(t, entryWith('    path: {a: 1}'))), [
    'site.yaml:3:11: path: expected a path, or a list of paths, found a mapping',
  ]);
});

test('a path written twice (the same after normalizing) is a warning and is watched once', async (t) => {
  const result = await load(
    t,
    entryWith('    path:', '      - /srv/a/', '      - /srv/b/**', '      - /srv//a', '      - /srv/b/**'),
  );
  assert.deepEqual(lines(result), []);
  assert.deepEqual(placeless(result.warnings), [
    'site.yaml:6:9: path[2]: warning: "/srv//a" is the same as path[0]; it is watched once',
    'site.yaml:7:9: path[3]: warning: "/srv/b/**" is the same as path[1]; it is watched once',
  ]);
  assert.equal(result.entries.length, 1, 'a warning leaves the file valid');
  assert.deepEqual(result.entries[0]?.paths, [
    { kind: 'exact', path: '/srv/a' },
    { kind: 'glob', base: '/srv/b', pattern: '/srv/b/**', maxDepth: Infinity },
  ]);
});
