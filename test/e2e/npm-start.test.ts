// The README's Quick start, for real: `npm start` runs watchtabd on a copy of watchtab.example and
// demo/ in a temporary folder, the example's entries fire there, and the checkout stays as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

/** What git says changed under demo/ and the example watchtab (empty outside a git checkout). */
function gitStatus(): string {
  try {
    const paths = ['demo', 'watchtab.example', 'watchtab.example.d'];
    return execFileSync('git', ['status', '--porcelain', '--', ...paths], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
  } catch {
    return '';
  }
}

test('npm start runs the example on a temporary copy of demo/, and leaves the checkout clean', async (t) => {
  const dir = await tempDir(t);
  const before = gitStatus();
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
  let demo = '';
  try {
    await waitFor(
      () => log,
      (l) => /^\S+ info: ready\b/m.test(l), // not a path holding "ready" (the demo prints its checkout path)
      { withinMs: 30_000, what: `ready from npm start:\n${log}` },
    );
    demo = /^demo: watching a copy of demo\/ in (\S+) /m.exec(log)?.[1] ?? '';
    assert.match(demo, /watchtab-demo-/, log);
    await writeFile(join(demo, 'demo', 'src', 'added.md'), '# added\n');
    await waitFor(
      () => readFile(join(demo, 'demo', 'out', 'site.txt'), 'utf8'),
      (site) => site.includes('# added'),
      { withinMs: 15_000, what: 'the rebuild entry to write demo/out/site.txt in the copy' },
    );
    await writeFile(join(demo, 'demo', 'inbox', 'dropped.txt'), 'dropped');
    const synced = await waitFor(
      () => readFile(join(demo, 'demo', 'out', 'synced', 'dropped.txt'), 'utf8'),
      (text) => text === 'dropped',
      { withinMs: 15_000, what: 'the sync entry to copy the file into demo/out/synced' },
    );
    assert.equal(synced, 'dropped');
  } finally {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await exited;
  }
  assert.equal(gitStatus(), before);
  // The copy goes when the daemon stops.
  await waitFor(
    () =>
      access(demo).then(
        () => 'there',
        () => 'gone',
      ),
    (state) => state === 'gone',
    { withinMs: 10_000, what: `${demo} to be removed` },
  );
});
