// The man pages and --help must list the same options and commands (they are changed together).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WATCHTABD_FLAGS } from '../../src/cli/watchtabd-options.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** Long options a page marks up as `Fl \-name`. */
function longOptions(page: string): Set<string> {
  // mdoc writes a hyphen as `\-`: `Fl \-log\-level` is --log-level.
  return new Set(
    [...page.matchAll(/Fl \\-((?:[a-z]|\\-)+)/g)].map((m) => (m[1] ?? '').replaceAll('\\-', '-')),
  );
}

test('watchtabd(8) documents exactly the options watchtabd --help lists, short forms included', async () => {
  const page = await readFile(join(REPO_ROOT, 'man', 'watchtabd.8'), 'utf8');
  const documented = longOptions(page);
  assert.deepEqual([...documented].sort(), WATCHTABD_FLAGS.map((o) => o.long).sort());
  for (const o of WATCHTABD_FLAGS) {
    if (o.short !== null)
      assert.match(page, new RegExp(`Fl ${o.short}\\b`), `-${o.short} is not in watchtabd(8)`);
  }
});

test('watchtab(1) documents every sub-command of watchtab --help', async () => {
  const page = await readFile(join(REPO_ROOT, 'man', 'watchtab.1'), 'utf8');
  const documented = new Set([...page.matchAll(/^\.It Cm ([a-z]+)/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), COMMANDS.map((c) => c.name).sort());
});
