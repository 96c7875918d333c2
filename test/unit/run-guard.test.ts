// The runaway guard's two rules: a row of runs started by the entry's own changes, and a burst of runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunGuard } from '../../src/run/run-guard.js';
import { DEFAULT_RUN_LIMIT } from '../../src/watchtab/entry.js';

test('the guard admits `burst` runs within the interval and refuses the next', () => {
  const guard = new RunGuard({ burst: 3, intervalMs: 1000 });
  assert.deepEqual(
    [0, 100, 200].map((t) => guard.admit(t, false)),
    [null, null, null],
  );
  assert.equal(guard.admit(300, false), 'burst');
  assert.equal(guard.admit(999, false), 'burst');
  assert.equal(guard.admit(1001, false), null, 'the first start left the window');
  guard.resumed();
  assert.deepEqual(
    [1002, 1003, 1004].map((t) => guard.admit(t, false)),
    [null, null, null],
  );
});

test('the defaults are systemd’s path-unit limit: 200 runs in 2 s', () => {
  assert.deepEqual(DEFAULT_RUN_LIMIT, { burst: 200, intervalMs: 2000 });
  const guard = new RunGuard(DEFAULT_RUN_LIMIT);
  // 34 outside writes in 2 s, each its own run: far from the limit.
  for (let i = 0; i < 34; i += 1) assert.equal(guard.admit(i * 58, false), null);
});

test('a row of `burst` runs started by the entry’s own changes is a loop, however slow', () => {
  const guard = new RunGuard({ burst: 3, intervalMs: 1000 });
  // One run a second: the burst rule never sees more than one in its window.
  assert.deepEqual(
    [0, 1000, 2000].map((t) => guard.admit(t, true)),
    [null, null, null],
  );
  assert.equal(guard.admit(3000, true), 'loop');
  guard.resumed();
  assert.equal(guard.admit(4000, true), null, 'the run after the pause runs what it held');
  assert.equal(guard.admit(5000, true), 'loop-again', 'the loop goes on: paused again at once');
  guard.resumed();
  assert.equal(guard.admit(6000, true), null);
  assert.equal(guard.admit(7000, false), null, 'a run no own change started ends the row');
  assert.deepEqual(
    [8000, 9000, 10_000].map((t) => guard.admit(t, true)),
    [null, null, null],
  );
  assert.equal(guard.admit(11_000, true), 'loop');
});

test('a refused start records nothing', () => {
  const guard = new RunGuard({ burst: 2, intervalMs: 1000 });
  assert.equal(guard.admit(0, true), null);
  assert.equal(guard.admit(1, true), null);
  assert.equal(guard.admit(2, true), 'loop');
  assert.equal(guard.admit(3, false), 'burst', 'the row ended, but the window is full');
  assert.equal(guard.admit(1001, false), null);
});

test('a burst or interval of 0 turns the guard off', () => {
  for (const limit of [
    { burst: 0, intervalMs: 1000 },
    { burst: 2, intervalMs: 0 },
  ]) {
    const guard = new RunGuard(limit);
    assert.ok([1, 2, 3, 4, 5].every((t) => guard.admit(t, t % 2 === 0) === null));
  }
});
