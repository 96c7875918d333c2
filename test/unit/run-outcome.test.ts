// How a run ended, in words: exit statuses and signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOutcome, fromExit, isFailure, type Outcome } from '../../src/run/outcome.js';

test('exit statuses and signals are told in words', () => {
  const cases: [Outcome, string, boolean][] = [
    [{ kind: 'exited', code: 0 }, 'exited successfully', false],
    [{ kind: 'exited', code: 1 }, 'exit status 1', true],
    [{ kind: 'exited', code: 126 }, 'not executable (exit status 126)', true],
    [{ kind: 'exited', code: 127 }, 'command not found (exit status 127)', true],
    [
      { kind: 'exited', code: 127, via: 'setpriv' },
      'command not found, or setpriv could not switch to the user (exit status 127; see the output above)',
      true,
    ],
    [
      { kind: 'exited', code: 125, via: 'chroot' },
      'chroot could not enter the jail or switch to the user (exit status 125; see the output above)',
      true,
    ],
    [{ kind: 'exited', code: 127, via: 'chroot' }, 'command not found (exit status 127)', true],
    [{ kind: 'signaled', signal: 'SIGSEGV' }, 'killed by SIGSEGV', true],
    [
      { kind: 'timed-out', timeoutMs: 1500, signal: 'SIGKILL' },
      'timed out after 1.5 s, ended by SIGKILL',
      true,
    ],
    [{ kind: 'timed-out', timeoutMs: 2000, signal: null }, 'timed out after 2 s', true],
    [
      { kind: 'stopped', reason: 'restart', signal: 'SIGTERM' },
      'stopped for a restart, ended by SIGTERM',
      false,
    ],
    [{ kind: 'stopped', reason: 'shutdown', signal: null }, 'stopped for daemon shutdown', false],
    [{ kind: 'cannot-start', reason: 'why' }, 'cannot start: why', true],
  ];
  for (const [outcome, words, failed] of cases) {
    assert.equal(describeOutcome(outcome), words);
    assert.equal(isFailure(outcome), failed, words);
  }
});

test('a signal wins over an exit code when a process ends', () => {
  assert.deepEqual(fromExit(null, 'SIGTERM'), { kind: 'signaled', signal: 'SIGTERM' });
  assert.deepEqual(fromExit(3, null), { kind: 'exited', code: 3 });
});
