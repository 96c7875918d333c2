// The slot's progress, on which catch-up's "never claim a change that did not run" rests: covered
// moves only when a run ends by itself (or the slot is idle), never while one runs or when a stop
// cuts it short; triggers found together fold into one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { makeEntry, readLines, slotFor } from './entry-fixture.js';

test('covered reaches received only once the run that folded the triggers has ended', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const gate = join(dir, 'gate');
  // Runs until the test makes the gate file: the test decides when the run ends.
  const command = 'echo start >> "$OUT"; while [ ! -e "$GATE" ]; do sleep 0.02; done';
  const { slot } = slotFor(t, makeEntry({ dir, command, env: { OUT: out, GATE: gate } }));
  slot.trigger({ path: join(dir, 'a'), event: 'close_write' });
  await waitFor(
    () => readLines(out),
    (l) => l.length === 1,
    { withinMs: 10_000, what: 'the run' },
  );
  slot.trigger({ path: join(dir, 'b'), event: 'close_write' });
  assert.deepEqual(slot.progress(), { received: 2, covered: 0 });
  await writeFile(gate, '');
  const done = await waitFor(
    () => slot.progress(),
    (p) => p.covered === 2,
    {
      withinMs: 10_000,
      what: 'both runs ended',
    },
  );
  assert.deepEqual(done, { received: 2, covered: 2 });
});

test('a run cut short by a stop covers nothing', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const { slot } = slotFor(
    t,
    makeEntry({ dir, command: 'echo start >> "$OUT"; sleep 30', env: { OUT: out } }),
  );
  slot.trigger({ path: join(dir, 'a'), event: 'close_write' });
  await waitFor(
    () => readLines(out),
    (l) => l.length === 1,
    { withinMs: 10_000, what: 'the run' },
  );
  await slot.stop(100);
  assert.deepEqual(slot.progress(), { received: 1, covered: 0 });
});

test('triggers found together fold into one run, with WATCHTAB_CATCHUP=1', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const command = 'echo "$WATCHTAB_CATCHUP $WATCHTAB_COUNT" >> "$OUT"';
  const { slot } = slotFor(t, makeEntry({ dir, command, env: { OUT: out } }));
  slot.triggerAll(
    ['a', 'b', 'c'].map((n) => ({ path: join(dir, n), event: 'close_write' as const, isCatchUp: true })),
  );
  await waitFor(
    () => slot.progress(),
    (p) => p.covered === 3,
    { withinMs: 10_000, what: 'the run' },
  );
  assert.deepEqual(await readLines(out), ['1 3']);
});
