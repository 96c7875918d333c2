// The back-end pool with the real back-ends and kernel: which one serves a path, the fall-back when
// fanotify's mark is refused, and the retry with back-off of a path no back-end could arm.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMemoryLogger } from '../../src/log/logger.js';
import { BackendPool } from '../../src/daemon/backend-pool.js';
import { watchTargetFor } from '../../src/daemon/live-entries.js';
import type { PoolWatch } from '../../src/daemon/pool-watch.js';
import type { WatchEvent } from '../../src/watch/backend.js';
import { recursiveSpec } from '../../src/watch/match.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import { FANOTIFY_CAN } from '../../src/watch/fanotify/backend.js';
import { INOTIFY_CAN } from '../../src/watch/inotify/backend.js';
import { POLL_CAN } from '../../src/watch/poll/backend.js';
import type { BackendChoice, Entry, PathSpec } from '../../src/watchtab/entry.js';
import { makeEntry } from '../run/entry-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';

const isRoot = process.getuid?.() === 0;
const fanotify = probeFanotify();

function poolFor(t: TestContext, defaultChoice: BackendChoice = 'auto') {
  const logger = createMemoryLogger('debug');
  const pool = new BackendPool({ logger, defaultChoice, defaultPollIntervalMs: 100 });
  t.after(() => pool.close());
  return { logger, pool };
}

/** A watch of the entry's first path from the pool, armed, its events recorded. */
async function armed(pool: BackendPool, entry: Entry, spec: PathSpec = entry.paths[0] as PathSpec) {
  const events: WatchEvent[] = [];
  let armedLater = 0;
  const watch: PoolWatch = pool.watch(entry, spec, watchTargetFor(entry, spec, 100));
  await watch.arm(
    (e) => events.push(e),
    () => armedLater++,
  );
  return { watch, events, armedLater: () => armedLater };
}

const entryFor = (path: PathSpec, more: Partial<Entry> = {}): Entry =>
  makeEntry({ command: 'true', dir: '/', paths: [path], events: ['create'], ...more });

test('choice: an entry naming poll is polled, logged at info with the interval', async (t) => {
  const dir = await tempDir(t);
  const { logger, pool } = poolFor(t);
  const w = await armed(
    pool,
    entryFor({ kind: 'exact', path: dir }, { backend: 'poll', pollIntervalMs: 100 }),
  );
  assert.equal(w.watch.backendName, 'poll');
  assert.equal(w.watch.can, POLL_CAN);
  assert.notEqual(w.watch.armed, null);
  const chosen = logger.records.filter((r) => r.message === 'back-end chosen');
  assert.deepEqual(
    chosen.map((r) => [r.level, r.fields['backend'], r.fields['everySeconds']]),
    [['info', 'poll', 0.1]],
  );
  await writeFile(join(dir, 'f'), '');
  await waitFor(
    () => w.events,
    (e) => e.some((x) => x.event === 'create' && x.path === join(dir, 'f')),
    { withinMs: 5000, what: 'the polled create' },
  );
  assert.deepEqual(pool.names(), ['poll']);
});

test('choice: auto watches one local folder with inotify, logged at debug', async (t) => {
  const dir = await tempDir(t);
  const { logger, pool } = poolFor(t);
  const w = await armed(pool, entryFor({ kind: 'exact', path: dir }));
  assert.equal(w.watch.backendName, 'inotify');
  assert.equal(w.watch.can, INOTIFY_CAN);
  const chosen = logger.records.find((r) => r.message === 'back-end chosen');
  assert.equal(chosen?.level, 'debug');
  assert.match(String(chosen?.fields['reason']), /a local file system: inotify/);
  assert.equal(chosen?.fields['everySeconds'], undefined);
});

test('choice: auto gives a recursive entry fanotify, which reports the pid', async (t) => {
  if (!fanotify.ok) return t.skip(`fanotify unavailable here: ${fanotify.reason}`);
  const dir = await tempDir(t);
  const { pool } = poolFor(t);
  const w = await armed(pool, entryFor(recursiveSpec(dir)));
  assert.equal(w.watch.backendName, 'fanotify');
  assert.equal(w.watch.can, FANOTIFY_CAN);
  assert.equal(w.watch.can?.reportsPid, true);
  await writeFile(join(dir, 'f'), '');
  const seen = await waitFor(
    () => w.events.find((e) => e.path === join(dir, 'f')),
    (e) => e !== undefined,
    { withinMs: 5000, what: 'the create, with its pid' },
  );
  assert.equal(seen?.pid, process.pid);
});

