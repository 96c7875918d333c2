// fanotify armed at its mark: changes made in folders the background walk has not read yet (it is held) are all reported.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, link, mkdir, rename, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '../../src/log/logger.js';
import { createFanotifyBackend } from '../../src/watch/fanotify/backend.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import type { WalkHold } from '../../src/watch/kernel/background-walk.js';
import type { WatchBackend, WatchEvent } from '../../src/watch/backend.js';
import { tempDir } from '../helpers/temp.js';
import { is, record, target, type Recorder } from './harness.js';

const probe = probeFanotify();
const skip = probe.ok ? false : `fanotify unavailable here: ${probe.reason}`;

/** Top-level folders of the test tree, each with a file `old` and a sub-folder `sub`. */
const FOLDERS = 120;

async function makeTree(root: string): Promise<void> {
  for (let i = 0; i < FOLDERS; i++) {
    const dir = join(root, `d${String(i).padStart(3, '0')}`);
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'old'), 'old\n');
  }
}

/** A back-end whose walk stops after `after` folders until released. */
function heldBackend(t: TestContext, after: number, onHold?: (folders: number) => void) {
  let isReleased = false;
  const hold: WalkHold = (folders) => {
    onHold?.(folders);
    return !isReleased && folders >= after;
  };
  const backend: WatchBackend = createFanotifyBackend({ logger: createMemoryLogger('info'), walkHold: hold });
  t.after(() => backend.close());
  return { backend, release: () => (isReleased = true) };
}

function known(rec: Recorder): Set<string> {
  return new Set([...rec.armed.knownStates()].map(([p]) => p));
}

/** Top-level folders whose file the walk has not read yet. */
function unread(rec: Recorder, root: string): string[] {
  const seen = known(rec);
  const dirs: string[] = [];
  for (let i = 0; i < FOLDERS; i++) {
    const dir = join(root, `d${String(i).padStart(3, '0')}`);
    if (!seen.has(join(dir, 'old'))) dirs.push(dir);
  }
  return dirs;
}

const treeOf = (root: string) =>
  ({ kind: 'glob', base: root, pattern: `${root}/**`, maxDepth: Infinity }) as const;

const count = (events: readonly WatchEvent[], event: string, path: string) =>
  events.filter((e) => e.event === event && e.path === path).length;

/** Waits for the walk (and the content hashes it took) to be over. */
async function walkedWhole(rec: Recorder): Promise<void> {
  assert.equal(await rec.armed.walked?.(), true);
  assert.equal(rec.armed.walk?.()?.isWalking, false);
}

