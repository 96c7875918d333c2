// The slot policy as a total function: every (state, policy, event), and never two processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decide,
  SLOT_EVENTS,
  SLOT_STATES,
  type SlotEvent,
  type SlotStateKind,
  type Step,
} from '../../src/run/policy.js';
import { ON_BUSY_POLICIES, type OnBusy } from '../../src/watchtab/entry.js';

type Expect = Step | Readonly<Record<OnBusy, Step>>;

// Every (state, event) pair written out; where the answer depends on the policy, per policy.
const TABLE: Readonly<Record<SlotStateKind, Readonly<Record<SlotEvent, Expect>>>> = {
  idle: {
    trigger: 'begin',
    'delay-elapsed': 'none',
    settled: 'none',
    'settled-open': 'none',
    'run-ended': 'none',
    quiet: 'none',
    retire: 'close',
    stop: 'close',
  },
  delaying: {
    trigger: 'fold',
    'delay-elapsed': 'await-settle',
    settled: 'none',
    'settled-open': 'none',
    'run-ended': 'none',
    quiet: 'none',
    retire: 'close',
    stop: 'close',
  },
  settling: {
    trigger: 'refold',
    'delay-elapsed': 'none',
    settled: 'start',
    'settled-open': 'hold',
    'run-ended': 'none',
    quiet: 'none',
    retire: 'close',
    stop: 'close',
  },
  holding: {
    trigger: 'rehold',
    'delay-elapsed': 'none',
    settled: 'start',
    'settled-open': 'none',
    'run-ended': 'none',
    quiet: 'none',
    retire: 'close',
    stop: 'close',
  },
  running: {
    trigger: { queue: 'pend', ignore: 'drop', restart: 'pend-and-stop' },
    'delay-elapsed': 'none',
    settled: 'none',
    'settled-open': 'none',
    'run-ended': 'settle',
    quiet: 'none',
    retire: 'finish-last',
    stop: 'stop-last',
  },
  'running-with-pending': {
    trigger: { queue: 'fold', ignore: 'drop', restart: 'pend-and-stop' },
    'delay-elapsed': 'none',
    settled: 'none',
    'settled-open': 'none',
    'run-ended': 'settle',
    quiet: 'none',
    retire: 'finish-last',
    stop: 'stop-last',
  },
  paused: {
    trigger: 'fold',
    'delay-elapsed': 'none',
    settled: 'none',
    'settled-open': 'none',
    'run-ended': 'none',
    quiet: 'resume',
    retire: 'close',
    stop: 'close',
  },
  retiring: {
    trigger: 'drop',
    'delay-elapsed': 'none',
    settled: 'none',
    'settled-open': 'none',
    'run-ended': 'close',
    quiet: 'none',
    retire: 'none',
    stop: 'stop-last',
  },
  retired: {
    trigger: 'drop',
    'delay-elapsed': 'none',
    settled: 'none',
    'settled-open': 'none',
    'run-ended': 'none',
    quiet: 'none',
    retire: 'none',
    stop: 'none',
  },
};

test('the policy answers every (state, policy, event) exactly as the table says', () => {
  let checked = 0;
  for (const state of SLOT_STATES) {
    for (const policy of ON_BUSY_POLICIES) {
      for (const event of SLOT_EVENTS) {
        const row = TABLE[state][event];
        const expected = typeof row === 'string' ? row : row[policy];
        assert.equal(decide(state, policy, event), expected, `${state} / ${policy} / ${event}`);
        checked += 1;
      }
    }
  }
  assert.equal(checked, SLOT_STATES.length * ON_BUSY_POLICIES.length * SLOT_EVENTS.length);
});

test('only a fold that settled starts a run: no step starts a second process while one runs', () => {
  for (const state of SLOT_STATES) {
    for (const policy of ON_BUSY_POLICIES) {
      for (const event of SLOT_EVENTS) {
        const step = decide(state, policy, event);
        if (step === 'start')
          assert.ok(['settling', 'holding'].includes(state) && event === 'settled', `${state} / ${event}`);
        if (step === 'hold') assert.deepEqual([state, event], ['settling', 'settled-open']);
        if (step === 'await-settle') assert.deepEqual([state, event], ['delaying', 'delay-elapsed']);
        if (step === 'begin') assert.deepEqual([state, event], ['idle', 'trigger']);
      }
    }
  }
});

test('a trigger while settling restarts the quiet wait under every policy; one while delaying only folds', () => {
  for (const policy of ON_BUSY_POLICIES) {
    assert.equal(decide('settling', policy, 'trigger'), 'refold');
    assert.equal(decide('delaying', policy, 'trigger'), 'fold');
  }
});

test('after retire or stop, no trigger is ever folded or queued', () => {
  for (const state of ['retiring', 'retired'] as const) {
    for (const policy of ON_BUSY_POLICIES) assert.equal(decide(state, policy, 'trigger'), 'drop');
  }
});

test('a held fold takes every trigger, and only a settled fold (closed, or past the bound) leaves the hold to run', () => {
  for (const policy of ON_BUSY_POLICIES) {
    assert.equal(decide('holding', policy, 'trigger'), 'rehold');
    assert.equal(decide('holding', policy, 'settled'), 'start');
    assert.equal(decide('holding', policy, 'settled-open'), 'none');
    for (const state of SLOT_STATES.filter((s) => s !== 'settling'))
      assert.notEqual(decide(state, policy, 'settled-open'), 'hold', state);
  }
});
