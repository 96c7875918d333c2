// `watchtab events` as a real process: a line per event, JSON lines, and a clean exit on SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { WATCHTAB_BIN } from '../helpers/paths.js';

function start(t: { after(fn: () => void): void }, args: string[]) {
  const child = spawn(process.execPath, [WATCHTAB_BIN, 'events', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

test('watchtab events prints EVENT<TAB>PATH lines, then exits 0 on SIGINT', async (t) => {
  const dir = await tempDir(t);
  const { child, out, exited } = start(t, ['--recursive', dir]);
  await waitFor(
    () => out.stderr,
    (s) => s.includes('watching'),
    { withinMs: 10_000, what: 'ready' },
  );
  await mkdir(join(dir, 'sub'));
  // Once sub/ is reported it is watched; before, a file made and renamed in it would be one create.
  await waitFor(
    () => out.stdout,
    (s) => s.includes(`create\t${join(dir, 'sub')}/\n`),
    {
      withinMs: 5000,
      what: 'create of sub',
    },
  );
  await writeFile(join(dir, 'sub', 'f'), 'x');
  await waitFor(
    () => out.stdout,
    (s) => s.includes(`close_write\t${join(dir, 'sub', 'f')}\n`),
    {
      withinMs: 5000,
      what: 'close_write of sub/f',
    },
  );
  await rename(join(dir, 'sub', 'f'), join(dir, 'sub', 'g'));
  const lines = await waitFor(
    () => out.stdout.split('\n'),
    (l) => l.includes(`rename\t${join(dir, 'sub', 'g')}\t${join(dir, 'sub', 'f')}`),
    { withinMs: 5000, what: 'a rename line' },
  );
  assert.ok(lines.includes(`create\t${join(dir, 'sub')}/`));
  assert.ok(lines.includes(`close_write\t${join(dir, 'sub', 'f')}`));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('watchtab events --json prints one object per line', async (t) => {
  const dir = await tempDir(t);
  const { child, out, exited } = start(t, ['--json', dir]);
  await waitFor(
    () => out.stderr,
    (s) => s.includes('watching'),
    { withinMs: 10_000, what: 'ready' },
  );
  await writeFile(join(dir, 'f'), 'x');
  await waitFor(
    () => out.stdout,
    (s) => s.includes('close_write'),
    { withinMs: 5000, what: 'close_write' },
  );
  const first = JSON.parse(out.stdout.split('\n')[0] ?? '') as unknown;
  assert.deepEqual(first, { event: 'create', path: join(dir, 'f'), isDir: false });
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('watchtab events without a path is a usage error (exit 2)', async (t) => {
  const { out, exited } = start(t, []);
  assert.equal(await exited, 2);
  assert.match(
    out.stderr,
    /an operand is missing \(usage: watchtab events .*PATH\.\.\.\)\nTry 'watchtab events --help'\.\n$/,
  );
});

test('watchtab events on a missing path says it waits for it, then reports it when it appears', async (t) => {
  const dir = await tempDir(t);
  const later = join(dir, 'later');
  const { child, out, exited } = start(t, [later]);
  await waitFor(
    () => out.stderr,
    (s) => s.includes('watching'),
    { withinMs: 10_000, what: 'ready' },
  );
  assert.ok(out.stderr.includes(`${later} does not exist yet; waiting for it to appear\n`), out.stderr);
  await mkdir(later);
  await waitFor(
    () => out.stdout,
    (s) => s.includes(`create\t${later}/\n`),
    { withinMs: 5000, what: 'the folder, shown with a trailing /' },
  );
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});
