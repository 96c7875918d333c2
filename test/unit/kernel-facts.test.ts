// Each kernel back-end's edge (inotify/edge.ts, fanotify/edge.ts) turns its mask bits into the
// core's facts (watch/kernel/facts.ts) by name, and inotify turns the core's interest back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_FACT_NAMES, FACT, PLACE } from '../../src/watch/kernel/facts.js';
import { factsOf as inotifyFacts, inotifyMaskOf } from '../../src/watch/inotify/edge.js';
import { factsOf as fanotifyFacts } from '../../src/watch/fanotify/edge.js';
import { IN } from '../../src/watch/inotify/mask.js';
import { FAN } from '../../src/watch/fanotify/mask.js';

const EVENTS = EVENT_FACT_NAMES;

test('the facts both kernels name are every fact but the two told without being asked for', () => {
  const told = new Set(['UNMOUNT', 'IS_DIR']);
  assert.deepEqual(
    [...EVENTS].sort(),
    Object.keys(FACT)
      .filter((name) => !told.has(name))
      .sort(),
  );
});

test('every inotify event bit becomes the fact of its name, and that fact asks for the bit', () => {
  for (const name of EVENTS) {
    assert.equal(inotifyFacts(IN[name]), FACT[name], name);
    assert.equal(inotifyMaskOf(FACT[name]), IN[name], name);
  }
  assert.equal(inotifyFacts(IN.ISDIR | IN.CREATE), FACT.IS_DIR | FACT.CREATE);
  assert.equal(inotifyFacts(IN.UNMOUNT), FACT.UNMOUNT);
  // The back-end's own signals are not facts: it handles them before the core hears anything.
  assert.equal(inotifyFacts(IN.IGNORED | IN.Q_OVERFLOW), 0);
});

test('how a watch is placed becomes inotify_add_watch flags; nothing else leaks in', () => {
  assert.equal(inotifyMaskOf(PLACE.ONLY_DIR | PLACE.NO_FOLLOW), (IN.ONLYDIR | IN.DONT_FOLLOW) >>> 0);
  const all = EVENTS.reduce((m, n) => m | FACT[n], 0);
  const asked = inotifyMaskOf(all | PLACE.ONLY_DIR);
  assert.equal(asked & (IN.MASK_ADD | IN.DONT_FOLLOW | IN.ONESHOT | IN.ISDIR), 0);
});

test('every fanotify event bit becomes the fact of its name; FAN_ONDIR says a folder', () => {
  for (const name of EVENTS) assert.equal(fanotifyFacts(FAN[name]), FACT[name], name);
  assert.equal(fanotifyFacts(FAN.CREATE | FAN.ONDIR), FACT.CREATE | FACT.IS_DIR);
  assert.equal(fanotifyFacts(FAN.Q_OVERFLOW | FAN.RENAME | FAN.EVENT_ON_CHILD), 0);
});

test('the core speaks its own bits: a kernel mask handed over untranslated means something else', () => {
  for (const name of EVENTS) {
    assert.notEqual(FACT[name], IN[name], `FACT.${name} is IN_${name}`);
    assert.notEqual(FACT[name], FAN[name], `FACT.${name} is FAN_${name}`);
  }
  assert.notEqual(FACT.IS_DIR, IN.ISDIR);
  assert.notEqual(FACT.IS_DIR, FAN.ONDIR);
});
