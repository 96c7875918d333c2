// The inotify kernel edge against the real kernel: watches, raw events, errors, exit on close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { symlinkSync, unlinkSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SystemCallError } from '../../src/errors.js';
import { encodeFsBytes } from '../../src/system/path-bytes.js';
import { openInotify, readLimit, type InotifyInstance } from '../../src/watch/inotify/instance.js';
import type { RawInotifyEvent } from '../../src/watch/inotify/decode.js';
import { IN, IN_ALL_EVENTS, maskNames } from '../../src/watch/inotify/mask.js';
import { fsTypeInfo, fsTypeOf, isRemoteOrUserSpace } from '../../src/watch/fs-type.js';
import { tempDir } from '../helpers/temp.js';
import { createMemoryLogger } from '../../src/log/logger.js';
import { waitFor } from '../helpers/wait.js';
import { REPO_ROOT } from '../helpers/paths.js';

function collect(t: { after(fn: () => Promise<void>): void }): {
  ino: InotifyInstance;
  events: RawInotifyEvent[];
} {
  const ino = openInotify();
  t.after(() => ino.close());
  const events: RawInotifyEvent[] = [];
  ino.onEvents((batch) => events.push(...batch));
  return { ino, events };
}

const show = (events: readonly RawInotifyEvent[]) => events.map((e) => `${maskNames(e.mask)} ${e.name}`);

test('create, modify, move and delete in a watched folder give the kernel masks, names, cookies', async (t) => {
  const dir = await tempDir(t);
  const { ino, events } = collect(t);
  const wd = ino.addWatch(dir, IN_ALL_EVENTS);
  assert.ok(wd > 0);
  await writeFile(join(dir, 'a'), 'x');
  await rename(join(dir, 'a'), join(dir, 'b'));
  await mkdir(join(dir, 'sub'));
  await rm(join(dir, 'b'));
  await waitFor(
    () => events,
    (e) => e.some((x) => x.name === 'sub'),
    { withinMs: 5000, what: 'mkdir' },
  );
  const interesting = events.filter((e) => (e.mask & (IN.OPEN | IN.ACCESS | IN.CLOSE_NOWRITE)) === 0);
  assert.deepEqual(show(interesting), [
    'IN_CREATE a',
    'IN_MODIFY a',
    'IN_CLOSE_WRITE a',
    'IN_MOVED_FROM a',
    'IN_MOVED_TO b',
    'IN_CREATE|IN_ISDIR sub',
    ...show(interesting).slice(6),
  ]);
  await waitFor(
    () => events,
    (e) => e.some((x) => x.mask === IN.DELETE),
    { withinMs: 5000, what: 'delete' },
  );
  const from = events.find((e) => e.mask === IN.MOVED_FROM);
  const to = events.find((e) => e.mask === IN.MOVED_TO);
  assert.ok(from && to && from.cookie !== 0 && from.cookie === to.cookie, 'a rename is paired by cookie');
  assert.ok(events.every((e) => e.wd === wd));
});

test('with a trace logger, every raw event is logged at debug', async (t) => {
  const dir = await tempDir(t);
  const log = createMemoryLogger('debug');
  const ino = openInotify({ trace: log });
  t.after(() => ino.close());
  const wd = ino.addWatch(dir, IN.CREATE);
  await mkdir(join(dir, 'sub'));
  await waitFor(
    () => log.records,
    (r) => r.length > 0,
    { withinMs: 5000, what: 'a trace line' },
  );
  assert.deepEqual(log.records[0], {
    level: 'debug',
    message: 'inotify event',
    fields: { fd: ino.fd, wd, mask: 'IN_CREATE|IN_ISDIR', cookie: 0, name: 'sub' },
  });
});

test('removeWatch yields IN_IGNORED; removing it again is not an error', async (t) => {
  const dir = await tempDir(t);
  const { ino, events } = collect(t);
  const wd = ino.addWatch(dir, IN.CREATE);
  ino.removeWatch(wd);
  await waitFor(
    () => events,
    (e) => e.some((x) => x.wd === wd && x.mask === IN.IGNORED),
    {
      withinMs: 5000,
      what: 'IN_IGNORED',
    },
  );
  ino.removeWatch(wd);
});

