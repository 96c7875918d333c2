// A folder the daemon cannot read, met by poll's scans and chokidar's looks: said once, not once per scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp.js';
import { REPO_ROOT } from '../helpers/paths.js';
import type { LogRecord } from '../../src/log/logger.js';

const run = promisify(execFile);
const FIXTURE = join(REPO_ROOT, 'dist/test/fixtures/scan-unreadable.js');
const NOBODY = 65534;
// Root reads every folder whatever its mode: the back-end runs as nobody, in a child.
const skip = process.getuid?.() === 0 ? false : 'needs root to run the back-end as nobody';

for (const backend of ['poll', 'chokidar']) {
  test(`${backend}: an unreadable folder is logged once, however many scans meet it`, { skip }, async (t) => {
    const root = await tempDir(t);
    await chmod(root, 0o755);
    const dir = join(root, 'tree');
    for (const sub of ['', 'open']) {
      await mkdir(join(dir, sub), { recursive: true });
      await chown(join(dir, sub), NOBODY, NOBODY);
    }
    const locked = join(dir, 'locked');
    await mkdir(locked, { mode: 0o700 }); // root's: nobody cannot open it (EACCES)
    const controller = new AbortController();
    t.after(() => controller.abort()); // ends the child if the test fails first
    const { stdout } = await run(process.execPath, [FIXTURE, backend, dir], {
      uid: NOBODY,
      gid: NOBODY,
      signal: controller.signal,
    });
    const warnings = JSON.parse(stdout) as LogRecord[];
    const aboutLocked = warnings.filter((w) => w.message.includes(locked));
    assert.equal(aboutLocked.length, 1, JSON.stringify(warnings));
    assert.equal(aboutLocked[0]?.fields['errno'], 'EACCES');
    assert.match(aboutLocked[0]?.message ?? '', /EACCES/);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
  });
}
