import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import { parseWatchtabdArgs, watchtabdHelp, WATCHTABD_OPTIONS } from '../../src/cli/watchtabd-options.js';
import { watchtabdHelpMessages } from '../../src/log/messages/watchtab.js';

const asRoot = (argv: string[]) => parseWatchtabdArgs(argv, 0, {});

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
  const user = parseWatchtabdArgs([], 1000, { XDG_RUNTIME_DIR: '/run/user/1000' });
  assert.equal(user.kind === 'run' && user.options.socket, '/run/user/1000/watchtabd.sock');
  const noRuntime = parseWatchtabdArgs([], 1000, {});
  assert.equal(noRuntime.kind === 'run' && noRuntime.options.socket, '/run/user/1000/watchtabd.sock');
  const xdgState = parseWatchtabdArgs([], 1000, { XDG_STATE_HOME: '/home/u/st', HOME: '/home/u' });
  assert.equal(xdgState.kind === 'run' && xdgState.options.stateDir, '/home/u/st/watchtabd');
  const home = parseWatchtabdArgs([], 1000, { XDG_STATE_HOME: 'relative', HOME: '/home/u' });
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
  assert.equal(short.kind === 'run' && short.options.watchtab, 'tab');
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