test('fall-back: auto on a file system fanotify refuses (sysfs) arms inotify, saying why', async (t) => {
  if (!fanotify.ok) return t.skip(`fanotify unavailable here: ${fanotify.reason}`);
  const { logger, pool } = poolFor(t);
  // Two levels below /sys/kernel/mm: recursive, so auto asks for fanotify; sysfs has no file handles.
  const w = await armed(pool, entryFor(recursiveSpec('/sys/kernel/mm')));
  assert.equal(w.watch.backendName, 'inotify');
  assert.equal(w.watch.can, INOTIFY_CAN);
  assert.notEqual(w.watch.armed, null);
  const chosen = logger.records.filter((r) => r.message === 'back-end chosen');
  assert.deepEqual(
    chosen.map((r) => [r.level, r.fields['backend']]),
    [
      ['info', 'fanotify'],
      ['info', 'inotify'],
    ],
  );
  assert.match(String(chosen[1]?.fields['reason']), /fanotify could not watch this entry \(.*ENOTSUP/);
  assert.ok(
    !logger.records.some((r) => r.level === 'warn' || r.level === 'error'),
    JSON.stringify(logger.records),
  );
});

test('retry: fanotify named for a path it cannot mark is retried with back-off, logged once, and arms when it can', async (t) => {
  if (!fanotify.ok) return t.skip(`fanotify unavailable here: ${fanotify.reason}`);
  const dir = await tempDir(t);
  const mount = join(dir, 'm');
  await mkdir(mount);
  // A sysfs folder bound into the temp dir: refused now, a plain folder once it is unmounted.
  execFileSync('mount', ['--bind', '/sys/kernel/mm', mount]);
  let isMounted = true;
  try {
    const { logger, pool } = poolFor(t);
    const path = join(mount, 'ksm');
    const w = await armed(pool, entryFor({ kind: 'exact', path }, { backend: 'fanotify' }));
    assert.equal(w.watch.backendName, 'fanotify', 'no fall-back for a back-end named by the entry');
    assert.equal(w.watch.armed, null);
    // Shown as the folder whose file system was refused (the mark's), for as long as it is retried.
    assert.deepEqual(
      w.watch.leftOut().map((l) => [l.path.startsWith(mount), l.errno]),
      [[true, 'ENOTSUP']],
    );
    const warns = () => logger.records.filter((r) => r.level === 'warn');
    assert.equal(warns().length, 1, JSON.stringify(logger.records));
    assert.match(warns()[0]?.message ?? '', /ENOTSUP.*retrying in 1 s \(doubling up to 5 min\)/);
    assert.equal(warns()[0]?.fields['entry'], 'test-entry');

    execFileSync('umount', [mount]);
    isMounted = false;
    await waitFor(
      () => logger.records,
      (r) => r.some((x) => x.message === 'watch armed after retrying'),
      { withinMs: 10_000, what: 'the retry' },
    );
    assert.notEqual(w.watch.armed, null);
    assert.equal(w.armedLater(), 1, 'the retry told the owner (catch-up) it is armed now');
    assert.deepEqual(w.watch.leftOut(), []);
    assert.equal(warns().length, 1, 'the failure was logged once');
    await mkdir(path);
    await waitFor(
      () => w.events,
      (e) => e.some((x) => x.event === 'create' && x.path === path),
      { withinMs: 5000, what: 'an event after the retry' },
    );
  } finally {
    if (isMounted) execFileSync('umount', ['-l', mount]);
  }
});

test('retry: a watch disarmed while it waits is never armed again', async (t) => {
  if (!fanotify.ok) return t.skip(`fanotify unavailable here: ${fanotify.reason}`);
  const { logger, pool } = poolFor(t);
  const w = await armed(pool, entryFor({ kind: 'exact', path: '/sys/kernel/mm' }, { backend: 'fanotify' }));
  assert.equal(w.watch.armed, null);
  assert.equal(w.watch.leftOut()[0]?.errno, 'ENOTSUP');
  await w.watch.disarm();
  assert.deepEqual(w.watch.leftOut(), [], 'no retry pending');
  // A later marker: a second watch of the same path fails and is logged as its own first failure.
  const again = await armed(
    pool,
    entryFor({ kind: 'exact', path: '/sys/kernel/mm' }, { backend: 'fanotify' }),
  );
  assert.equal(again.watch.armed, null);
  assert.equal(logger.records.filter((r) => /retrying in/.test(r.message)).length, 2);
  assert.ok(!logger.records.some((r) => r.message === 'watch armed after retrying'));
});

test('refusal: fanotify named for a daemon without CAP_SYS_ADMIN is not armed, said once with the reason', (t) => {
  if (!isRoot) return t.skip('needs root to run the pool as nobody');
  const script = `
    import { BackendPool } from ${JSON.stringify(dist('daemon/backend-pool.js'))};
    import { createMemoryLogger } from ${JSON.stringify(dist('log/logger.js'))};
    const logger = createMemoryLogger('info');
    const pool = new BackendPool({ logger, defaultChoice: 'fanotify', defaultPollIntervalMs: 100 });
    const entry = { name: 'e', backend: null, ignoreOwnChanges: false, pollIntervalMs: null };
    const spec = { kind: 'exact', path: '/tmp' };
    const target = { id: 'e', path: spec, exclude: [], events: ['create'], contentOnly: false, pollIntervalMs: 100 };
    const w = pool.watch(entry, spec, target);
    await w.arm(() => {}, () => {});
    console.log(JSON.stringify({ name: w.backendName, armed: w.armed !== null, records: logger.records }));
    await pool.close();
  `;
  const child = spawnSync(
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
    { encoding: 'utf8', timeout: 20_000, cwd: '/' },
  );
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout) as {
    name: string | null;
    armed: boolean;
    records: { level: string; message: string; fields: Record<string, unknown> }[];
  };
  assert.equal(out.armed, false);
  const said = out.records.filter((r) => r.level === 'error' || r.level === 'warn');
  assert.equal(said.length, 1, JSON.stringify(out.records));
  if (out.name === null) {
    // An older kernel refuses the group itself to a user: for good, so not retried.
    assert.equal(said[0]?.message, 'entry could not be armed');
    assert.match(String(said[0]?.fields['reason']), /fanotify cannot be used here: /);
  } else {
    // Newer kernels open the group for a user and refuse the file-system mark: retried like any arm.
    assert.equal(out.name, 'fanotify');
    assert.match(said[0]?.message ?? '', /EPERM.*retrying in 1 s/);
  }
});

