// The watch contract for the inotify back-end, then what only inotify has: kernel watch counts,
// queue overflow, the watch budget, retries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryLogger } from '../../src/log/logger.js';
import { recursiveSpec } from '../../src/watch/match.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inotifyWatchCount, is, record, target } from './harness.js';
import { createInotifyBackend } from '../../src/watch/inotify/backend.js';
import { conformance } from './conformance.js';

conformance('inotify', () => createInotifyBackend({ logger: createMemoryLogger('info') }));

const makeLogged = (level: 'info' | 'debug' = 'info') => {
  const logger = createMemoryLogger(level);
  return { logger, backend: createInotifyBackend({ logger }) };
};

async function withSysctl(name: string, value: number, body: () => Promise<void>): Promise<void> {
  const file = `/proc/sys/fs/inotify/${name}`;
  const saved = readFileSync(file, 'utf8');
  writeFileSync(file, String(value));
  try {
    await body();
  } finally {
    writeFileSync(file, saved);
  }
}

test('inotify: rm -rf of a watched subtree gives every kernel watch back', async (t) => {
  const dir = await tempDir(t);
  const { backend } = makeLogged();
  t.after(() => backend.close());
  const baseline = inotifyWatchCount();
  for (let i = 0; i < 20; i++) await mkdir(join(dir, 'tree', `d${i}`, 'e'), { recursive: true });
  const rec = await record(backend, target(recursiveSpec(dir)));
  assert.equal(inotifyWatchCount(), baseline + 42);
  assert.equal(rec.armed.watchCount(), 42);
  await rm(join(dir, 'tree'), { recursive: true });
  await rec.until(is('delete', join(dir, 'tree')), 'delete of the subtree');
  await waitFor(inotifyWatchCount, (n) => n === baseline + 1, { withinMs: 5000, what: 'watches released' });
  assert.equal(rec.armed.watchCount(), 1);
});

test('inotify: targets on one folder share its kernel watch; the last disarm removes it', async (t) => {
  const dir = await tempDir(t);
  const { backend } = makeLogged();
  t.after(() => backend.close());
  const baseline = inotifyWatchCount();
  const a = await record(backend, target({ kind: 'exact', path: dir }, { id: 'a', events: ['create'] }));
  assert.equal(inotifyWatchCount(), baseline + 2, 'an exact folder: its parent (its name) and itself');
  const b = await record(backend, target(recursiveSpec(dir), { id: 'b', events: ['delete'] }));
  assert.equal(inotifyWatchCount(), baseline + 2, 'the folder is shared');
  await a.armed.disarm();
  assert.equal(inotifyWatchCount(), baseline + 1, 'the parent had one user, the folder keeps one');
  await writeFile(join(dir, 'f'), '');
  await rm(join(dir, 'f'));
  await b.until(is('delete', join(dir, 'f')), 'delete for the remaining target');
  await b.armed.disarm();
  assert.equal(inotifyWatchCount(), baseline);
});

test('inotify: excluded folders hold no kernel watch', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'node_modules', 'x', 'y'), { recursive: true });
  await mkdir(join(dir, 'src', '.git', 'refs'), { recursive: true });
  const { backend } = makeLogged();
  t.after(() => backend.close());
  const baseline = inotifyWatchCount();
  const exclude = [`${dir}/**/.git/**`, `${dir}/**/node_modules/**`];
  await record(backend, target(recursiveSpec(dir), { exclude }));
  assert.equal(inotifyWatchCount(), baseline + 2, 'the base and src/');
  await mkdir(join(dir, 'src', 'node_modules'));
  await writeFile(join(dir, 'src', 'marker'), '');
  await waitFor(() => true, () => true, { withinMs: 10 });
  assert.equal(inotifyWatchCount(), baseline + 2, 'a new excluded folder is not watched');
});

