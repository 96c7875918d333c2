// Where things are, from a compiled test (dist/test/...): the checkout and the built programs.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WATCHTABD_BIN = join(REPO_ROOT, 'dist/src/cli/watchtabd.js');
export const WATCHTAB_BIN = join(REPO_ROOT, 'dist/src/cli/watchtab.js');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures');
