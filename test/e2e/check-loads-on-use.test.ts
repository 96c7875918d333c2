// The shipped `watchtab check` loads the user database (ffi-rs) only for a watchtab that names a
// user, and then resolves users as the daemon does: known ones valid, an unknown one a problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, WATCHTAB_BIN } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { table } from '../helpers/watchtab-file.js';

const REGISTER = pathToFileURL(join(FIXTURES, 'record-packages', 'register.mjs')).href;

/** Runs `watchtab check TAB` and returns its result with the packages it resolved. */
async function check(
  dir: string,
  tab: string,
): Promise<{ status: number | null; out: string; packages: string[] }> {
  const record = join(dir, `${Math.random().toString(36).slice(2)}.packages`);
  await writeFile(record, '');
  const ran = spawnSync(process.execPath, [`--import=${REGISTER}`, WATCHTAB_BIN, 'check', tab], {
    encoding: 'utf8',
    env: { ...process.env, WATCHTAB_TEST_PACKAGES: record },
  });
  const packages = (await readFile(record, 'utf8')).split('\n').filter((l) => l !== '');
  return { status: ran.status, out: ran.stdout + ran.stderr, packages };
}

test('check loads ffi-rs only when the watchtab names a user, and resolves users then', async (t) => {
  const dir = await tempDir(t);
  const plain = join(dir, 'plain');
  await writeFile(plain, `${dir}/**\tclose_write\ttrue\n`);
  const withoutUser = await check(dir, plain);
  assert.equal(withoutUser.status, 0, withoutUser.out);
  assert.match(withoutUser.out, /1 entry, valid/);
  assert.ok(!withoutUser.packages.includes('ffi-rs'), `loaded: ${withoutUser.packages.join(', ')}`);

  const known = join(dir, 'known');
  await writeFile(
    known,
    table([{ path: `${dir}/**`, events: ['close_write'], user: 'root', command: 'true' }]),
  );
  const withUser = await check(dir, known);
  assert.equal(withUser.status, 0, withUser.out);
  assert.ok(withUser.packages.includes('ffi-rs'), `loaded: ${withUser.packages.join(', ')}`);

  const unknown = join(dir, 'unknown');
  const stranger = 'no-such-user-watchtab-test';
  await writeFile(
    unknown,
    table([{ path: `${dir}/**`, events: ['close_write'], user: stranger, command: 'true' }]),
  );
  const withStranger = await check(dir, unknown);
  assert.equal(withStranger.status, 1, withStranger.out);
  assert.match(withStranger.out, new RegExp(`user.*${stranger}`));
});
