// The fanotify kernel edge against the real kernel: one file-system mark, resolved paths, renames
// with both names, folders, deep new trees, filtering, overflow, errors, pids, exit on close.
// Needs CAP_SYS_ADMIN: without it every test is skipped, saying why.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { appendFile, chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SystemCallError } from '../../src/errors.js';
import {
  openFanotify,
  probeFanotify,
  type FanotifyEvent,
  type FanotifyInstance,
  type FanotifyOptions,
} from '../../src/watch/fanotify/instance.js';
import { FAN, fanMaskNames } from '../../src/watch/fanotify/mask.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { REPO_ROOT } from '../helpers/paths.js';

const probe = probeFanotify();
const skip = probe.ok ? false : `fanotify unavailable here: ${probe.reason}`;

type Change = Extract<FanotifyEvent, { kind: 'change' }>;

function collect(t: TestContext, root: string, options: FanotifyOptions = {}) {
  const fa = openFanotify(options);
  t.after(() => fa.close());
  const events: FanotifyEvent[] = [];
  fa.onEvents((batch) => events.push(...batch));
  fa.markFilesystem(root);
  return { fa, events };
}

const changes = (events: readonly FanotifyEvent[]) => events.filter((e): e is Change => e.kind === 'change');
/** Every bit the kernel reported for `path` (merged events lose their order, not their bits). */
const bitsOf = (events: readonly FanotifyEvent[], path: string) =>
  changes(events)
    .filter((e) => e.path === path)
    .reduce((m, e) => m | e.mask, 0);
const has = (events: readonly FanotifyEvent[], path: string, bits: number) =>
  (bitsOf(events, path) & bits) === bits;

/** A write to a marker file: once its event is in, everything done before it has been read. */
async function marker(dir: string, events: readonly FanotifyEvent[], name = 'marker'): Promise<void> {
  await writeFile(join(dir, name), 'm');
  await waitFor(
    () => events,
    (e) => has(e, join(dir, name), FAN.CLOSE_WRITE),
    { withinMs: 5000, what: `${name} close_write` },
  );
}

test(
  'create, modify, close_write, attrib and delete of a file, with resolved paths and our pid',
  { skip },
  async (t) => {
    const dir = await tempDir(t);
    const { fa, events } = collect(t, dir);
    const file = join(dir, 'a.txt');
    await writeFile(file, 'x');
    await appendFile(file, 'y');
    await chmod(file, 0o600);
    await rm(file);
    await waitFor(
      () => events,
      (e) => has(e, file, FAN.DELETE),
      { withinMs: 5000, what: 'delete' },
    );
    assert.ok(
      has(events, file, FAN.CREATE | FAN.MODIFY | FAN.CLOSE_WRITE | FAN.ATTRIB | FAN.DELETE),
      fanMaskNames(bitsOf(events, file)),
    );
    const mine = changes(events).filter((e) => e.path === file);
    assert.ok(mine.every((e) => e.pid === process.pid && !e.isDir));
    assert.ok(
      changes(events).every((e) => e.path === dir || e.path.startsWith(`${dir}/`)),
      'nothing outside the root',
    );
    assert.equal(fa.markCount(), 1);
  },
);

test('a rename is one event with both paths; folders are flagged', { skip }, async (t) => {
  const dir = await tempDir(t);
  const { fa, events } = collect(t, dir);
  assert.equal(fa.renameMode, 'rename', 'this kernel has FAN_RENAME');
  await writeFile(join(dir, 'old'), '1');
  await mkdir(join(dir, 'sub'));
  await rename(join(dir, 'old'), join(dir, 'sub', 'new'));
  await mkdir(join(dir, 'd1'));
  await rename(join(dir, 'd1'), join(dir, 'd2'));
  await chmod(join(dir, 'd2'), 0o700);
  await writeFile(join(dir, 'd2', 'inside'), 'z');
  await rm(join(dir, 'd2'), { recursive: true });
  await waitFor(
    () => events,
    (e) => has(e, join(dir, 'd2'), FAN.DELETE),
    { withinMs: 5000, what: 'rmdir' },
  );
  const renames = changes(events).filter((e) => (e.mask & FAN.RENAME) !== 0);
  assert.deepEqual(
    renames.map((e) => [e.oldPath, e.path, e.isDir]),
    [
      [join(dir, 'old'), join(dir, 'sub', 'new'), false],
      [join(dir, 'd1'), join(dir, 'd2'), true],
    ],
  );
  assert.ok(has(events, join(dir, 'sub'), FAN.CREATE | FAN.ONDIR));
  assert.ok(has(events, join(dir, 'd2'), FAN.ATTRIB | FAN.ONDIR), 'attrib on the folder itself');
  assert.ok(
    has(events, join(dir, 'd2', 'inside'), FAN.CREATE | FAN.CLOSE_WRITE),
    'the renamed folder resolves to its new name',
  );
});

