// The watch contract for the inotify back-end, then what only inotify has: kernel watch counts,
// queue overflow, the watch budget, retries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { execFileSync, spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/paths.js';
import { join } from 'node:path';
import { createMemoryLogger } from '../../src/log/logger.js';
import { recursiveSpec } from '../../src/watch/match.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { inotifyWatchCount, is, record, target } from './harness.js';
import { createInotifyBackend, INOTIFY_CAN } from '../../src/watch/inotify/backend.js';
import { conformance } from './conformance.js';

conformance('inotify', () => createInotifyBackend({ logger: createMemoryLogger('info') }), INOTIFY_CAN);

const isRoot = process.getuid?.() === 0;

const makeLogged = (level: 'info' | 'debug' = 'info') => {
  const logger = createMemoryLogger(level);
  return { logger, backend: createInotifyBackend({ logger }) };
};

// The value applies to inotify instances made while it is set, by every process: the window is
// kept to the making of one back-end, and the old value comes back whatever happens.
function withSysctl<T>(name: string, value: number, make: () => T): T {
  const file = `/proc/sys/fs/inotify/${name}`;
  const saved = readFileSync(file, 'utf8');
  writeFileSync(file, String(value));
  try {
    return make();
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
  await waitFor(
    () => true,
    () => true,
    { withinMs: 10 },
  );
  assert.equal(inotifyWatchCount(), baseline + 2, 'a new excluded folder is not watched');
});

test('inotify: a queue overflow is rescanned, reported, and logged once', async (t) => {
  if (!isRoot) return t.skip('needs root to lower fs.inotify.max_queued_events');
  const dir = await tempDir(t);
  await mkdir(join(dir, 'sub'));
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, `keep${i}`), 'x');
  const { logger, backend } = withSysctl('max_queued_events', 16, () => makeLogged());
  t.after(() => backend.close());
  {
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
    for (let i = 0; i < 100; i++)
      assert.ok(rec.events.some(is('create', join(dir, 'sub', `n${i}`))), `n${i}`);
    assert.ok(rec.events.some(is('delete', join(dir, 'keep0'))));
    assert.ok(rec.events.some(is('write', join(dir, 'keep1'))));
    await writeFile(join(dir, 'sub', 'after'), '');
    await rec.until(is('close_write', join(dir, 'sub', 'after')), 'events after the rescan');
  }
});

test('inotify: passing half the watch limit is warned once, naming the entries', async (t) => {
  const dir = await tempDir(t);
  for (let i = 0; i < 30; i++) await mkdir(join(dir, `d${i}`));
  // The limit is per user and shared with every other process of root: the test budgets against
  // a given limit rather than lowering the real one under other programs' feet.
  const logger = createMemoryLogger('info');
  const backend = createInotifyBackend({
    logger,
    watchLimit: { name: 'fs.inotify.max_user_watches', value: 60 },
  });
  t.after(() => backend.close());
  await record(backend, target({ kind: 'exact', path: join(dir, 'd0') }, { id: 'small' }));
  assert.equal(logger.records.filter((r) => r.level === 'warn').length, 0, 'under half: no warning');
  await record(backend, target(recursiveSpec(dir), { id: 'big' }));
  await record(backend, target({ kind: 'exact', path: join(dir, 'd1') }, { id: 'more' }));
  const warns = logger.records.filter((r) => r.level === 'warn');
  assert.equal(warns.length, 1, JSON.stringify(warns));
  assert.match(warns[0]?.message ?? '', /passed half of fs\.inotify\.max_user_watches = 60/);
  assert.match(warns[0]?.message ?? '', /big holds 31, small holds 2/);
});