test('fall-back: without ffi-rs, chokidar stands in for inotify and serves the watchtab files', async (t) => {
  const dir = await tempDir(t);
  const register = pathToFileURL(join(FIXTURES, 'no-ffi', 'register.mjs')).href;
  const script = `
    import { BackendPool } from ${JSON.stringify(dist('daemon/backend-pool.js'))};
    import { createMemoryLogger } from ${JSON.stringify(dist('log/logger.js'))};
    const logger = createMemoryLogger('info');
    const pool = new BackendPool({ logger, defaultChoice: 'auto', defaultPollIntervalMs: 100 });
    const entry = { name: 'e', backend: null, ignoreOwnChanges: false, pollIntervalMs: null };
    const spec = { kind: 'exact', path: ${JSON.stringify(dir)} };
    const target = { id: 'e', path: spec, exclude: [], events: ['create'], contentOnly: false, pollIntervalMs: 100 };
    const w = pool.watch(entry, spec, target);
    await w.arm(() => {}, () => {});
    const watchtab = pool.watchtabBackend().name;
    console.log(JSON.stringify({ name: w.backendName, armed: w.armed !== null, watchtab, can: w.can, records: logger.records }));
    await pool.close();
  `;
  const child = spawnSync(process.execPath, [`--import=${register}`, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout) as {
    name: string;
    armed: boolean;
    watchtab: string;
    can: { pairsRenames: boolean };
    records: { level: string; message: string; fields: Record<string, unknown> }[];
  };
  assert.deepEqual([out.name, out.armed, out.watchtab], ['chokidar', true, 'chokidar']);
  assert.equal(out.can.pairsRenames, false);
  const chosen = out.records.find((r) => r.message === 'back-end chosen');
  assert.equal(chosen?.level, 'warn');
  assert.match(String(chosen?.fields['reason']), /ffi-rs cannot be loaded on this system/);
});

function dist(path: string): string {
  return pathToFileURL(join(REPO_ROOT, 'dist/src', path)).href;
}
