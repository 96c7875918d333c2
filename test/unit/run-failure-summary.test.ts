// A failure that repeats is said once, then summarised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureSummary } from '../../src/run/failure-summary.js';

test('identical failures are said once, summarised at powers of ten and when the series ends', () => {
  const s = new FailureSummary();
  assert.deepEqual(s.record('exit status 1', true), { kind: 'failure', endedSeries: null });
  const repeats = Array.from({ length: 11 }, () => s.record('exit status 1', true));
  assert.deepEqual(
    repeats.map((r) => (r.kind === 'repeat' ? [r.times, r.isMilestone] : r.kind)),
    [
      [2, false],
      [3, false],
      [4, false],
      [5, false],
      [6, false],
      [7, false],
      [8, false],
      [9, false],
      [10, true],
      [11, false],
      [12, false],
    ],
  );
  assert.deepEqual(s.record('exited successfully', false), {
    kind: 'success',
    endedSeries: { words: 'exit status 1', times: 12 },
  });
  assert.deepEqual(s.record('exited successfully', false), { kind: 'success', endedSeries: null });
});

test('a different failure starts a new series and reports the previous one', () => {
  const s = new FailureSummary();
  s.record('exit status 1', true);
  s.record('exit status 1', true);
  assert.deepEqual(s.record('exit status 2', true), {
    kind: 'failure',
    endedSeries: { words: 'exit status 1', times: 2 },
  });
  assert.deepEqual(s.record('exit status 1', true), { kind: 'failure', endedSeries: null });
});
