// The watch contract, back-end neutral: run once per back-end (`conformance(name, make)`). Real
// folders, the real kernel, deadlines; to show that something did not happen, a later marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { recursiveSpec } from '../../src/watch/match.js';
import type { BackendCapabilities } from '../../src/watch/backend.js';
import { is, record, target, type MakeBackend } from './harness.js';

export function conformance(
  name: string,
  make: MakeBackend,
  /** The back-end's own declaration (`can`): what it lacks is skipped, saying why. */
  can: BackendCapabilities,
): void {
  const noPairing = can.pairsRenames ? false : 'this back-end sees a rename as a delete and a create';
  const noShortLived = can.seesShortLived
    ? false
    : 'this back-end reads states, so it cannot see a file that lived between two looks';
  const noQuick = can.seesQuickSuccessions
    ? false
    : 'this back-end can drop a change that follows another within milliseconds (see its backend.ts)';
  const noOtherNames = can.seesOtherNames
    ? false
    : 'this back-end reports changes under the name used, not under every name of the inode';
  const backendOf = async (t: Parameters<MakeBackend>[0]) => {
    const backend = await make(t);
    t.after(() => backend.close());
    return backend;
  };

  test(`${name}: a folder reports its children's create, write, close_write, delete`, async (t) => {
    const dir = await tempDir(t);
    const rec = await record(await backendOf(t), target({ kind: 'exact', path: dir }));
    const f = join(dir, 'a');
    await writeFile(f, 'x');
    await rec.until(is('close_write', f), 'close_write');
    await rm(f);
    await rec.until(is('delete', f), 'delete');
    assert.deepEqual(
      rec.lines().filter((l) => !/^(attrib|extend) /.test(l)), // extend: when the write is seen after the create
      [`create ${f}`, `write ${f}`, `close_write ${f}`, `delete ${f}`],
    );
  });

  test(
    `${name}: an exact file reports only itself, however an editor saves it`,
    { skip: noQuick },
    async (t) => {
      const dir = await tempDir(t);
      const conf = join(dir, 'nginx.conf');
      const other = join(dir, 'other');
      await writeFile(conf, 'a\n');
      const rec = await record(await backendOf(t), target({ kind: 'exact', path: conf }));
      await writeFile(other, 'x');
      // vim-like: write a temporary file, rename it over the original
      writeFileSync(join(dir, '.nginx.conf.swp'), 'b\n');
      renameSync(join(dir, '.nginx.conf.swp'), conf);
      await rec.until(is('close_write', conf), 'close_write after a rename over');
      assert.ok(rec.events.some(is('write', conf)), 'a file moved onto the path is a write');
      assert.ok(!rec.events.some((e) => e.event === 'create'), 'something was there before: no create');
      rec.events.length = 0;
      execFileSync('sed', ['-i', 's/b/c/', conf]);
      await rec.until(is('close_write', conf), 'close_write after sed -i');
      rec.events.length = 0;
      await appendFile(conf, 'd\n'); // still watched after two replacements
      await rec.until(is('close_write', conf), 'close_write in place');
      assert.ok(
        rec.events.every((e) => e.path === conf),
        rec.lines().join('\n'),
      );
    },
  );

  test(`${name}: new sub-folders are watched at once; what they held already is reported`, async (t) => {
    const dir = await tempDir(t);
    const rec = await record(await backendOf(t), target(recursiveSpec(dir)));
    const deep = join(dir, 'a', 'b', 'c');
    execFileSync('sh', ['-c', 'mkdir -p "$1" && touch "$1/f"', 'sh', deep]);
    await rec.until(is('create', join(deep, 'f')), 'create of a/b/c/f');
    for (const p of [join(dir, 'a'), join(dir, 'a', 'b'), deep])
      assert.ok(rec.events.some(is('create', p)), p);
    await writeFile(join(deep, 'g'), 'x');
    await rec.until(is('close_write', join(deep, 'g')), 'close_write in the new folder');
    assert.equal(rec.events.filter(is('create', join(deep, 'f'))).length, 1, 'reported once');
  });

  test(`${name}: a rename storm is reported rename by rename, paired`, { skip: noPairing }, async (t) => {
    const dir = await tempDir(t);
    const count = 500;
    for (let i = 0; i < count; i++) writeFileSync(join(dir, `f${i}`), '');
    const rec = await record(await backendOf(t), target(recursiveSpec(dir), { events: ['rename'] }));
    for (let i = 0; i < count; i++) renameSync(join(dir, `f${i}`), join(dir, `g${i}`));
    await rec.until(is('rename', join(dir, `g${count - 1}`)), 'the last rename', 15_000);
    const renames = rec.events.filter((e) => e.event === 'rename');
    assert.equal(renames.length, count);
    renames.forEach((e, i) => assert.equal(e.oldPath, join(dir, `f${i}`)));
  });

  test(
    `${name}: a folder moved inside the tree is watched under its new name`,
    { skip: noPairing },
    async (t) => {
      const dir = await tempDir(t);
      await mkdir(join(dir, 'old', 'deep'), { recursive: true });
      const rec = await record(await backendOf(t), target(recursiveSpec(dir)));
      await rename(join(dir, 'old'), join(dir, 'new'));
      await rec.until(is('rename', join(dir, 'new')), 'rename of the folder');
      assert.equal(rec.events.find(is('rename', join(dir, 'new')))?.oldPath, join(dir, 'old'));
      const f = join(dir, 'new', 'deep', 'f');
      await writeFile(f, 'x');
      await rec.until(is('close_write', f), 'close_write below the moved folder');
      assert.ok(!rec.events.some((e) => e.path.startsWith(join(dir, 'old') + '/')), rec.lines().join('\n'));
    },
  );

  test(`${name}: a move out is a delete, a move in a create (a folder with its contents)`, async (t) => {
    const dir = await tempDir(t);
    const inside = join(dir, 'in');
    const outside = join(dir, 'out');
    await mkdir(inside);
    await mkdir(join(outside, 'pack', 'sub'), { recursive: true });
    await writeFile(join(outside, 'pack', 'sub', 'x'), '');
    await writeFile(join(inside, 'leaving'), '');
    const rec = await record(await backendOf(t), target(recursiveSpec(inside)));
    await rename(join(inside, 'leaving'), join(outside, 'left'));
    await rec.until(is('delete', join(inside, 'leaving')), 'delete on a move out');
    await rename(join(outside, 'pack'), join(inside, 'pack'));
    await rec.until(is('create', join(inside, 'pack', 'sub', 'x')), 'contents of a folder moved in');
    assert.ok(rec.events.some(is('create', join(inside, 'pack'))));
    const f = join(inside, 'pack', 'sub', 'y');
    await writeFile(f, '');
    await rec.until(is('create', f), 'the folder moved in is watched');
  });

  test(`${name}: a removed folder made again is watched again`, { skip: noQuick }, async (t) => {
    const dir = await tempDir(t);
    const sub = join(dir, 'sub');
    await mkdir(sub);
    const rec = await record(await backendOf(t), target({ kind: 'exact', path: sub }));
    await rm(sub, { recursive: true });
    await rec.until(is('delete', sub), 'delete of the folder');
    await mkdir(sub);
    await rec.until(is('create', sub), 'create of the folder');
    await writeFile(join(sub, 'f'), '');
    await rec.until(is('create', join(sub, 'f')), 'create inside the new folder');
  });

  test(
    `${name}: a recursive watch whose base is removed and made again watches the new tree`,
    { skip: noQuick },
    async (t) => {
      const dir = await tempDir(t);
      const base = join(dir, 'base');
      await mkdir(join(base, 'old'), { recursive: true });
      const rec = await record(await backendOf(t), target(recursiveSpec(base)));
      await rm(base, { recursive: true });
      await rec.until(is('delete', join(base, 'old')), 'delete below the base');
      execFileSync('sh', ['-c', 'mkdir -p "$1/x" && touch "$1/x/f"', 'sh', base]);
      await rec.until(is('create', join(base, 'x', 'f')), 'create in the new tree');
      await writeFile(join(base, 'x', 'g'), '');
      await rec.until(is('close_write', join(base, 'x', 'g')), 'the new tree is watched');
    },
  );

  test(`${name}: a path that does not exist yet is armed when it appears, level by level`, async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'a', 'b', 'c', 'conf');
    const rec = await record(await backendOf(t), target({ kind: 'exact', path: file }));
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'a', 'b'));
    await mkdir(join(dir, 'a', 'b', 'c'));
    await writeFile(join(dir, 'a', 'b', 'c', 'other'), '');
    await writeFile(file, 'x');
    await rec.until(is('close_write', file), 'close_write of the file once it exists');
    assert.ok(rec.events.some(is('create', file)));
    assert.ok(
      rec.events.every((e) => e.path === file),
      rec.lines().join('\n'),
    );
  });

  test(`${name}: excludes are neither reported nor watched; globs match whole components`, async (t) => {
    const dir = await tempDir(t);
    await mkdir(join(dir, '.git', 'objects'), { recursive: true });
    await mkdir(join(dir, 'src'));
    const spec = { kind: 'glob', base: dir, pattern: `${dir}/**/*.md`, maxDepth: Infinity } as const;
    const rec = await record(
      await backendOf(t),
      target(spec, { exclude: [`${dir}/**/.git/**`, `${dir}/**/node_modules/**`] }),
    );
    await writeFile(join(dir, '.git', 'objects', 'x.md'), '');
    await writeFile(join(dir, 'src', 'notes.txt'), '');
    await writeFile(join(dir, 'src', 'a.md'), '');
    await rec.until(is('close_write', join(dir, 'src', 'a.md')), 'the marker');
    assert.deepEqual(
      [...new Set(rec.events.map((e) => e.path))],
      [join(dir, 'src', 'a.md')],
      rec.lines().join('\n'),
    );
  });

  test(
    `${name}: only the target's events are delivered; two targets share a folder`,
    { skip: noShortLived },
    async (t) => {
      const dir = await tempDir(t);
      const backend = await backendOf(t);
      const deletes = await record(
        backend,
        target({ kind: 'exact', path: dir }, { id: 'd', events: ['delete'] }),
      );
      const all = await record(backend, target({ kind: 'exact', path: dir }, { id: 'all' }));
      const f = join(dir, 'f');
      await writeFile(f, 'x');
      await rm(f);
      await deletes.until(is('delete', f), 'delete');
      await all.until(is('delete', f), 'delete');
      assert.deepEqual(deletes.lines(), [`delete ${f}`]);
      assert.ok(all.events.some(is('close_write', f)));
      await deletes.armed.disarm();
      await writeFile(f, 'y');
      await all.until(is('create', f), 'the other target still armed');
      assert.deepEqual(deletes.lines(), [`delete ${f}`]);
    },
  );

  test(`${name}: content-only reports a write only when the content changed`, async (t) => {
    const dir = await tempDir(t);
    const f = join(dir, 'f');
    const marker = join(dir, 'marker');
    await writeFile(f, 'same');
    const rec = await record(await backendOf(t), target({ kind: 'exact', path: dir }, { contentOnly: true }));
    await writeFile(f, 'same');
    await writeFile(marker, 'm');
    await rec.until(is('close_write', marker), 'marker');
    assert.ok(!rec.events.some((e) => e.path === f), rec.lines().join('\n'));
    assert.ok(rec.events.some(is('create', marker)), 'a new file always counts');
    await writeFile(f, 'changed');
    await rec.until(is('close_write', f), 'changed content');
    assert.ok(rec.events.some(is('write', f)));
  });

  test(`${name}: extend when a file grows, link when its link count changes`, async (t) => {
    const dir = await tempDir(t);
    const f = join(dir, 'f');
    await writeFile(f, 'a');
    const rec = await record(await backendOf(t), target({ kind: 'exact', path: dir }));
    await appendFile(f, 'more');
    await rec.until(is('extend', f), 'extend');
    await link(f, join(dir, 'g'));
    await rec.until(is('link', join(dir, 'g')), 'link on the new name');
    await rec.until(is('link', f), 'link on the old name');
    await rm(join(dir, 'g'));
    await writeFile(join(dir, 'marker'), '');
    await rec.until(is('create', join(dir, 'marker')), 'marker');
    assert.equal(rec.events.filter(is('extend', f)).length, 1);
  });

  test(
    `${name}: a file entry sees links and writes made through its inode's other names`,
    { skip: noOtherNames },
    async (t) => {
      const dir = await tempDir(t);
      const elsewhere = join(dir, 'elsewhere');
      await mkdir(elsewhere);
      const f = join(dir, 'f');
      const other = join(elsewhere, 'g');
      await writeFile(f, 'a');
      const rec = await record(await backendOf(t), target({ kind: 'exact', path: f }));
      await link(f, other); // in another folder: the parent of f sees nothing of it
      await rec.until(is('link', f), 'link when another name is made');
      await appendFile(other, 'through the other name');
      await rec.until(is('write', f), 'write through the other name');
      await rec.until(is('extend', f), 'extend through the other name');
      rec.events.length = 0;
      await rm(other);
      await rec.until(is('link', f), 'link when the other name is removed');
      rec.events.length = 0;
      await appendFile(f, 'own');
      await rec.until(is('close_write', f), 'close_write through its own name');
      await rm(f);
      await rec.until(is('delete', f), 'delete');
      // One write through its own name: once, though the folder and the file both report it.
      assert.deepEqual(
        rec
          .lines()
          .filter((l) => !/^attrib /.test(l))
          .sort(),
        [`close_write ${f}`, `delete ${f}`, `extend ${f}`, `write ${f}`],
      );
    },
  );
}
