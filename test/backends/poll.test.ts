// The watch contract for the polling back-end: the shared conformance suite (without what polling
// cannot know: which delete and create were one rename), and polling's own promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryLogger } from '../../src/log/logger.js';
import { createPollBackend, POLL_CAN } from '../../src/watch/poll/backend.js';
import { tempDir } from '../helpers/temp.js';
import { conformance } from './conformance.js';
import { is, record, target } from './harness.js';

conformance(
  'poll',
  (t) => {
    const backend = createPollBackend({ logger: createMemoryLogger() });
    t.after(() => backend.close());
    return backend;
  },
  POLL_CAN,
);

test('poll: a file replaced by rename under its name is a write and close_write of that path', async (t) => {
  const dir = await tempDir(t);
  const conf = join(dir, 'app.conf');
  await writeFile(conf, 'a');
  const backend = createPollBackend({ logger: createMemoryLogger() });
  t.after(() => backend.close());
  const r = await record(
    backend,
    target({ kind: 'exact', path: conf }, { events: ['close_write', 'create', 'delete'] }),
  );
  await writeFile(join(dir, '.app.conf.tmp'), 'b');
  await rename(join(dir, '.app.conf.tmp'), conf);
  await r.until(is('close_write', conf), 'close_write of the replaced file');
  assert.ok(!r.events.some((e) => e.event === 'delete' || e.event === 'create'), r.lines().join(' | '));
});

test('poll: close() ends every timer, so the process can exit', async (t) => {
  const dir = await tempDir(t);
  const backend = createPollBackend({ logger: createMemoryLogger() });
  await record(backend, target({ kind: 'exact', path: dir }));
  const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  await backend.close();
  const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  assert.equal(timersAfter, timersBefore - 1);
});

test('poll: a change of mode alone is attrib', async (t) => {
  const dir = await tempDir(t);
  const f = join(dir, 'f');
  await writeFile(f, 'x');
  const backend = createPollBackend({ logger: createMemoryLogger() });
  t.after(() => backend.close());
  const r = await record(backend, target({ kind: 'exact', path: f }));
  await chmod(f, 0o600);
  await r.until(is('attrib', f), 'attrib after chmod');
  assert.ok(!r.events.some((e) => e.event === 'write'), r.lines().join(' | '));
});
