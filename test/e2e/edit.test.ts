// `watchtab edit` as a real process, with scripted editors: a valid edit is installed atomically
// with the original owner and mode; an invalid one is not, and the user may edit again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { WATCHTAB_BIN } from '../helpers/paths.js';

interface Result {
  readonly code: number | null;
  readonly stderr: string;
}

function edit(file: string, editor: string, input: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WATCHTAB_BIN, 'edit', file], {
      env: { ...process.env, VISUAL: '', EDITOR: editor },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin.end(input);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

test('a valid edit is installed with the original mode; an unchanged one reports no change', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, '# empty\n');
  await chmod(tab, 0o640);
  const next = join(dir, 'next');
  await writeFile(next, `${dir}\tcreate\ttrue\n`);
  // The "editor" copies the prepared content over the file it is given.
  const result = await edit(tab, `cp ${next}`, '');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /installed/);
  assert.equal(await readFile(tab, 'utf8'), `${dir}\tcreate\ttrue\n`);
  assert.equal((await stat(tab)).mode & 0o777, 0o640);
  const again = await edit(tab, 'true', '');
  assert.equal(again.code, 0);
  assert.match(again.stderr, /no changes/);
});

test('an invalid edit is not installed; answering yes edits again, and the fixed file is installed', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, '# empty\n');
  const bad = join(dir, 'bad');
  const good = join(dir, 'good');
  await writeFile(bad, `${dir}\tmodfy\ttrue\n`);
  await writeFile(good, `${dir}\tcreate\ttrue\n`);
  // First call writes the bad version, the second the good one (a marker file remembers).
  const editor = join(dir, 'editor.sh');
  await writeFile(
    editor,
    `#!/bin/sh\nif [ -e "${dir}/once" ]; then cp "${good}" "$1"; else touch "${dir}/once"; cp "${bad}" "$1"; fi\n`,
  );
  await chmod(editor, 0o755);
  const declined = await edit(tab, editor, 'n\n');
  assert.equal(declined.code, 1);
  assert.match(declined.stderr, new RegExp(`${tab}:1:.*modfy`));
  assert.equal(await readFile(tab, 'utf8'), '# empty\n');

  await rm(join(dir, 'once'));
  const retried = await edit(tab, editor, 'y\n');
  assert.equal(retried.code, 0, retried.stderr);
  assert.match(retried.stderr, /Edit again\?/);
  assert.match(retried.stderr, /installed/);
  assert.equal(await readFile(tab, 'utf8'), `${dir}\tcreate\ttrue\n`);
});
