// mapInOrder: results in the list's order, never more than `limit` calls in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { mapInOrder } from '../../src/watchtab/map-in-order.js';

test('keeps the order of the list and the bound on calls in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const items = Array.from({ length: 50 }, (_, i) => i);
  const results = await mapInOrder(items, 4, async (i) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    // Later items finish sooner: order must come from the index, not from completion.
    for (let k = 0; k < 50 - i; k++) await tick();
    inFlight -= 1;
    return i * 2;
  });
  assert.deepEqual(
    results,
    items.map((i) => i * 2),
  );
  assert.equal(most, 4);
});

test('an empty list gives an empty result', async () => {
  assert.deepEqual(await mapInOrder([], 4, () => Promise.resolve(1)), []);
});
