// The README's install, end to end as on a fresh machine: pack a copy of the checkout, remove that
// copy, install the tarball into a throwaway prefix, then run the installed programs and man pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cp, readdir, realpath, rm, symlink, access } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

/** Top-level things a fresh clone does not have, or that are no source of the package. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git']);
/** npm's words for a registry it cannot reach. */
const OFFLINE = /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|network/;

function run(
  file: string,
  args: readonly string[],
  cwd: string,
  env = process.env,
): SpawnSyncReturns<string> {
  return spawnSync(file, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
}

interface Packed {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

test('npm pack, then npm install -g of the tarball, works with the checkout gone', async (t) => {
  const dir = await tempDir(t);
  const checkout = join(dir, 'checkout');
  await cp(REPO_ROOT, checkout, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(source.slice(REPO_ROOT.length).split('/')[0] ?? ''),
  });
  // The development tools `npm ci` would install (esbuild, for prepare).
  await symlink(join(REPO_ROOT, 'node_modules'), join(checkout, 'node_modules'));
  const pack = run('npm', ['pack', '--json', '--pack-destination', dir], checkout);
  assert.equal(pack.status, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Packed[];
  assert.ok(packed !== undefined);
  const files = packed.files.map((f) => f.path);
  // Only what runs, and what an administrator installs beside it.
  assert.deepEqual(
    files.filter((f) => f.startsWith('dist/') && !/^dist\/bin\/[\w-]+\.js(\.map)?$/.test(f)),
    [],
  );
  for (const wanted of [
    'LICENSE',
    'dist/bin/watchtabd.js',
    'dist/bin/watchtab.js',
    'man/watchtabd.8',
    'systemd/watchtabd.service',
    'systemd/user/watchtabd.service',
    'completions/watchtab.bash',
    'completions/_watchtab',
    'watchtab.example',
  ]) {
    assert.ok(files.includes(wanted), `${wanted} is not in the package`);
  }
  await rm(checkout, { recursive: true, force: true });

  const prefix = join(dir, 'prefix');
  const tarball = join(dir, packed.filename);
  const install = run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    dir,
  );
  if (install.status !== 0 && OFFLINE.test(install.stderr)) {
    t.skip(
      `the npm registry is unreachable, so the dependencies cannot be installed: ${install.stderr.split('\n')[0]}`,
    );
    return;
  }
  assert.equal(install.status, 0, install.stderr);
  const installed = join(prefix, 'lib', 'node_modules', 'watchtab');
  // A copy, not a link to a checkout.
  assert.equal(await realpath(join(prefix, 'bin', 'watchtabd')), join(installed, 'dist/bin/watchtabd.js'));

  const check = run(
    join(prefix, 'bin', 'watchtabd'),
    ['--check', '--watchtab', join(installed, 'watchtab.example')],
    dir,
  );
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /watchtab\.example: \d+ entries, valid\n$/);
  const version = run(join(prefix, 'bin', 'watchtab'), ['--version'], dir);
  assert.match(version.stdout, /^watchtab \d+\.\d+\.\d+\n$/);
  // A sub-command runs its own program file beside watchtab.js, found through the installed link.
  const checked = run(join(prefix, 'bin', 'watchtab'), ['check', join(installed, 'watchtab.example')], dir);
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(checked.stdout, /watchtab\.example: \d+ entries, valid\n$/);

  const pages = ['man1/watchtab.1', 'man5/watchtab.5', 'man8/watchtabd.8'].map((p) =>
    join(prefix, 'share', 'man', p),
  );
  for (const page of pages) await access(page);
  if (run('man', ['--version'], dir).status !== 0) {
    t.diagnostic('man is not installed: the pages were found but not rendered');
    return;
  }
  for (const page of pages) {
    const env = { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80', LC_ALL: 'C.UTF-8' };
    const shown = run('man', ['-l', page], dir, env);
    assert.equal(shown.status, 0, `${page}: ${shown.stderr}`);
    assert.match(shown.stdout, /^NAME\n/m, page);
    assert.match(shown.stdout, /^SEE ALSO\n/m, page);
  }
  assert.deepEqual(await readdir(join(installed, 'dist')), ['bin']);
});
