// The README's Quick start, for real: `npm start` runs watchtabd on watchtab.example, and the
// example's entries fire on the checkout's demo/ folder. Files the test adds are removed after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

test('npm start runs the example watchtab, and its entries fire on demo/', async (t) => {
  const dir = await tempDir(t);
  const tag = `npm-start-test-${process.pid}`;
  const page = join(REPO_ROOT, 'demo', 'src', `${tag}.md`);
  const dropped = join(REPO_ROOT, 'demo', 'inbox', `${tag}.txt`);
  // Its own socket, so a daemon already running here (as root, on the default one) is no obstacle.
  const child = spawn('npm', ['start', '--', '--socket', join(dir, 'status.sock')], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (c: Buffer) => (log += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitFor(
      () => log,
      (l) => /\bready\b/.test(l),
      { withinMs: 30_000, what: `ready from npm start:\n${log}` },
    );
    await writeFile(page, `# ${tag}\n`);
    await waitFor(
      () => readFile(join(REPO_ROOT, 'demo', 'out', 'site.txt'), 'utf8'),
      (site) => site.includes(`# ${tag}`),
      { withinMs: 15_000, what: 'the rebuild entry to write demo/out/site.txt' },
    );
    await writeFile(dropped, tag);
    const synced = await waitFor(
      () => readFile(join(REPO_ROOT, 'demo', 'out', 'synced', `${tag}.txt`), 'utf8'),
      (text) => text === tag,
      { withinMs: 15_000, what: 'the sync entry to copy the file into demo/out/synced' },
    );
    assert.equal(synced, tag);
  } finally {
    await rm(page, { force: true });
    await rm(dropped, { force: true });
    await rm(join(REPO_ROOT, 'demo', 'out', 'synced', `${tag}.txt`), { force: true });
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await exited;
  }
});
