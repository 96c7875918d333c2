// getdents64 records decoded from byte fixtures, and listings of real folders (long, odd names, a mount point) read on their descriptor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { decodeDirents, DT, listOpenFolder, type DirEntry } from '../../src/system/dir-entries.js';
import { decodeFsBytes, encodeFsBytes } from '../../src/system/path-bytes.js';
import { scanTree } from '../../src/watch/kernel/scan.js';

// One linux_dirent64 record: d_ino (u64), d_off (s64), d_reclen (u16), d_type (u8), name, NUL, padding to 8.
function record(ino: bigint, type: number, name: Buffer | string): Buffer {
  const bytes = typeof name === 'string' ? Buffer.from(name) : name;
  const reclen = Math.ceil((19 + bytes.length + 1) / 8) * 8;
  const out = Buffer.alloc(reclen);
  out.writeBigUInt64LE(ino, 0);
  out.writeBigInt64LE(123n, 8);
  out.writeUInt16LE(reclen, 16);
  out[18] = type;
  bytes.copy(out, 19);
  return out;
}

test('records decode to name, inode and type; "." and ".." are left out', () => {
  const buf = Buffer.concat([
    record(2n, DT.DIR, '.'),
    record(1n, DT.DIR, '..'),
    record(77n, DT.REG, 'file.txt'),
    record(2n ** 40n + 5n, DT.DIR, 'big-inode'),
    record(9n, DT.LNK, Buffer.from([0x66, 0xff, 0x6f])),
  ]);
  const out: DirEntry[] = [];
  decodeDirents(buf, buf.length, out);
  assert.deepEqual(out, [
    { name: 'file.txt', ino: 77, type: DT.REG },
    { name: 'big-inode', ino: 2 ** 40 + 5, type: DT.DIR },
    { name: decodeFsBytes(Buffer.from([0x66, 0xff, 0x6f])), ino: 9, type: DT.LNK },
  ]);
  assert.deepEqual(encodeFsBytes(out[2]!.name), Buffer.from([0x66, 0xff, 0x6f]));
});

test('a record that runs past the bytes read, or is too short, is refused', () => {
  const one = record(5n, DT.REG, 'name');
  assert.throws(() => decodeDirents(one, one.length - 8, []), /getdents64 record/);
  const short = Buffer.from(one);
  short.writeUInt16LE(8, 16);
  assert.throws(() => decodeDirents(short, short.length, []), /getdents64 record/);
});

function listed(dir: string): DirEntry[] {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const result = listOpenFolder(fd);
    assert.ok(result !== null && 'entries' in result, 'ffi-rs loads and the folder is listed');
    return result.entries;
  } finally {
    closeSync(fd);
  }
}

test('a real folder lists as readdir and lstat see it, over many getdents64 calls', (t) => {
  const dir = mkdtempSync('/tmp/watchtab-dirents-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // 600 names of 200 bytes: ~130 KiB of records, four buffers' worth.
  for (let i = 0; i < 600; i++)
    writeFileSync(join(dir, `${String(i).padStart(4, '0')}${'x'.repeat(196)}`), '');
  mkdirSync(join(dir, 'sub'));
  symlinkSync('/etc', join(dir, 'link'));
  writeFileSync(Buffer.from(`${dir}/odd-\xff`, 'latin1'), '');
  const entries = listed(dir);
  // In readdir's order (by name), not the file system's: a poll reports one folder's changes so.
  assert.deepEqual(
    entries.map((e) => e.name),
    readdirSync(dir, { encoding: 'buffer' }).map(decodeFsBytes),
  );
  const names = entries.map((e) => e.name);
  assert.equal(names.length, 603);
  for (const e of entries) {
    const stats = lstatSync(encodeFsBytes(join(dir, e.name)));
    assert.equal(e.ino, stats.ino, e.name);
    const type = stats.isDirectory() ? DT.DIR : stats.isSymbolicLink() ? DT.LNK : DT.REG;
    assert.ok(e.type === type || e.type === DT.UNKNOWN, `${e.name}: type ${e.type}`);
  }
});

test('an empty folder lists nothing', (t) => {
  const dir = mkdtempSync('/tmp/watchtab-dirents-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(listed(dir), []);
});

test('a scan walks into a file system mounted on a folder of the tree', (t) => {
  if (process.getuid?.() !== 0) return t.skip('mounting a tmpfs needs root');
  const dir = mkdtempSync('/tmp/watchtab-dirents-');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
  t.after(() => {
    execFileSync('umount', ['-l', mnt]);
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(mnt, 'inner'));
  writeFileSync(join(mnt, 'inner', 'f'), 'x');
  const found = new Map<string, string>();
  const watched: string[] = [];
  scanTree(
    dir,
    {
      watchDir: (d) => (watched.push(d), true),
      isReported: () => true,
      isWatchedDir: () => true,
    },
    (path, state) => found.set(path, state.type),
  );
  assert.deepEqual(watched.sort(), [dir, mnt, join(mnt, 'inner')].sort());
  assert.equal(found.get(mnt), 'dir');
  assert.equal(found.get(join(mnt, 'inner', 'f')), 'file');
});