test('deleting a watched folder reports IN_DELETE_SELF then IN_IGNORED', async (t) => {
  const dir = await tempDir(t);
  const sub = join(dir, 'sub');
  await mkdir(sub);
  const { ino, events } = collect(t);
  const wd = ino.addWatch(sub, IN_ALL_EVENTS);
  await rm(sub, { recursive: true });
  await waitFor(
    () => events,
    (e) => e.some((x) => x.mask === IN.IGNORED),
    { withinMs: 5000, what: 'IN_IGNORED' },
  );
  assert.deepEqual(show(events.filter((e) => e.wd === wd)).slice(-2), ['IN_DELETE_SELF ', 'IN_IGNORED ']);
  ino.removeWatch(wd); // already gone: EINVAL is not an error
});

test('ENOENT, ENOTDIR and ELOOP errors carry the errno name, the call and the path', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'file');
  await writeFile(file, '');
  const { ino } = collect(t);
  const missing = join(dir, 'missing');
  assert.throws(
    () => ino.addWatch(missing, IN.CREATE),
    (e: unknown) =>
      e instanceof SystemCallError &&
      e.code === 'ENOENT' &&
      e.errno === 'ENOENT' &&
      e.call === 'inotify_add_watch' &&
      e.path === missing &&
      e.message.includes(missing),
  );
  assert.throws(
    () => ino.addWatch(join(file, 'below'), IN.CREATE),
    (e: unknown) =>
      e instanceof SystemCallError && e.errno === 'ENOTDIR' && e.message.includes(join(file, 'below')),
  );
  assert.throws(
    () => ino.addWatch(file, IN.CREATE | IN.ONLYDIR),
    (e: unknown) => e instanceof SystemCallError && e.errno === 'ENOTDIR',
  );
  assert.throws(() => ino.addWatch('a\0b', IN.CREATE), SystemCallError);
  const loop = join(dir, 'loop');
  await symlink(loop, loop);
  assert.throws(
    () => ino.addWatch(loop, IN.CREATE),
    (e: unknown) => e instanceof SystemCallError && e.errno === 'ELOOP',
  );
});

test('a name that is not UTF-8 is escaped losslessly, and a Buffer path can be watched', async (t) => {
  const dir = await tempDir(t);
  const { ino, events } = collect(t);
  ino.addWatch(dir, IN.CREATE);
  const raw = Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x66, 0xff, 0x66])]);
  await mkdir(raw);
  await waitFor(
    () => events,
    (e) => e.length > 0,
    { withinMs: 5000, what: 'create' },
  );
  assert.equal(events[0]?.name, 'f\uDCFFf'); // the byte 0xff escaped, losslessly
  assert.deepEqual(encodeFsBytes(events[0]?.name ?? ''), Buffer.from([0x66, 0xff, 0x66]));
  assert.ok(ino.addWatch(raw, IN.CREATE) > 0);
});

test('a burst of 10,000 events is decoded whole, or the kernel says it overflowed', async (t) => {
  const dir = await tempDir(t);
  const { ino, events } = collect(t);
  ino.addWatch(dir, IN.CREATE | IN.DELETE);
  const target = join(dir, 'f');
  await writeFile(target, '');
  const count = 10_000;
  // 5,000 creates (as links) and 5,000 deletes, made synchronously so that all of them queue in
  // the kernel before the instance reads any: the reads come in full 64 KiB batches.
  for (let i = 0; i < count / 2; i++) symlinkSync(target, join(dir, `l${i}`));
  for (let i = 0; i < count / 2; i++) unlinkSync(join(dir, `l${i}`));
  const isDone = (e: RawInotifyEvent[]) =>
    e.some((x) => x.mask === IN.Q_OVERFLOW) || e.filter((x) => x.name.startsWith('l')).length >= count;
  await waitFor(() => events, isDone, { withinMs: 20_000, what: `${count} events` });
  if (!events.some((x) => x.mask === IN.Q_OVERFLOW)) {
    const names = events.filter((x) => x.name.startsWith('l'));
    assert.equal(names.length, count);
    assert.equal(names[0]?.name, 'l0');
    assert.equal(names[count - 1]?.name, `l${count / 2 - 1}`);
    assert.equal(names.filter((x) => x.mask === IN.CREATE).length, count / 2);
  } else {
    t.diagnostic(`overflow seen (fs.inotify.max_queued_events = ${readLimit('max_queued_events')})`);
  }
});

