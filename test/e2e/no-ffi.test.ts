// Where ffi-rs cannot load (no native binding for the platform), the daemon still runs: entries are
// watched with chokidar, the log says why, commands run, and the watchtab still reloads live. The
// real daemon, with ffi-rs made unresolvable by a module hook before any of its code runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { readLines, startDaemon } from '../helpers/daemon.js';
import { FIXTURES } from '../helpers/paths.js';

const REGISTER = pathToFileURL(join(FIXTURES, 'no-ffi', 'register.mjs')).href;

test('without ffi-rs, watchtabd watches with chokidar, says why, runs commands and reloads', async (t) => {
  const dir = await tempDir(t);
  const tree = join(dir, 'tree');
  await mkdir(join(tree, 'sub'), { recursive: true });
  const conf = join(dir, 'app.conf');
  await writeFile(conf, 'a');
  const out = join(dir, 'out');
  const tab = join(dir, 'watchtab');
  const line = (path: string, name: string) =>
    `${path}\tclose_write\techo ${name} "$WATCHTAB_PATH" >> ${out}\n`;
  await writeFile(tab, line(`${tree}/**`, 'tree') + line(conf, 'conf'));
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab, '--socket', join(dir, 's.sock')],
    env: { ...process.env, NODE_OPTIONS: `--import=${REGISTER}` },
  });
  await daemon.waitForLine(/\bready\b.*entries=2/);
  const chosen = daemon.lines.filter((l) => /back-end chosen/.test(l));
  assert.equal(chosen.length, 2, daemon.lines.join('\n'));
  for (const l of chosen) {
    assert.match(l, /backend="chokidar"/);
    assert.match(l, /ffi-rs cannot be loaded on this system \(Cannot find module/);
  }

  await writeFile(join(tree, 'sub', 'f.txt'), 'x');
  await writeFile(conf, 'b');
  await waitFor(
    () => readLines(out),
    (l) => l.includes(`tree ${join(tree, 'sub', 'f.txt')}`) && l.includes(`conf ${conf}`),
    { withinMs: 10_000, what: 'both entries to run' },
  );

  // The watchtab itself is watched with chokidar too: an added entry is in force after a reload.
  const extra = join(dir, 'extra');
  await mkdir(extra);
  const from = daemon.lines.length;
  await writeFile(tab, line(`${tree}/**`, 'tree') + line(conf, 'conf') + line(extra, 'extra'));
  await daemon.waitForLine(/\breloaded\b.*added/, { withinMs: 10_000, fromLine: from });
  await writeFile(join(extra, 'g'), 'y');
  await waitFor(
    () => readLines(out),
    (l) => l.includes(`extra ${join(extra, 'g')}`),
    { withinMs: 10_000, what: 'the reloaded entry to run' },
  );
  assert.ok(!daemon.lines.some((l) => /\berror\b/.test(l.split(' ')[1] ?? '')), daemon.lines.join('\n'));
  assert.equal(await daemon.stop(), 0);
});
