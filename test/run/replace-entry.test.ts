// Slot.replaceEntry with real processes: the running command finishes under its own definition, what waits runs under the new one (a waiting delay counted again), and the two never overlap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { makeEntry, readLines, slotFor, waitForEndings } from './entry-fixture.js';

test('a run in progress finishes as it was; the pending run uses the new command, after it', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const release = join(dir, 'release');
  const entry = makeEntry({
    dir,
    command: `echo "old start $WATCHTAB_PATH" >> ${out}; while [ ! -e ${release} ]; do sleep 0.02; done; echo "old end" >> ${out}`,
  });
  const { slot, log } = slotFor(t, entry);
  slot.trigger({ path: '/w/1', event: 'write' });
  await waitFor(
    () => readLines(out),
    (l) => l.length === 1,
    { withinMs: 10_000, what: 'the old run' },
  );
  slot.trigger({ path: '/w/2', event: 'write' });
  assert.equal(slot.status().state, 'running-with-pending');
  slot.replaceEntry({ ...entry, command: `echo "new start $WATCHTAB_PATH" >> ${out}`, onBusy: 'restart' });
  // A reload is not a trigger: even on-busy restart leaves the running command alone.
  assert.equal(slot.status().state, 'running-with-pending');
  await writeFile(release, '');
  await waitForEndings(log, 2);
  assert.deepEqual(await readLines(out), ['old start /w/1', 'old end', 'new start /w/2']);
});

test('a trigger waiting out its delay runs under the new definition, its delay counted again', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const entry = makeEntry({ dir, command: `echo old >> ${out}`, delayMs: 3_600_000 });
  const { slot, log } = slotFor(t, entry);
  slot.trigger({ path: '/w/1', event: 'write' });
  assert.equal(slot.status().state, 'delaying');
  slot.replaceEntry({ ...entry, command: `echo new >> ${out}`, delayMs: 0 });
  await waitForEndings(log, 1);
  assert.deepEqual(await readLines(out), ['new']);
});