test('the process exits within 1 s of close()', async (t) => {
  const dir = await tempDir(t);
  const module = pathToFileURL(join(REPO_ROOT, 'dist/src/watch/inotify/instance.js')).href;
  const script = `
    import { openInotify } from ${JSON.stringify(module)};
    const ino = openInotify();
    ino.addWatch(${JSON.stringify(dir)}, 0xfff);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the poll thread start
    process.stdout.write('closing ' + Date.now() + '\\n');
    await ino.close();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now())));
  const exitedAt = await Promise.race([
    exited,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000).unref()),
  ]);
  assert.notEqual(exitedAt, null, 'the child did not exit within 10 s');
  const closingAt = Number(/closing (\d+)/.exec(out)?.[1]);
  assert.ok(Number.isFinite(closingAt), `no closing line in ${JSON.stringify(out)}`);
  const delayMs = (exitedAt ?? 0) - closingAt;
  t.diagnostic(`exited ${delayMs} ms after close()`);
  assert.ok(delayMs < 1000, `exited ${delayMs} ms after close()`);
  assert.equal(child.exitCode, 0);
});

test('process.exit() with an instance still open does not hang', async (t) => {
  const module = pathToFileURL(join(REPO_ROOT, 'dist/src/watch/inotify/instance.js')).href;
  const script = `
    import { openInotify } from ${JSON.stringify(module)};
    openInotify(); openInotify();
    setTimeout(() => process.exit(3), 50);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  t.after(() => child.kill('SIGKILL'));
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))),
    new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 5_000).unref()),
  ]);
  assert.equal(code, 3);
});

test('close() is idempotent and calls after it are refused', async () => {
  const ino = openInotify();
  await Promise.all([ino.close(), ino.close()]);
  await ino.close();
  assert.throws(() => ino.addWatch('/', IN.CREATE), /closed inotify instance/);
});

test('statfs gives a known file-system magic for / and /tmp', () => {
  for (const path of ['/', '/tmp', '/proc']) {
    const info = fsTypeOf(path);
    assert.doesNotMatch(info.name, /unknown/, `${path}: ${info.name}`);
  }
  assert.equal(fsTypeOf('/proc').name, 'proc');
  assert.deepEqual(fsTypeInfo(0x01021994), { magic: 0x01021994, name: 'tmpfs', kind: 'local' });
  assert.equal(isRemoteOrUserSpace(0x6969), true); // NFS
  assert.equal(isRemoteOrUserSpace(0xff534d42), true); // CIFS
  assert.equal(isRemoteOrUserSpace(0x65735546), true); // FUSE
  assert.equal(isRemoteOrUserSpace(0xef53), false); // ext4
  assert.throws(
    () => fsTypeOf('/does/not/exist'),
    (e: unknown) => e instanceof SystemCallError && e.errno === 'ENOENT',
  );
});

test('many open instances share one poll thread: fs calls still run, and all fds are released', async (t) => {
  const dir = await tempDir(t);
  const fdsBefore = (await readdir('/proc/self/fd')).length;
  const instances = Array.from({ length: 8 }, () => openInotify());
  const seen = instances.map(() => [] as RawInotifyEvent[]);
  instances.forEach((ino, i) => {
    ino.onEvents((batch) => seen[i]!.push(...batch));
    ino.addWatch(dir, IN.CREATE);
  });
  // With a poll per instance, 8 pending polls would hold libuv's 4 pool threads and this would hang.
  await writeFile(join(dir, 'x'), 'x');
  await readFile(join(dir, 'x'));
  await waitFor(
    () => seen,
    (s) => s.every((events) => events.some((e) => e.name === 'x')),
    {
      withinMs: 5000,
      what: 'every instance sees the create',
    },
  );
  await Promise.all(instances.slice(0, 4).map((ino) => ino.close()));
  await writeFile(join(dir, 'y'), 'y');
  await waitFor(
    () => seen,
    (s) => s.slice(4).every((events) => events.some((e) => e.name === 'y')),
    {
      withinMs: 5000,
      what: 'the instances left open see the next create',
    },
  );
  assert.ok(seen.slice(0, 4).every((events) => !events.some((e) => e.name === 'y')));
  await Promise.all(instances.map((ino) => ino.close()));
  assert.equal(
    (await readdir('/proc/self/fd')).length,
    fdsBefore,
    'every inotify fd and the eventfd are closed',
  );
});