test('inotify: a target that cannot be armed is logged once and retried; others go on', async (t) => {
  if (!isRoot) return t.skip('needs root to run the back-end as nobody');
  // EACCES needs a user without CAP_DAC_READ_SEARCH: the back-end runs in a child as nobody.
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const locked = join(dir, 'locked');
  const open = join(dir, 'open');
  await mkdir(locked, { mode: 0o700 });
  await mkdir(open, { mode: 0o777 });
  await chmod(open, 0o777);
  const module = (p: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src', p)).href);
  const script = `
    import { createInotifyBackend } from ${module('watch/inotify/backend.js')};
    import { createLogger } from ${module('log/logger.js')};
    const backend = createInotifyBackend({ logger: createLogger({ level: 'info' }) });
    const arm = (id, path) => backend.arm(
      { id, path: { kind: 'exact', path }, exclude: [], events: ['create'], contentOnly: false, pollIntervalMs: 0 },
      (e) => process.stdout.write(id + ' ' + e.event + ' ' + e.path + '\\n'));
    await arm('locked', ${JSON.stringify(locked)});
    await arm('open', ${JSON.stringify(open)});
    process.stdout.write('armed\\n');
  `;
  const child = spawn(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  await waitFor(
    () => out.stdout,
    (s) => s.includes('armed'),
    { withinMs: 10_000, what: 'armed' },
  );
  assert.match(out.stderr, /EACCES/);
  await writeFile(join(open, 'f'), '');
  await waitFor(
    () => out.stdout,
    (s) => s.includes(`open create ${join(open, 'f')}`),
    { withinMs: 5000, what: 'the other target works' },
  );
  await chmod(locked, 0o755);
  await waitFor(
    () => out.stderr,
    (s) => s.includes('watch armed after retrying'),
    { withinMs: 5000, what: 'retry' },
  );
  const failures = out.stderr.split('\n').filter((l) => l.includes('EACCES'));
  assert.equal(failures.length, 1, `logged once: ${out.stderr}`);
  await writeFile(join(locked, 'g'), '');
  await waitFor(
    () => out.stdout,
    (s) => s.includes(`locked create ${join(locked, 'g')}`),
    { withinMs: 5000, what: 'events after the retry' },
  );
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

test('inotify: unmounting the watched path is a revoke; the folder below is watched then', async (t) => {
  const dir = await tempDir(t);
  const mnt = join(dir, 'mnt');
  await mkdir(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', 'none', mnt], { stdio: 'ignore' });
  } catch {
    t.skip('cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)');
    return;
  }
  t.after(() => {
    try {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    } catch {
      // already unmounted by the test
    }
  });
  const { backend } = makeLogged();
  t.after(() => backend.close());
  const rec = await record(backend, target({ kind: 'exact', path: mnt }));
  execFileSync('umount', [mnt]);
  await rec.until(is('revoke', mnt), 'revoke');
  assert.equal(rec.events.filter((e) => e.event === 'revoke').length, 1);
  await writeFile(join(mnt, 'under'), '');
  await rec.until(is('create', join(mnt, 'under')), 'the folder below the mount is watched');
});

test('inotify: a folder moved out releases its watches; one moved in is watched', async (t) => {
  const dir = await tempDir(t);
  const inside = join(dir, 'in');
  await mkdir(join(inside, 'tree', 'a', 'b'), { recursive: true });
  await mkdir(join(dir, 'pack', 'c'), { recursive: true });
  const { backend } = makeLogged();
  t.after(() => backend.close());
  const baseline = inotifyWatchCount();
  const rec = await record(backend, target(recursiveSpec(inside)));
  assert.equal(inotifyWatchCount(), baseline + 4);
  await rename(join(inside, 'tree'), join(dir, 'tree'));
  await rec.until(is('delete', join(inside, 'tree')), 'move out');
  await waitFor(inotifyWatchCount, (n) => n === baseline + 1, { withinMs: 5000, what: 'watches released' });
  await rename(join(dir, 'pack'), join(inside, 'pack'));
  await rec.until(is('create', join(inside, 'pack', 'c')), 'move in');
  assert.equal(inotifyWatchCount(), baseline + 3);
  await writeFile(join(dir, 'tree', 'a', 'outside'), ''); // no longer watched: no event
  await writeFile(join(inside, 'pack', 'c', 'marker'), '');
  await rec.until(is('create', join(inside, 'pack', 'c', 'marker')), 'marker');
  assert.ok(!rec.events.some((e) => e.path.includes('outside')), rec.lines().join('\n'));
});

test('inotify: idle means no timers: a held move half leaves none behind', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'in'));
  await writeFile(join(dir, 'in', 'f'), '');
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const { backend } = makeLogged();
  t.after(() => backend.close());
  const rec = await record(backend, target(recursiveSpec(join(dir, 'in'))));
  assert.equal(timers(), before, 'armed: no timer');
  await rename(join(dir, 'in', 'f'), join(dir, 'out')); // a MOVED_FROM that ends its read
  await rec.until(is('delete', join(dir, 'in', 'f')), 'delete on a move out');
  await waitFor(timers, (n) => n === before, { withinMs: 2000, what: 'no timer left' });
});
