import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunGuard } from '../../src/run/run-guard.js';

test('the guard admits `burst` runs within the interval and refuses the next', () => {
  const guard = new RunGuard({ burst: 3, intervalMs: 1000 });
  assert.deepEqual(
    [0, 100, 200].map((t) => guard.admit(t)),
    [true, true, true],
  );
  assert.equal(guard.admit(300), false);
  assert.equal(guard.admit(999), false);
  assert.equal(guard.admit(1001), true, 'the first start left the window');
  guard.reset();
  assert.deepEqual(
    [1002, 1003, 1004].map((t) => guard.admit(t)),
    [true, true, true],
  );
});

test('a burst or interval of 0 turns the guard off', () => {
  for (const limit of [
    { burst: 0, intervalMs: 1000 },
    { burst: 2, intervalMs: 0 },
  ]) {
    const guard = new RunGuard(limit);
    assert.ok([1, 2, 3, 4, 5].every((t) => guard.admit(t)));
  }
});