// Runs a script in a child node process (ESM, importing the built instance module as `m`).
function runChild(
  script: string,
  options: { uid?: number; gid?: number; prefix?: string[] } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const module = pathToFileURL(join(REPO_ROOT, 'dist/src/watch/inotify/instance.js')).href;
  const body = `import * as m from ${JSON.stringify(module)};\n${script}`;
  const argv = [process.execPath, '--input-type=module', '-e', body];
  const [command, ...args] = [...(options.prefix ?? []), ...argv];
  const spawnOptions = {
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  };
  const child = spawn(command!, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const isRoot = process.getuid?.() === 0;

test(
  'EACCES names the path and says who cannot read it',
  { skip: !isRoot && 'needs root to run a child as nobody' },
  async (t) => {
    const dir = await tempDir(t);
    const secret = join(dir, 'secret');
    await mkdir(secret, { mode: 0o700 });
    await chmod(dir, 0o755);
    const result = await runChild(
      `const i = m.openInotify();
     try { i.addWatch(${JSON.stringify(secret)}, 0x100); } catch (e) { console.log(JSON.stringify({ errno: e.errno, path: e.path, message: e.message })); }
     await i.close();`,
      { uid: 65534 },
    );
    assert.equal(result.code, 0, result.stderr);
    const error = JSON.parse(result.stdout) as { errno: string; path: string; message: string };
    assert.equal(error.errno, 'EACCES');
    assert.equal(error.path, secret);
    assert.match(error.message, /permission denied/);
  },
);

test('ENOSPC names the watch limit in force, in a user namespace with its own low limit', async (t) => {
  const dir = await tempDir(t);
  const subs = ['a', 'b', 'c', 'd'].map((s) => join(dir, s));
  for (const sub of subs) await mkdir(sub);
  // user.max_inotify_watches is per user namespace: lowering it there leaves the host alone.
  const script = `const i = m.openInotify();
     for (const p of ${JSON.stringify(subs)}) {
       try { i.addWatch(p, 0x100); } catch (e) { console.log(JSON.stringify({ errno: e.errno, path: e.path, message: e.message })); }
     }
     await i.close();`;
  const probe = await runChild('', { prefix: ['unshare', '-U', '-r'] }).catch(() => null);
  if (probe?.code !== 0) {
    t.skip('cannot create a user namespace here (unshare -U -r)');
    return;
  }
  const result = await runChild(script, {
    prefix: [
      'unshare',
      '-U',
      '-r',
      'sh',
      '-c',
      'echo 2 > /proc/sys/user/max_inotify_watches && exec "$@"',
      'sh',
    ],
  });
  assert.equal(result.code, 0, result.stderr);
  const errors = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { errno: string; path: string; message: string });
  assert.deepEqual(
    errors.map((e) => [e.errno, e.path]),
    [
      ['ENOSPC', subs[2]],
      ['ENOSPC', subs[3]],
    ],
  );
  assert.match(
    errors[0]!.message,
    /inotify watch limit reached \(user\.max_inotify_watches = 2\): raise it with sysctl/,
  );
});

test('more events than max_queued_events give one IN_Q_OVERFLOW (wd -1) after the queued ones', async (t) => {
  const limit = readLimit('max_queued_events');
  if (limit === null || limit > 100_000) {
    t.skip(`fs.inotify.max_queued_events is ${limit}: too many events to force an overflow quickly`);
    return;
  }
  const dir = await tempDir(t);
  const { ino, events } = collect(t);
  ino.addWatch(dir, IN.CREATE | IN.DELETE);
  const target = join(dir, 'f');
  await writeFile(target, '');
  await waitFor(
    () => events,
    (e) => e.length === 1,
    { withinMs: 5000, what: 'the create of f' },
  );
  events.length = 0; // the kernel queue is empty again
  // Synchronous calls: the main thread cannot read meanwhile, so the kernel queue must overflow.
  const pairs = Math.ceil(limit / 2) + 100;
  for (let i = 0; i < pairs; i++) symlinkSync(target, join(dir, `l${i}`));
  for (let i = 0; i < pairs; i++) unlinkSync(join(dir, `l${i}`));
  await waitFor(
    () => events,
    (e) => e.some((x) => x.mask === IN.Q_OVERFLOW),
    {
      withinMs: 20_000,
      what: 'IN_Q_OVERFLOW',
    },
  );
  const overflow = events.filter((x) => x.mask === IN.Q_OVERFLOW);
  assert.deepEqual(overflow, [{ wd: -1, mask: IN.Q_OVERFLOW, cookie: 0, name: '' }]);
  assert.equal(
    events.indexOf(overflow[0]!),
    limit,
    'the overflow comes after exactly max_queued_events events',
  );
});

test('an uncaught exception with an instance open ends the process (no hang)', async () => {
  const result = await Promise.race([
    runChild(`m.openInotify(); setTimeout(() => { throw new Error('boom'); }, 50);`),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref()),
  ]);
  assert.notEqual(result, null, 'the child hung');
  assert.equal(result?.code, 1);
  assert.match(result?.stderr ?? '', /boom/);
});
