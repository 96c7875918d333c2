// content-only with inotify and fanotify: a path's events keep their order while its hash is read
// in the background (a delete never overtakes the close_write being judged), and other paths do not wait.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { createMemoryLogger } from '../../src/log/logger.js';
import { createInotifyBackend } from '../../src/watch/inotify/backend.js';
import { createFanotifyBackend } from '../../src/watch/fanotify/backend.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import type { WatchBackend } from '../../src/watch/backend.js';
import { is, record, target } from './harness.js';

const fanotify = probeFanotify();
const BACKENDS: [string, (() => WatchBackend) | string][] = [
  ['inotify', () => createInotifyBackend({ logger: createMemoryLogger('info') })],
  [
    'fanotify',
    fanotify.ok ? () => createFanotifyBackend({ logger: createMemoryLogger('info') }) : fanotify.reason,
  ],
];

for (const [name, make] of BACKENDS) {
  test(`${name}: content-only write-then-delete of one path gives close_write before delete`, async (t: TestContext) => {
    if (typeof make === 'string') return t.skip(`fanotify unavailable here: ${make}`);
    const backend = make();
    t.after(() => backend.close());
    const dir = await tempDir(t);
    const f = join(dir, 'f');
    await writeFile(f, 'old');
    const rec = await record(backend, target({ kind: 'exact', path: dir }, { contentOnly: true }));
    // 8 MiB takes a while to hash: the delete arrives while the close_write is judged.
    for (let round = 0; round < 3; round += 1) {
      await writeFile(f, Buffer.alloc(8 << 20, round + 1));
      await rm(f);
      await writeFile(join(dir, `other${round}`), 'x');
      await rec.until(is('delete', f), 'the delete', 15_000);
      await rec.until(is('close_write', join(dir, `other${round}`)), 'another path');
      const lines = rec.lines().filter((l) => l.endsWith(` ${f}`));
      assert.deepEqual(
        lines.slice(-3),
        [`write ${f}`, `close_write ${f}`, `delete ${f}`],
        rec.lines().join('\n'),
      );
      rec.events.length = 0;
    }
  });
}