test('moves mode (kernels without FAN_RENAME): MOVED_FROM and MOVED_TO are paired', { skip }, async (t) => {
  const dir = await tempDir(t);
  const { fa, events } = collect(t, dir, { renameMode: 'moves' });
  assert.equal(fa.renameMode, 'moves');
  await writeFile(join(dir, 'a'), '1');
  await rename(join(dir, 'a'), join(dir, 'b'));
  await waitFor(
    () => events,
    (e) => changes(e).some((x) => x.oldPath === join(dir, 'a') && x.path === join(dir, 'b')),
    { withinMs: 5000, what: 'paired rename' },
  );
});

test('a deep new tree is reported whole, with one mark and no per-folder work', { skip }, async (t) => {
  const dir = await tempDir(t);
  const { fa, events } = collect(t, dir);
  const deep = join(dir, ...Array.from({ length: 30 }, (_, i) => `level${i}`));
  // Made synchronously, so the whole tree exists before the instance reads a single event.
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'leaf.txt'), 'leaf');
  for (let i = 0; i < 50; i++) mkdirSync(join(dir, 'wide', `d${i}`), { recursive: true });
  writeFileSync(join(dir, 'wide', 'd49', 'f'), '');
  await waitFor(
    () => events,
    (e) =>
      has(e, join(deep, 'leaf.txt'), FAN.CLOSE_WRITE) && has(e, join(dir, 'wide', 'd49', 'f'), FAN.CREATE),
    { withinMs: 5000, what: 'the leaves' },
  );
  assert.ok(has(events, deep, FAN.CREATE | FAN.ONDIR));
  assert.equal(fa.markCount(), 1);
  // Folders made while watched are known from their creation, never asked of the kernel: the
  // only misses are the root, and folders elsewhere on the file system (events then dropped).
  const stats = fa.stats();
  assert.ok(stats.cacheMisses <= 2 + stats.outside + stats.lost, JSON.stringify(stats));
});

test('what happens in a folder removed before the read is still reported', { skip }, async (t) => {
  const dir = await tempDir(t);
  const { events } = collect(t, dir);
  const gone = join(dir, 'gone');
  mkdirSync(gone);
  writeFileSync(join(gone, 'f'), 'x');
  rmSync(gone, { recursive: true });
  await waitFor(
    () => events,
    (e) => has(e, gone, FAN.DELETE | FAN.ONDIR),
    { withinMs: 5000, what: 'rmdir' },
  );
  assert.ok(
    has(events, join(gone, 'f'), FAN.CREATE | FAN.DELETE),
    fanMaskNames(bitsOf(events, join(gone, 'f'))),
  );
});

test(
  'events outside the roots are dropped on whole components (/x/lib_x is not in /x/lib)',
  { skip },
  async (t) => {
    const dir = await tempDir(t);
    const lib = join(dir, 'lib');
    const sibling = join(dir, 'lib_x');
    await mkdir(lib);
    await mkdir(sibling);
    const { fa, events } = collect(t, lib);
    await writeFile(join(sibling, 'no'), 'x');
    await writeFile(join(dir, 'no-either'), 'x');
    await marker(lib, events);
    assert.deepEqual(
      changes(events).filter((e) => !e.path.startsWith(`${lib}/`)),
      [],
    );
    assert.ok(fa.stats().outside >= 2);
    // A second root on the same file system shares the mark; unmarking one keeps the other.
    fa.markFilesystem(sibling);
    assert.equal(fa.markCount(), 1);
    fa.unmark(lib);
    await writeFile(join(lib, 'after-unmark'), 'x');
    await marker(sibling, events);
    assert.equal(bitsOf(events, join(lib, 'after-unmark')), 0);
    fa.unmark(sibling);
    assert.equal(fa.markCount(), 0);
  },
);

test('removing the root is reported by its parent', { skip }, async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const { fa, events } = collect(t, root);
  await rm(root, { recursive: true });
  await waitFor(
    () => events,
    (e) => has(e, root, FAN.DELETE | FAN.ONDIR),
    { withinMs: 5000, what: 'the root deleted' },
  );
  fa.unmark(root); // through the root's fd: the path no longer exists
});

test('a change made by another process carries its pid', { skip }, async (t) => {
  const dir = await tempDir(t);
  const { events } = collect(t, dir);
  const result = spawnSync('/bin/sh', ['-c', `echo $$; echo x > "${join(dir, 'child')}"`], {
    encoding: 'utf8',
  });
  const pid = Number(result.stdout.trim());
  await waitFor(
    () => events,
    (e) => has(e, join(dir, 'child'), FAN.CLOSE_WRITE),
    { withinMs: 5000, what: 'child write' },
  );
  assert.ok(
    changes(events)
      .filter((e) => e.path === join(dir, 'child'))
      .every((e) => e.pid === pid),
  );
});

