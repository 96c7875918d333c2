// The environment a command gets: WATCHTAB_* variables from the trigger, never from the watchtab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnv, CRON_PATH } from '../../src/run/env.js';
import { makeEntry } from '../run/entry-fixture.js';

const fold = {
  path: '/w/a b',
  events: ['write', 'close_write'] as const,
  oldPath: null,
  count: 3,
  triggers: 5,
  isCatchUp: false,
};

test("the environment is cron's set, then the watchtab's, then WATCHTAB_*, and nothing else", () => {
  const entry = makeEntry({ name: 'site', dir: '/w', command: 'true', env: { SITE: 'prod', HOME: '/srv' } });
  assert.deepEqual(buildEnv(entry, { user: 'www', home: '/var/www' }, fold), {
    PATH: CRON_PATH,
    SHELL: '/bin/sh',
    HOME: '/srv',
    USER: 'www',
    LOGNAME: 'www',
    SITE: 'prod',
    WATCHTAB_ENTRY: 'site',
    WATCHTAB_PATH: '/w/a b',
    WATCHTAB_PATH_ESCAPED: '/w/a b',
    TRIGGER: '/w/a b',
    WATCHTAB_EVENT: 'write,close_write',
    WATCHTAB_COUNT: '3',
  });
});

test('WATCHTAB_OLD_PATH is set for a rename and cannot be faked from the watchtab otherwise', () => {
  const entry = makeEntry({
    dir: '/w',
    command: 'true',
    env: { WATCHTAB_OLD_PATH: 'fake', WATCHTAB_PATH: 'fake' },
  });
  const plain = buildEnv(entry, { user: 'root', home: '/root' }, fold);
  assert.equal(plain['WATCHTAB_OLD_PATH'], undefined);
  assert.equal(plain['WATCHTAB_PATH'], '/w/a b');
  const renamed = buildEnv(
    entry,
    { user: 'root', home: '/root' },
    { ...fold, oldPath: '/w/old', events: ['rename'] },
  );
  assert.equal(renamed['WATCHTAB_OLD_PATH'], '/w/old');
  assert.equal(renamed['WATCHTAB_EVENT'], 'rename');
});

test('a path that is not UTF-8 is empty in WATCHTAB_PATH and exact in WATCHTAB_PATH_ESCAPED', () => {
  const entry = makeEntry({ dir: '/w', command: 'true' });
  const identity = { user: 'root', home: '/root' };
  // "x\xff" as the decoders give it: the byte 0xff kept as U+DCFF (system/path-bytes.ts).
  const env = buildEnv(entry, identity, { ...fold, path: '/w/x\udcff\\y', oldPath: '/w/\udcfe' });
  assert.equal(env['WATCHTAB_PATH'], '');
  assert.equal(env['TRIGGER'], '');
  assert.equal(env['WATCHTAB_PATH_ESCAPED'], '/w/x\\xff\\\\y');
  assert.equal(env['WATCHTAB_OLD_PATH'], '');
  assert.equal(env['WATCHTAB_OLD_PATH_ESCAPED'], '/w/\\xfe');
  const plain = buildEnv(entry, identity, { ...fold, path: '/w/a\\b' });
  assert.equal(plain['WATCHTAB_PATH'], '/w/a\\b');
  assert.equal(plain['WATCHTAB_PATH_ESCAPED'], '/w/a\\\\b');
  assert.equal(plain['WATCHTAB_OLD_PATH_ESCAPED'], undefined);
});

test('WATCHTAB_CATCHUP is 1 for a run that folds changes found at start, and cannot be faked otherwise', () => {
  const entry = makeEntry({ dir: '/w', command: 'true', env: { WATCHTAB_CATCHUP: '1' } });
  const live = buildEnv(entry, { user: 'root', home: '/root' }, fold);
  assert.equal(live['WATCHTAB_CATCHUP'], undefined);
  const caughtUp = buildEnv(entry, { user: 'root', home: '/root' }, { ...fold, isCatchUp: true });
  assert.equal(caughtUp['WATCHTAB_CATCHUP'], '1');
});
