// The loader's memo: an unchanged file is not read or parsed again, and anything that changes a file (content, mode, a name taken elsewhere, a read racing a write) is seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { createNssResolver } from '../../src/system/nss.js';
import { formatProblem } from '../../src/log/messages/watchtab.js';
import { dropInFolder, loadWatchtab, type LoadOptions } from '../../src/watchtab/load.js';
import { RACY_MARGIN_MS } from '../../src/watchtab/load-memo.js';

const isRoot = process.geteuid?.() === 0;
const resolver = createNssResolver();
/** Reads that happen well after the files' last change, as they do outside a test. */
const later = (): number => Date.now() + 2 * RACY_MARGIN_MS;

function yamlEntry(name: string, command: string): string {
  return `entries:\n  - {name: ${name}, path: /srv/${name}, events: write, command: ${command}}\n`;
}

async function fixture(t: Parameters<typeof tempDir>[0]): Promise<{ main: string; drop: string }> {
  const dir = await tempDir(t);
  const main = join(dir, 'watchtab');
  await writeFile(main, '/srv/main\twrite\tmain\n');
  const drop = dropInFolder(main);
  await mkdir(drop);
  await writeFile(join(drop, 'a.yaml'), yamlEntry('a', 'one'));
  await writeFile(join(drop, 'b.yaml'), yamlEntry('b', 'one'));
  return { main, drop };
}

test('unchanged files are reused as they were; a changed one is read again', async (t) => {
  const { main, drop } = await fixture(t);
  const options: LoadOptions = { isRoot, resolver, now: later };
  const first = await loadWatchtab(main, options);
  assert.equal(first.memo.size, 3);
  await writeFile(join(drop, 'b.yaml'), yamlEntry('b', 'two'));
  const second = await loadWatchtab(main, { ...options, previous: first.memo });
  assert.equal(second.files[0], first.files[0], 'the main file was parsed again');
  assert.equal(second.files[1], first.files[1], 'a.yaml was parsed again');
  assert.notEqual(second.files[2], first.files[2]);
  assert.deepEqual(
    second.files.map((f) => f.entries.map((e) => e.command)),
    [['main'], ['one'], ['two']],
  );
});

test('a read that may race a change is not remembered', async (t) => {
  const { main } = await fixture(t);
  // The real clock: the files were written just now, within the margin of a time granule.
  const result = await loadWatchtab(main, { isRoot, resolver });
  assert.equal(result.memo.size, 0);
  assert.equal(result.files.length, 3);
});

test('an unchanged file whose name an earlier file now takes is read again and reported', async (t) => {
  const { main, drop } = await fixture(t);
  const first = await loadWatchtab(main, { isRoot, resolver, now: later });
  await writeFile(join(drop, 'a.yaml'), yamlEntry('b', 'taken'));
  const second = await loadWatchtab(main, { isRoot, resolver, now: later, previous: first.memo });
  const [, a, b] = second.files;
  assert.deepEqual(
    a?.entries.map((e) => e.name),
    ['b'],
  );
  assert.deepEqual(b?.entries, []);
  assert.match(b?.problems.map(formatProblem).join('\n') ?? '', /b\.yaml:2: .*"b"/);
  assert.equal(second.memo.has(join(drop, 'b.yaml')), false, 'a file with problems was remembered');
});

test('a removed drop-in is gone from the result and from the memo', async (t) => {
  const { main, drop } = await fixture(t);
  const first = await loadWatchtab(main, { isRoot, resolver, now: later });
  await rm(join(drop, 'a.yaml'));
  const second = await loadWatchtab(main, { isRoot, resolver, now: later, previous: first.memo });
  assert.deepEqual(
    second.files.map((f) => f.file),
    [main, join(drop, 'b.yaml')],
  );
  assert.equal(second.memo.has(join(drop, 'a.yaml')), false);
});

test('as root, a remembered file made writable by others is refused on the next load', async (t) => {
  if (!isRoot) return t.skip('the ownership rule applies only when the reader runs as root');
  const { main, drop } = await fixture(t);
  const first = await loadWatchtab(main, { isRoot, resolver, now: later });
  await chmod(join(drop, 'a.yaml'), 0o666);
  const second = await loadWatchtab(main, { isRoot, resolver, now: later, previous: first.memo });
  const a = second.files[1];
  assert.notEqual(a?.refused ?? null, null, 'the mode change went unseen');
  assert.deepEqual(a?.entries, []);
});
