// watchtabd's command line: defaults, every option, usage errors and --help from one table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { parseWatchtabdArgs, watchtabdHelp, WATCHTABD_OPTIONS } from '../../src/cli/watchtabd-options.js';
import { watchtabdHelpMessages } from '../../src/log/messages/watchtab.js';

const asRoot = (argv: string[]) => parseWatchtabdArgs(argv, { uid: 0, env: {} });

test('watchtabd defaults follow the contract, the socket depending on the user', () => {
  assert.deepEqual(asRoot([]), {
    kind: 'run',
    options: {
      watchtab: '/etc/watchtab',
      check: false,
      logLevel: 'info',
      logFile: null,
      backend: 'auto',
      pollIntervalMs: 5000,
      graceMs: 10_000,
      socket: '/run/watchtabd/watchtabd.sock',
      stateDir: '/var/lib/watchtabd',
    },
  });
  const user = parseWatchtabdArgs([], { uid: 1000, env: { XDG_RUNTIME_DIR: '/run/user/1000' } });
  assert.equal(user.kind === 'run' && user.options.socket, '/run/user/1000/watchtabd.sock');
  const noRuntime = parseWatchtabdArgs([], { uid: 1000, env: {} });
  assert.equal(noRuntime.kind === 'run' && noRuntime.options.socket, '/run/user/1000/watchtabd.sock');
  const xdgState = parseWatchtabdArgs([], {
    uid: 1000,
    env: { XDG_STATE_HOME: '/home/u/st', HOME: '/home/u' },
  });
  assert.equal(xdgState.kind === 'run' && xdgState.options.stateDir, '/home/u/st/watchtabd');
  const home = parseWatchtabdArgs([], { uid: 1000, env: { XDG_STATE_HOME: 'relative', HOME: '/home/u' } });
  assert.equal(home.kind === 'run' && home.options.stateDir, '/home/u/.local/state/watchtabd');
});

test('every option in long form, and -c, -n in short form', () => {
  const long = asRoot([
    '--watchtab=/x/tab',
    '--check',
    '--log-level',
    'debug',
    '--log-file',
    '/var/log/w.log',
    '--backend',
    'poll',
    '--poll-interval',
    '0.5',
    '--grace',
    '0',
    '--socket',
    '/tmp/s.sock',
    '--state-dir',
    '/tmp/state',
  ]);
  assert.deepEqual(long, {
    kind: 'run',
    options: {
      watchtab: '/x/tab',
      check: true,
      logLevel: 'debug',
      logFile: '/var/log/w.log',
      backend: 'poll',
      pollIntervalMs: 500,
      graceMs: 0,
      socket: '/tmp/s.sock',
      stateDir: '/tmp/state',
    },
  });
  const short = asRoot(['-c', 'tab', '-n']);
  assert.equal(short.kind === 'run' && short.options.watchtab, join(process.cwd(), 'tab'));
  assert.equal(short.kind === 'run' && short.options.check, true);
  assert.deepEqual(asRoot(['--help']), { kind: 'help' });
  assert.deepEqual(asRoot(['--version']), { kind: 'version' });
});

test('bad usage is a UsageError with one line', () => {
  const bad = [
    ['--bogus'],
    ['-x'],
    ['--log-level', 'trace'],
    ['--backend', 'kqueue'],
    ['--poll-interval', '0'],
    ['--poll-interval', 'soon'],
    ['--poll-interval', '0.0001'],
    ['--poll-interval', '9999999'],
    ['--check=yes'],
    ['--grace', '-1'],
    ['--watchtab'],
    ['--watchtab', ''],
    ['extra'],
  ];
  for (const argv of bad) {
    assert.throws(
      () => asRoot(argv),
      (error: unknown) => error instanceof UsageError && !error.message.includes('\n'),
      argv.join(' '),
    );
  }
});

test('--help lists every option of the table', () => {
  const help = watchtabdHelp();
  for (const option of WATCHTABD_OPTIONS) assert.ok(help.includes(`--${option.long}`), option.long);
});

test('watchtabd --help takes its sentences from the messages module', () => {
  const help = watchtabdHelp();
  assert.ok(help.startsWith(`${watchtabdHelpMessages.usage()}\n`));
  assert.ok(help.includes(watchtabdHelpMessages.check()));
  assert.match(watchtabdHelpMessages.check(), /missing main file is only a warning/);
});

test('the watchtab is made absolute, so FILE:LINE names do not depend on its spelling', () => {
  const relative = parseWatchtabdArgs(['-c', 'sub/../tab'], { uid: 0, env: {} });
  const absolute = parseWatchtabdArgs(['-c', join(process.cwd(), 'tab')], { uid: 0, env: {} });
  assert.equal(relative.kind === 'run' && relative.options.watchtab, join(process.cwd(), 'tab'));
  assert.deepEqual(relative, absolute);
});

test('not as root, the default watchtab is $XDG_CONFIG_HOME/watchtab, else ~/.config/watchtab', () => {
  const watchtab = (env: NodeJS.ProcessEnv) => {
    const parsed = parseWatchtabdArgs([], { uid: 1000, env });
    return parsed.kind === 'run' ? parsed.options.watchtab : null;
  };
  assert.equal(watchtab({ HOME: '/home/ann', XDG_CONFIG_HOME: '/cfg' }), '/cfg/watchtab');
  assert.equal(watchtab({ HOME: '/home/ann' }), '/home/ann/.config/watchtab');
  // The XDG specification ignores a relative value.
  assert.equal(watchtab({ HOME: '/home/ann', XDG_CONFIG_HOME: 'cfg' }), '/home/ann/.config/watchtab');
});

test('a mistyped option or value gets a suggestion, and seconds that round to 0 ms are refused', () => {
  const message = (argv: string[]) => {
    try {
      asRoot(argv);
    } catch (error) {
      if (error instanceof UsageError) return error.message;
    }
    return 'no error';
  };
  assert.equal(
    message(['--poll-intreval', '2']),
    'unknown option "--poll-intreval" (did you mean --poll-interval?)',
  );
  assert.equal(message(['--watchtb', 'x']), 'unknown option "--watchtb" (did you mean --watchtab?)');
  assert.match(message(['--backend', 'inotfy']), /is not one of .* \(did you mean inotify\?\)$/);
  assert.match(message(['--poll-interval', '0.0001']), /^--poll-interval: 0\.0001 is less than the minimum/);
  assert.equal(message(['--zzzzzz']), 'unknown option "--zzzzzz"');
});
