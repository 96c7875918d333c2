// The log file sink on real files: reopening after a rename (logrotate), and a full file system
// (a 64 KiB tmpfs filled up, then freed) from which logging recovers by itself, counting its losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileSink } from '../../src/log/file-sink.js';
import { createLogger } from '../../src/log/logger.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

test('reopen() after a rename: earlier lines stay in the moved file, later ones go to a new file', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'watchtabd.log');
  const logger = createLogger({ level: 'info', file });
  logger.info('before rotation', { n: 1 });
  await waitFor(
    () => readFile(file, 'utf8'),
    (text) => text.includes('before rotation'),
    { withinMs: 5000, what: 'the first line in the file' },
  );
  await rename(file, `${file}.1`);
  logger.info('still to the old file until reopened', { n: 2 });
  logger.reopen();
  logger.info('after rotation', { n: 3 });
  await logger.close();
  const old = await readFile(`${file}.1`, 'utf8');
  const fresh = await readFile(file, 'utf8');
  assert.match(old, /before rotation n=1\n/);
  assert.doesNotMatch(old, /after rotation/);
  assert.match(fresh, /^\S+ info: after rotation n=3\n$/);
  // The line logged before reopen() went to one of the two files, never lost, never twice.
  const twice = [old, fresh].filter((text) => text.includes('still to the old file')).length;
  assert.equal(twice, 1);
});

test('a log file created by the sink is mode 0640', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'new.log');
  const sink = createFileSink(file, { complain: () => undefined });
  sink.writeLine('x');
  await sink.close();
  assert.equal((await stat(file)).mode & 0o777, 0o640);
});

/** Fills the file system holding `dir` until it refuses another byte. */
async function fill(dir: string): Promise<void> {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(4096, 0x61);
  for (let i = 0; i < 1024; i += 1) {
    try {
      await appendFile(filler, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
  throw new Error('the tmpfs never filled up');
}

const LINE = /^line (\d+) x+ end$/;

test('a full file system: lines are counted while it is full, and logging resumes by itself when space is freed', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('mounting a tmpfs needs root');
  const dir = await tempDir(t);
  const mountPoint = join(dir, 'small');
  await mkdir(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', mountPoint]);
  if (mounted.status !== 0) return t.skip(`cannot mount a tmpfs here: ${mounted.stderr.toString().trim()}`);
  try {
    const file = join(mountPoint, 'watchtabd.log');
    const complaints: string[] = [];
    const sink = createFileSink(file, { complain: (s) => complaints.push(s) });
    sink.writeLine('line 0 x end');
    await waitFor(
      () => readFile(file, 'utf8'),
      (text) => text.length > 0,
      { withinMs: 5000, what: 'the first line' },
    );
    await fill(mountPoint);
    const total = 60;
    // 60 lines of ~200 bytes: more than the page the log file may still have room in.
    for (let i = 1; i <= total; i += 1) sink.writeLine(`line ${i} ${'x'.repeat(190)} end`);
    await waitFor(
      () => complaints,
      (c) => c.length > 0,
      { withinMs: 5000, what: 'the sink to say it cannot write' },
    );
    assert.equal(complaints.length, 1, 'said once');
    assert.match(complaints[0] ?? '', /cannot write the log file .*\(ENOSPC\)/);
    await rm(join(mountPoint, 'filler'));
    const text = await waitFor(
      () => readFile(file, 'utf8'),
      (s) => /could not be written from/.test(s),
      { withinMs: 20_000, what: 'the notice that logging works again' },
    );
    sink.writeLine('line 61 xx end');
    await sink.close();
    const lines = (await readFile(file, 'utf8')).split('\n');
    const notice = lines.find((l) => /could not be written/.test(l)) ?? '';
    assert.match(
      notice,
      /^\S+ warn: the log file .* could not be written from \S+ \(ENOSPC\): \d+ log lines? lost$/,
    );
    const lost = Number(/(\d+) log lines? lost/.exec(notice)?.[1]);
    const written = lines.filter((l) => LINE.test(l)).map((l) => Number(LINE.exec(l)?.[1]));
    assert.ok(lost >= 1, text);
    // Every line either reached the file whole or is counted as lost: none vanished unsaid.
    assert.equal(written.filter((n) => n >= 1 && n <= total).length + lost, total);
    assert.equal(lines.indexOf(notice) < lines.findIndex((l) => l.startsWith('line 61 ')), true);
    assert.ok(written.includes(61), 'a line after the recovery is written');
  } finally {
    if (spawnSync('umount', [mountPoint]).status !== 0) spawnSync('umount', ['-l', mountPoint]);
  }
});
