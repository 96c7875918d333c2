// Reload's table diff: added, removed, changed and kept entries, and files that keep their entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffTables, entriesByName, nextFileTable, type FileTable } from '../../src/daemon/table.js';
import type { Entry } from '../../src/watchtab/entry.js';
import { makeEntry } from '../run/entry-fixture.js';

function entry(name: string, command: string, line = 1, file = '/etc/watchtab'): Entry {
  return makeEntry({ name, command, dir: '/srv', source: { file, line } });
}

const byName = (...list: Entry[]) => new Map(list.map((e) => [e.name, e]));

test('diffTables sorts entries into added, removed, changed and kept', () => {
  const plan = diffTables(
    byName(entry('a', 'make'), entry('b', 'true'), entry('c', 'x')),
    byName(entry('a', 'make'), entry('b', 'false'), entry('d', 'y')),
  );
  assert.deepEqual(
    plan.kept.map((e) => e.name),
    ['a'],
  );
  assert.deepEqual(
    plan.changed.map((c) => [c.before.command, c.after.command]),
    [['true', 'false']],
  );
  assert.deepEqual(
    plan.added.map((e) => e.name),
    ['d'],
  );
  assert.deepEqual(
    plan.removed.map((e) => e.name),
    ['c'],
  );
});

test('an entry that only moved to another line is kept, and keeps the object in force', () => {
  const before = entry('site', 'make', 3);
  const plan = diffTables(byName(before), byName(entry('site', 'make', 9)));
  assert.equal(plan.kept.length, 1);
  assert.equal(plan.kept[0], before);
  assert.equal(plan.changed.length, 0);
});

test('a broken or refused file keeps its previous entries; a missing file loses them', () => {
  const previous: FileTable = new Map([
    ['/w', [entry('a', '1')]],
    ['/w.d/x.tab', [entry('b', '2')]],
    ['/w.d/y.tab', [entry('c', '3')]],
  ]);
  const next = nextFileTable(previous, [
    { kind: 'broken', file: '/w', problemCount: 2 },
    { kind: 'refused', file: '/w.d/x.tab', reason: 'writable by others' },
    { kind: 'missing', file: '/w.d/y.tab' },
    { kind: 'loaded', file: '/w.d/z.tab', entries: [entry('d', '4')] },
  ]);
  assert.deepEqual([...next.keys()], ['/w', '/w.d/x.tab', '/w.d/z.tab']);
  assert.deepEqual(
    next.get('/w')?.map((e) => e.name),
    ['a'],
  );
});

test('a refused drop-in folder keeps the entries of the files inside it', () => {
  const previous: FileTable = new Map([
    ['/w', [entry('a', '1')]],
    ['/w.d/x.tab', [entry('b', '2')]],
  ]);
  const next = nextFileTable(previous, [
    { kind: 'loaded', file: '/w', entries: [entry('a', '1')] },
    { kind: 'refused', file: '/w.d', reason: 'writable by others' },
  ]);
  assert.deepEqual(
    next.get('/w.d/x.tab')?.map((e) => e.name),
    ['b'],
  );
});

test('at start-up a broken file contributes nothing', () => {
  const next = nextFileTable(new Map(), [{ kind: 'broken', file: '/w', problemCount: 1 }]);
  assert.equal(next.size, 0);
});

test('a name held by an earlier file wins over a later file, and the clash is reported', () => {
  const table: FileTable = new Map([
    ['/w', [entry('a', '1', 1, '/w')]],
    ['/w.d/x.tab', [entry('a', '2', 1, '/w.d/x.tab'), entry('b', '3', 2, '/w.d/x.tab')]],
  ]);
  const { entries, conflicts } = entriesByName(table);
  assert.equal(entries.get('a')?.command, '1');
  assert.deepEqual(conflicts, [{ name: 'a', file: '/w.d/x.tab', keptFrom: '/w' }]);
  assert.equal(entries.size, 2);
});
