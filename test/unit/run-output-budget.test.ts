// The output budget: a burst, then a steady rate of log lines, and a count of what it refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputBudget } from '../../src/run/output-budget.js';

test('the output budget allows a burst, then a steady rate, and counts what it refuses', () => {
  let now = 0;
  const budget = new OutputBudget(() => now, 3, 10);
  assert.deepEqual([budget.take(), budget.take(), budget.take(), budget.take()], [true, true, true, false]);
  assert.equal(budget.dropped, 1);
  now = 100; // 10 lines a second: one more line after 100 ms
  assert.deepEqual([budget.take(), budget.take()], [true, false]);
  now = 10_000; // a long quiet time refills only up to the burst
  assert.deepEqual([budget.take(), budget.take(), budget.take(), budget.take()], [true, true, true, false]);
  assert.equal(budget.dropped, 3);
});