test(
  'fanotify: ready with the walk held; creates, extends, links and renames in unread folders are reported',
  { skip },
  async (t) => {
    const root = await tempDir(t);
    const outside = await tempDir(t);
    await makeTree(root);
    const { backend, release } = heldBackend(t, 4);
    const rec = await record(backend, target(treeOf(root)));
    const progress = rec.armed.walk?.();
    assert.ok(progress?.isWalking === true, 'armed while the walk is held');
    const dirs = unread(rec, root);
    assert.ok(dirs.length >= 10, `most folders are not read yet (${dirs.length})`);
    const [a, b, c, d, e, f, g, h] = dirs as [string, string, string, string, string, string, string, string];

    await writeFile(join(a, 'new'), 'x');
    await mkdir(join(b, 'grown', 'deeper'), { recursive: true });
    await writeFile(join(b, 'grown', 'deeper', 'inside'), 'y');
    await link(join(c, 'old'), join(d, 'linked'));
    await writeFile(join(outside, 'moved-in'), 'z');
    await rename(join(outside, 'moved-in'), join(e, 'moved-in'));
    await rename(join(f, 'old'), join(outside, 'moved-out'));
    await rename(g, `${g}-renamed`);
    await appendFile(join(h, 'old'), 'more\n');

    await rec.until(is('create', join(a, 'new')), 'create in an unread folder');
    await rec.until(is('close_write', join(a, 'new')), 'its close_write');
    await rec.until(is('create', join(b, 'grown')), 'a new folder in an unread folder');
    await rec.until(is('create', join(b, 'grown', 'deeper', 'inside')), 'what the new folder holds');
    await rec.until(is('create', join(d, 'linked')), 'the new name');
    await rec.until(is('link', join(d, 'linked')), 'link on the new name');
    await rec.until(is('create', join(e, 'moved-in')), 'moved in');
    await rec.until(is('delete', join(f, 'old')), 'moved out');
    await rec.until(
      (ev) => ev.event === 'rename' && ev.path === `${g}-renamed` && ev.oldPath === g,
      'renamed',
    );
    await rec.until(is('write', join(h, 'old')), 'a write to an unread file');
    // Its earlier size is unknown: the first write to a file not read yet counts as extend.
    await rec.until(is('extend', join(h, 'old')), 'extend of an unread file');
    assert.equal(rec.armed.walk?.()?.isWalking, true, 'all of it happened during the walk');

    release();
    await walkedWhole(rec);
    // The other name, read by the walk after the link was made, gets its link.
    await rec.until(is('link', join(c, 'old')), 'link on the name the walk found later');
    // The renamed folder's inside is walked and watched under its new name.
    await writeFile(join(`${g}-renamed`, 'sub', 'later'), 'w');
    await rec.until(
      is('create', join(`${g}-renamed`, 'sub', 'later')),
      'a folder renamed during the walk is watched',
    );
    const marker = join(root, 'marker');
    await writeFile(marker, 'm');
    await rec.until(is('close_write', marker), 'marker');

    const creates = rec.events.filter((ev) => ev.event === 'create').map((ev) => ev.path);
    const made = [
      join(a, 'new'),
      join(b, 'grown'),
      join(b, 'grown', 'deeper'),
      join(b, 'grown', 'deeper', 'inside'),
      join(d, 'linked'),
      join(e, 'moved-in'),
      `${g}-renamed`,
      join(`${g}-renamed`, 'sub', 'later'),
      marker,
    ];
    assert.deepEqual([...creates].sort(), [...made].sort(), 'each made path once, nothing the walk found');
    for (const p of made) assert.equal(count(rec.events, 'create', p), 1, p);
    assert.equal(count(rec.events, 'link', join(c, 'old')), 1);
    const states = known(rec);
    assert.ok(states.has(join(dirs.at(-1)!, 'old')), 'the walk read the whole tree');
    assert.ok(!states.has(join(f, 'old')), 'a path moved out is not kept');
  },
);

test('fanotify: files made while a slice reads their folder are reported once each', { skip }, async (t) => {
  const root = await tempDir(t);
  await makeTree(root);
  let made: string[] = [];
  // Made inside the walk's own turn (the hold is asked between reads): the walk reads some of them
  // before their events are handled, and must not take them for what was there before.
  const { backend } = heldBackend(t, Infinity, (folders) => {
    if (folders < 8 || made.length > 0) return;
    made = [];
    for (let i = 0; i < FOLDERS; i++) {
      const p = join(root, `d${String(i).padStart(3, '0')}`, 'sub', 'during');
      writeFileSync(p, 'd');
      made.push(p);
    }
  });
  const rec = await record(backend, target(treeOf(root)));
  await walkedWhole(rec);
  assert.equal(made.length, FOLDERS, 'the files were made during the walk');
  for (const p of made) await rec.until(is('create', p), `create ${p}`);
  const marker = join(root, 'marker');
  await writeFile(marker, 'm');
  await rec.until(is('close_write', marker), 'marker');
  for (const p of made) assert.equal(count(rec.events, 'create', p), 1, p);
});

test(
  "fanotify content-only: an unread file's first change counts, later same-content writes do not",
  { skip },
  async (t) => {
    const root = await tempDir(t);
    await makeTree(root);
    const { backend, release } = heldBackend(t, 4);
    const rec = await record(backend, target(treeOf(root), { contentOnly: true }));
    const [a, b] = unread(rec, root) as [string, string];
    assert.equal(rec.armed.walk?.()?.isWalking, true);
    // Same content, but the daemon never read it before: it cannot know, so it counts (as a new file).
    await writeFile(join(a, 'old'), 'old\n');
    await rec.until(is('close_write', join(a, 'old')), 'the first change of an unread file counts');
    release();
    await walkedWhole(rec);
    await writeFile(join(a, 'old'), 'old\n'); // same content, known now
    await writeFile(join(b, 'old'), 'old\n'); // read by the walk: same content
    const marker = join(root, 'marker');
    await writeFile(marker, 'm');
    await rec.until(is('close_write', marker), 'marker');
    assert.equal(count(rec.events, 'close_write', join(a, 'old')), 1, rec.lines().join('\n'));
    assert.equal(count(rec.events, 'close_write', join(b, 'old')), 0, rec.lines().join('\n'));
    await writeFile(join(b, 'old'), 'new\n');
    await rec.until(is('close_write', join(b, 'old')), 'a real change after the walk');
  },
);
