// Where things are, from a compiled test (dist/test/...): the checkout and the programs as they
// ship (the bundle in dist/bin/, package.json's `bin`), so every test that spawns one runs that.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WATCHTABD_BIN = join(REPO_ROOT, 'dist/bin/watchtabd.js');
export const WATCHTAB_BIN = join(REPO_ROOT, 'dist/bin/watchtab.js');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures');