test('tmpfs has file handles on this kernel: a root there works', { skip }, async (t) => {
  const dir = join('/dev/shm', `watchtab-fanotify-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { events } = collect(t, dir);
  await writeFile(join(dir, 'a'), 'x');
  await rename(join(dir, 'a'), join(dir, 'b'));
  await waitFor(
    () => events,
    (e) => changes(e).some((x) => x.path === join(dir, 'b') && x.oldPath === join(dir, 'a')),
    { withinMs: 5000, what: 'rename on tmpfs' },
  );
});

test('errors carry the errno name, the path and a hint; /proc has no file handles', { skip }, async (t) => {
  const dir = await tempDir(t);
  const fa = openFanotify();
  t.after(() => fa.close());
  const missing = join(dir, 'missing');
  assert.throws(
    () => fa.markFilesystem(missing),
    (e: unknown) =>
      e instanceof SystemCallError &&
      e.errno === 'ENOENT' &&
      e.path === missing &&
      e.message.includes(missing),
  );
  writeFileSync(join(dir, 'file'), '');
  assert.throws(
    () => fa.markFilesystem(join(dir, 'file')),
    (e: unknown) => e instanceof SystemCallError && e.errno === 'ENOTDIR',
  );
  assert.throws(
    () => fa.markFilesystem('/proc'),
    (e: unknown) =>
      // The cause only: whether inotify serves instead is the pool's to say (auto falls back, a named fanotify is retried).
      e instanceof SystemCallError &&
      e.call === 'fanotify_mark' &&
      /does not support file-system marks|has no file handles/.test(e.message) &&
      !/falls? back/.test(e.message),
  );
  const refused = probeFanotify('/proc');
  assert.ok(!refused.ok && /ENOTSUP|EOPNOTSUPP|ENODEV/.test(refused.reason), JSON.stringify(refused));
  assert.equal(fa.markCount(), 0);
});

test('without CAP_SYS_ADMIN the probe says why', { skip }, () => {
  const module = pathToFileURL(join(REPO_ROOT, 'dist/src/watch/fanotify/instance.js')).href;
  const script = `import { probeFanotify } from ${JSON.stringify(module)}; console.log(JSON.stringify(probeFanotify()));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    uid: 65534,
    gid: 65534,
    encoding: 'utf8',
  });
  if (result.error !== undefined || result.status !== 0) {
    assert.fail(`the unprivileged child failed: ${result.error?.message ?? result.stderr}`);
  }
  const answer = JSON.parse(result.stdout) as { ok: boolean; reason?: string };
  assert.equal(answer.ok, false);
  assert.match(answer.reason ?? '', /CAP_SYS_ADMIN.*EPERM/);
  assert.doesNotMatch(answer.reason ?? '', /falls? back/);
});

test('an overflowing queue is reported as overflow, not as silence', { skip }, async (t) => {
  const dir = await tempDir(t);
  const { events } = collect(t, dir);
  const target = join(dir, 'f');
  writeFileSync(target, '');
  // More events than the queue holds (fs.fanotify.max_queued_events, 16384 by default), made
  // synchronously so the main thread reads none of them meanwhile.
  const count = 12_000;
  for (let i = 0; i < count; i++) symlinkSync(target, join(dir, `l${i}`));
  for (let i = 0; i < count; i++) unlinkSync(join(dir, `l${i}`));
  await waitFor(
    () => events,
    (e) => e.some((x) => x.kind === 'overflow'),
    { withinMs: 20_000, what: 'FAN_Q_OVERFLOW' },
  );
});

test('the process exits within 1 s of close()', { skip }, async (t) => {
  const dir = await tempDir(t);
  const module = pathToFileURL(join(REPO_ROOT, 'dist/src/watch/fanotify/instance.js')).href;
  const script = `
    import { openFanotify } from ${JSON.stringify(module)};
    const fa = openFanotify();
    fa.markFilesystem(${JSON.stringify(dir)});
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the poll thread start
    process.stdout.write('closing ' + Date.now() + '\\n');
    await fa.close();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exitedAt = await Promise.race([
    new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now()))),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000).unref()),
  ]);
  assert.notEqual(exitedAt, null, 'the child did not exit within 10 s');
  const closingAt = Number(/closing (\d+)/.exec(out)?.[1]);
  const delayMs = (exitedAt ?? 0) - closingAt;
  t.diagnostic(`exited ${delayMs} ms after close()`);
  assert.ok(delayMs < 1000, `exited ${delayMs} ms after close()`);
  assert.equal(child.exitCode, 0);
});

test('close() is idempotent, releases every fd, and refuses calls after it', { skip }, async (t) => {
  const dir = await tempDir(t);
  const fdsBefore = (await readdir('/proc/self/fd')).length;
  const fa: FanotifyInstance = openFanotify();
  fa.markFilesystem(dir);
  chmodSync(dir, 0o755);
  await Promise.all([fa.close(), fa.close()]);
  await fa.close();
  assert.equal(
    (await readdir('/proc/self/fd')).length,
    fdsBefore,
    'the group fd and the mount fd are closed',
  );
  assert.throws(() => fa.markFilesystem(dir), /closed fanotify instance/);
});