test('inotify: a queue overflow is rescanned, reported, and logged once', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'sub'));
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, `keep${i}`), 'x');
  await withSysctl('max_queued_events', 16, async () => {
    const { logger, backend } = makeLogged(); // the lower limit applies to instances made after it
    t.after(() => backend.close());
    const rec = await record(backend, target(recursiveSpec(dir)));
    // All synchronous: the kernel queue fills before the instance reads anything.
    for (let i = 0; i < 100; i++) writeFileSync(join(dir, 'sub', `n${i}`), 'y');
    rmSync(join(dir, 'keep0'));
    writeFileSync(join(dir, 'keep1'), 'longer content');
    await waitFor(
      () => logger.records.filter((r) => r.level === 'warn'),
      (w) => w.length > 0,
      { withinMs: 5000, what: 'the overflow warning' },
    );
    const warns = logger.records.filter((r) => r.level === 'warn');
    assert.equal(warns.length, 1);
    assert.match(warns[0]?.message ?? '', /overflow/);
    for (let i = 0; i < 100; i++) assert.ok(rec.events.some(is('create', join(dir, 'sub', `n${i}`))), `n${i}`);
    assert.ok(rec.events.some(is('delete', join(dir, 'keep0'))));
    assert.ok(rec.events.some(is('write', join(dir, 'keep1'))));
    await writeFile(join(dir, 'sub', 'after'), '');
    await rec.until(is('close_write', join(dir, 'sub', 'after')), 'events after the rescan');
  });
});

test('inotify: passing half the watch limit is warned once, naming the entries', async (t) => {
  const dir = await tempDir(t);
  for (let i = 0; i < 30; i++) await mkdir(join(dir, `d${i}`));
  const used = inotifyWatchCount();
  await withSysctl('max_user_watches', used + 50, async () => {
    const { logger, backend } = makeLogged();
    t.after(() => backend.close());
    await record(backend, target(recursiveSpec(dir), { id: 'big' }));
    await record(backend, target({ kind: 'exact', path: join(dir, 'd0') }, { id: 'small' }));
    const warns = logger.records.filter((r) => r.level === 'warn');
    assert.equal(warns.length, 1, JSON.stringify(warns));
    assert.match(warns[0]?.message ?? '', /max_user_watches/);
    assert.match(warns[0]?.message ?? '', /big holds 31/);
  });
});

test('inotify: a target that cannot be armed is logged once and retried; others go on', async (t) => {
  const dir = await tempDir(t);
  for (let i = 0; i < 5; i++) await mkdir(join(dir, 'tree', `d${i}`), { recursive: true });
  await mkdir(join(dir, 'small'));
  const { logger, backend } = makeLogged();
  t.after(() => backend.close());
  const small = await record(backend, target({ kind: 'exact', path: join(dir, 'small') }, { id: 'small' }));
  let big: Awaited<ReturnType<typeof record>> | undefined;
  await withSysctl('max_user_watches', inotifyWatchCount() + 3, async () => {
    big = await record(backend, target(recursiveSpec(join(dir, 'tree')), { id: 'big' }));
    assert.equal(big.armed.watchCount(), 0, 'released what it held');
    const warns = logger.records.filter((r) => r.level === 'warn');
    assert.equal(warns.length, 1);
    assert.match(warns[0]?.message ?? '', /ENOSPC|watch limit/);
    await writeFile(join(dir, 'small', 'f'), '');
    await small.until(is('create', join(dir, 'small', 'f')), 'the other target still works');
  });
  await waitFor(() => big?.armed.watchCount(), (n) => n === 6, { withinMs: 5000, what: 'armed on retry' });
  assert.ok(logger.records.some((r) => r.message === 'watch armed after retrying'));
  await writeFile(join(dir, 'tree', 'd3', 'g'), '');
  await big?.until(is('create', join(dir, 'tree', 'd3', 'g')), 'events after the retry');
});

test('inotify: at debug, what the kernel reported is traced', async (t) => {
  const dir = await tempDir(t);
  const { logger, backend } = makeLogged('debug');
  t.after(() => backend.close());
  const rec = await record(backend, target({ kind: 'exact', path: dir }));
  await writeFile(join(dir, 'f'), '');
  await rec.until(is('create', join(dir, 'f')), 'create');
  assert.ok(logger.records.some((r) => r.message === 'inotify event' && r.fields['name'] === 'f'));
});
