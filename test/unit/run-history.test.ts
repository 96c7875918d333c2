// An entry's run history for `watchtab status`: newest first, with trigger path and count, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLogger } from '../../src/log/logger.js';
import { OutcomeLog, RUN_HISTORY_SIZE } from '../../src/run/outcome-log.js';

test('the history keeps the last RUN_HISTORY_SIZE runs, newest first, with what triggered them', () => {
  const outcomes = new OutcomeLog(createMemoryLogger('info'));
  for (let i = 1; i <= RUN_HISTORY_SIZE + 5; i += 1) {
    outcomes.say('site', {
      outcome: i % 2 === 0 ? { kind: 'exited', code: 2 } : { kind: 'signaled', signal: 'SIGKILL' },
      pid: 100 + i,
      startedAt: 1_000 * i,
      durationMs: i,
      path: `/srv/p${i}`,
      count: i,
    });
  }
  const history = outcomes.history();
  assert.equal(history.length, RUN_HISTORY_SIZE);
  assert.deepEqual(history[0], {
    startedAt: 15_000,
    durationMs: 15,
    outcome: 'killed by SIGKILL',
    failed: true,
    path: '/srv/p15',
    count: 15,
    exitStatus: null,
  });
  assert.equal(history[1]?.exitStatus, 2);
  assert.deepEqual(
    history.map((r) => r.count),
    [15, 14, 13, 12, 11, 10, 9, 8, 7, 6],
  );
});

test('the outcome is logged with the trigger path and the exit status as fields', () => {
  const log = createMemoryLogger('info');
  new OutcomeLog(log).say('site', {
    outcome: { kind: 'exited', code: 3 },
    pid: 7,
    startedAt: 0,
    durationMs: 5,
    path: '/srv/a',
    count: 2,
  });
  assert.deepEqual(log.records[0]?.fields, {
    entry: 'site',
    pid: 7,
    path: '/srv/a',
    outcome: 'exit status 3',
    exitStatus: 3,
    durationMs: 5,
  });
});
